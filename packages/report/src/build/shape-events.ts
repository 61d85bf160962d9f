/**
 * A tape's events shaped for the page: each exchange read for its provider, model, status,
 * duration, tokens and whether it streamed; each draw and annotation as recorded; every one placed
 * on a time axis; bodies into the page's table, once each.
 */
import { DrawKind, type ExchangeEvent, type TapeEvent } from '@trace/spec';
import { bodyText, parseJson } from '../shared/bodies.js';
import { modelOf, providerOf, tokensOf } from '../shared/provider.js';
import type {
  Json,
  ReportData,
  ReportEvent,
  ReportExchange,
  ReportResponseBody,
} from '../shared/report-data.js';
import { reassembleStream } from '../shared/sse.js';
import type { BodyTable } from './body-table.js';

export interface ShapedEvents {
  readonly events: ReportEvent[];
  readonly time: ReportData['time'];
}

/**
 * Shapes `events` in tape order. The time axis is the run's own: with wall-clock draws, an event
 * sits at the last reading before it (or after the previous exchange ended, when that is later);
 * without any, exchanges are laid end to end by their recorded durations.
 */
export function shapeEvents(events: readonly TapeEvent[], table: BodyTable): ShapedEvents {
  const firstWall = events.find(
    (e): e is Extract<TapeEvent, { type: 'draw' }> =>
      e.type === 'draw' && e.kind === DrawKind.wallClock && typeof e.value === 'number',
  );
  const startedAt = firstWall === undefined ? undefined : (firstWall.value as number);
  const issueSteps = issuePositions(events);
  const out: ReportEvent[] = [];
  let clock = 0;
  let cursor = 0;
  let draws = 0;
  events.forEach((event, seq) => {
    if (event.type === 'draw') {
      if (
        startedAt !== undefined &&
        event.kind === DrawKind.wallClock &&
        typeof event.value === 'number'
      )
        clock = Math.max(0, event.value - startedAt);
      const t = Math.max(clock, cursor);
      out.push({
        seq,
        t,
        type: 'draw',
        step: draws++,
        kind: event.kind,
        value: event.value as Json,
        ...(event.stream === undefined ? {} : { stream: event.stream }),
      });
    } else if (event.type === 'annotation') {
      out.push({ seq, t: Math.max(clock, cursor), type: 'annotation', data: event.data as Json });
    } else {
      const t = Math.max(clock, cursor);
      const shaped = shapeExchange(event, seq, t, issueSteps.get(seq) ?? 0, table);
      cursor = t + (shaped.durationMs ?? 0);
      out.push(shaped);
    }
  });
  return {
    events: out,
    time: startedAt === undefined ? { basis: 'durations' } : { basis: 'clock', startedAt },
  };
}

/** Each exchange's position in issue order (its `issueIndex`, else its place among exchanges), by seq. */
function issuePositions(events: readonly TapeEvent[]): Map<number, number> {
  const exchanges: { seq: number; issued: number }[] = [];
  events.forEach((event, seq) => {
    if (event.type === 'exchange')
      exchanges.push({ seq, issued: event.issueIndex ?? exchanges.length });
  });
  exchanges.sort((a, b) => a.issued - b.issued || a.seq - b.seq);
  return new Map(exchanges.map(({ seq }, step) => [seq, step]));
}

function shapeExchange(
  event: ExchangeEvent,
  seq: number,
  t: number,
  step: number,
  table: BodyTable,
): ReportExchange {
  const { request } = event;
  const requestBody = request.body === null ? null : table.add(request.body);
  const requestJson = parseJson(bodyText(table.entries, requestBody));
  const provider = providerOf(request.url);
  const model = modelOf(requestJson);
  const base = {
    seq,
    t,
    type: 'exchange' as const,
    step,
    provider,
    ...(model === undefined ? {} : { model }),
    method: request.method,
    url: request.url,
    ...(event.timing === undefined
      ? {}
      : { durationMs: event.timing.endMs, headersMs: event.timing.headersMs }),
    request: { headers: request.headers, body: requestBody },
  };
  if (event.response === undefined) {
    const { name, message, code } = event.error;
    return {
      ...base,
      streamed: false,
      error: code === undefined ? { name, message } : { name, message, code },
    };
  }
  const { response } = event;
  let body: ReportResponseBody | null = null;
  let responseJson: Json | undefined;
  if (response.body?.kind === 'bytes') {
    body = { kind: 'bytes', body: table.add(response.body.bytes) };
    responseJson = parseJson(bodyText(table.entries, body.body));
  } else if (response.body?.kind === 'stream') {
    const { chunks, end } = response.body;
    body = {
      kind: 'stream',
      chunks: chunks.map((chunk) => ({ offsetMs: chunk.offsetMs, body: table.add(chunk.bytes) })),
      end:
        end.kind === 'complete'
          ? { kind: 'complete' }
          : end.kind === 'cancelled'
            ? { kind: 'cancelled', offsetMs: end.offsetMs }
            : { kind: 'error', offsetMs: end.offsetMs, message: end.error.message },
    };
    responseJson = reassembleStream(Buffer.concat(chunks.map((c) => c.bytes)).toString('utf8'));
  }
  const tokens = tokensOf(responseJson);
  return {
    ...base,
    streamed: response.body?.kind === 'stream',
    status: response.status,
    statusText: response.statusText,
    ...(tokens === undefined ? {} : { tokens }),
    ...(response.redirectedTo === undefined ? {} : { redirectedTo: response.redirectedTo }),
    response: { headers: response.headers, body },
  };
}
