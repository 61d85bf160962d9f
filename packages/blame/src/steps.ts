/**
 * The steps of a recorded run as @trace/fork counts them — exchanges by their position in issue
 * order, draws by their position — with what blame shows and prices for each: its tape seq, a
 * label, the recorded usage of an exchange, and where the tail after it begins.
 */
import type { ForkPoint } from '@trace/fork';
import type { DrawRecord } from '@trace/nondet';
import { DrawKind, type ExchangeEvent, type JsonValue, type TapeEvent } from '@trace/spec';
import { modelOfRequest, type Usage, usageOfBody } from './usage.js';

/** A step of the recorded run, as @trace/fork counts them. */
export type BlameStep = ForkPoint;

/** What a perturbation (and a report) knows about a step. */
export interface StepInfo {
  readonly step: BlameStep;
  readonly kind: 'exchange' | 'draw';
  /** The step's event seq in the run's tape. */
  readonly seq: number;
  /** `POST /v1/messages (claude-…)`, `draw tool:search`, `draw clock.wall`. */
  readonly label: string;
  /** A draw's kind (`source:tool:search`, `random.int`, …). */
  readonly drawKind?: string;
  /** A named source's name (`tool:search` for `source:tool:search`). */
  readonly source?: string;
  /** A draw's recorded value, as the tape encodes it. */
  readonly value?: JsonValue;
  /** An exchange's model, from its request body. */
  readonly model?: string;
}

/** An exchange as the estimate reads it. */
export interface ExchangeCost {
  readonly model: string | undefined;
  readonly usage: Usage;
  /** False when the response carried no usage and the tokens were estimated from sizes. */
  readonly measured: boolean;
}

export interface RunSteps {
  /** Every step, in the run's tape order. */
  readonly steps: readonly StepInfo[];
  /** The run's exchanges in issue order, with their cost. */
  readonly exchanges: readonly ExchangeCost[];
  /** Exchanges (by issue position) at or after this one are the tail of a fork at a step. */
  tailStart(step: BlameStep): number;
  /** The run's draws after a fork at `step` (after the fork point itself, for a draw), in order. */
  drawsAfter(step: BlameStep): readonly DrawRecord[];
}

const decoder = new TextDecoder();

/** Reads the steps of a run's events. */
export function runSteps(events: readonly TapeEvent[]): RunSteps {
  const exchanges: { seq: number; issued: number; event: ExchangeEvent }[] = [];
  const draws: { seq: number; kind: string; value: JsonValue; stream?: string }[] = [];
  events.forEach((event, seq) => {
    if (event.type === 'exchange')
      exchanges.push({ seq, issued: event.issueIndex ?? exchanges.length, event });
    else if (event.type === 'draw')
      draws.push({
        seq,
        kind: event.kind,
        value: event.value,
        ...(event.stream === undefined ? {} : { stream: event.stream }),
      });
  });
  exchanges.sort((a, b) => a.issued - b.issued || a.seq - b.seq);

  const steps: StepInfo[] = [
    ...exchanges.map(({ seq, event }, index): StepInfo => {
      const model = modelOfRequest(bodyText(event.request.body));
      return {
        step: { exchange: index },
        kind: 'exchange',
        seq,
        label: `${event.request.method} ${pathOf(event.request.url)}${model === undefined ? '' : ` (${model})`}`,
        ...(model === undefined ? {} : { model }),
      };
    }),
    ...draws.map(({ seq, kind, value }, index): StepInfo => {
      const source = kind.startsWith(DrawKind.sourcePrefix)
        ? kind.slice(DrawKind.sourcePrefix.length)
        : undefined;
      return {
        step: { draw: index },
        kind: 'draw',
        seq,
        label: `draw ${source ?? kind}`,
        drawKind: kind,
        value,
        ...(source === undefined ? {} : { source }),
      };
    }),
  ].sort((a, b) => a.seq - b.seq);

  return {
    steps,
    exchanges: exchanges.map(({ event }) => costOf(event)),
    // As @trace/fork cuts its prefix: a fork at exchange i serves the exchanges before it; a fork
    // at a draw serves every exchange issued before the first that ended after the draw.
    tailStart: (step) => {
      if ('exchange' in step) return step.exchange;
      const seq = draws[step.draw]?.seq ?? Number.POSITIVE_INFINITY;
      const first = exchanges.findIndex((e) => e.seq > seq);
      return first === -1 ? exchanges.length : first;
    },
    // As @trace/fork cuts the draws: a fork at exchange i serves the draws recorded before it.
    drawsAfter: (step) => {
      const from =
        'exchange' in step
          ? draws.filter((d) => d.seq < (exchanges[step.exchange]?.seq ?? 0)).length
          : step.draw + 1;
      return draws
        .slice(from)
        .map(({ kind, value, stream }) =>
          stream === undefined ? { kind, value } : { kind, value, stream },
        );
    },
  };
}

function costOf(event: ExchangeEvent): ExchangeCost {
  const model = modelOfRequest(bodyText(event.request.body));
  const responseText =
    'response' in event && event.response?.body != null
      ? event.response.body.kind === 'bytes'
        ? decoder.decode(event.response.body.bytes)
        : event.response.body.chunks.map((c) => decoder.decode(c.bytes)).join('')
      : '';
  const usage = usageOfBody(responseText);
  if (usage !== undefined) return { model, usage, measured: true };
  // No usage in the response: about four bytes a token, the usual rule of thumb for English.
  const bytes = event.request.body?.byteLength ?? 0;
  return {
    model,
    usage: { input: Math.ceil(bytes / 4), output: Math.ceil(responseText.length / 4) },
    measured: false,
  };
}

function bodyText(body: Uint8Array | null): string {
  return body === null ? '' : decoder.decode(body);
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}
