/**
 * Two runs side by side, step by step (step = position in the tape): which steps are the same,
 * where the runs part, and what differs inside each differing step, down to JSON paths. Timing
 * (when heads, bodies and chunks arrived) differs between any two recordings; it is compared only
 * when asked.
 */
import type { ExchangeEvent, TapeEvent } from '@trace/spec';
import { utf8Text } from '../dump/bytes.js';
import { jsonOf, reassembledOf } from '../render/event.js';
import { diffJson, type JsonDifference } from './json-diff.js';

export interface StepDiff {
  readonly step: number;
  /** `same`, `changed`, or present on one side only. */
  readonly status: 'same' | 'changed' | 'only-a' | 'only-b';
  readonly a: string | undefined;
  readonly b: string | undefined;
  readonly differences: readonly JsonDifference[];
}

export interface TapeDiffOptions {
  readonly timing: boolean;
}

export function diffTapes(
  a: readonly TapeEvent[],
  b: readonly TapeEvent[],
  options: TapeDiffOptions,
): StepDiff[] {
  const steps: StepDiff[] = [];
  for (let step = 0; step < Math.max(a.length, b.length); step++) {
    const left = a[step];
    const right = b[step];
    if (left === undefined || right === undefined) {
      steps.push({
        step,
        status: left === undefined ? 'only-b' : 'only-a',
        a: left && summary(left),
        b: right && summary(right),
        differences: [],
      });
      continue;
    }
    const differences = diffJson(comparable(left, options), comparable(right, options));
    steps.push({
      step,
      status: differences.length === 0 ? 'same' : 'changed',
      a: summary(left),
      b: summary(right),
      differences,
    });
  }
  return steps;
}

/** One line that names an event. */
export function summary(event: TapeEvent): string {
  switch (event.type) {
    case 'draw':
      return `draw ${event.kind} ${truncate(JSON.stringify(event.value), 40)}`;
    case 'annotation':
      return `annotation ${truncate(JSON.stringify(event.data), 40)}`;
    case 'exchange': {
      const outcome = event.response ? String(event.response.status) : `✗ ${event.error.name}`;
      return `${event.request.method} ${pathOf(event.request.url)} ${outcome}`;
    }
  }
}

/** An event as the JSON value compared: bodies as their JSON (streams reassembled) or text. */
function comparable(event: TapeEvent, options: TapeDiffOptions): unknown {
  if (event.type !== 'exchange') return event;
  return {
    type: 'exchange',
    request: {
      method: event.request.method,
      url: event.request.url,
      headers: Object.fromEntries(event.request.headers),
      body: event.request.body === null ? null : bodyValue(event.request.body),
    },
    ...responsePart(event, options),
    ...(options.timing && event.timing ? { timing: event.timing } : {}),
  };
}

function responsePart(event: ExchangeEvent, options: TapeDiffOptions): Record<string, unknown> {
  if (event.response === undefined) return { error: event.error };
  const { body } = event.response;
  let value: unknown = null;
  if (body?.kind === 'bytes') value = bodyValue(body.bytes);
  else if (body?.kind === 'stream') {
    const assembled = reassembledOf(event);
    value = {
      stream: assembled?.message ?? utf8Text(Buffer.concat(body.chunks.map((c) => c.bytes))),
      end: body.end.kind,
      ...(options.timing ? { offsets: body.chunks.map((c) => c.offsetMs) } : {}),
    };
  }
  return {
    response: {
      status: event.response.status,
      headers: Object.fromEntries(event.response.headers),
      body: value,
      ...(event.response.redirectedTo ? { redirectedTo: event.response.redirectedTo } : {}),
    },
  };
}

function bodyValue(bytes: Uint8Array): unknown {
  const json = jsonOf(bytes);
  if (json !== undefined) return json;
  return utf8Text(bytes) ?? `<${bytes.length} bytes: ${Buffer.from(bytes).toString('base64')}>`;
}

function pathOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.search}`;
  } catch {
    return url;
  }
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}
