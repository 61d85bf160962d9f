/**
 * Nondeterminism for agents outside JavaScript: an HTTP interface over the run's source, so a
 * Python or Go agent's clock readings, ids and random numbers are recorded into the same tape as
 * its model calls, and served back on replay.
 *
 *   GET  /__trace/draw/clock.wall                 → { "value": 1764547200000 }  (Unix ms)
 *   GET  /__trace/draw/clock.monotonic            → { "value": 1234.5 }
 *   GET  /__trace/draw/uuid.v4 | uuid.v7          → { "value": "…" }
 *   GET  /__trace/draw/random.float               → { "value": 0.42 }           ([0, 1))
 *   GET  /__trace/draw/random.int?min=1&max=6     → { "value": 4 }
 *   GET  /__trace/draw/random.bytes?length=16     → { "value": "<base64>" }
 *   POST /__trace/draw/source/<name>  {"value":…} → { "value": … }  (the given value when
 *        recording, the recorded one on replay: an environment variable, a file, a tool output)
 *
 * `?stream=<name>` draws from a named stream, for concurrent code whose order between streams
 * varies. The kinds are @trace/spec's `DrawKind` names, as they appear in the tape.
 */
import type { NondetSource } from '@trace/nondet';
import type { JsonValue } from '@trace/spec';
import { ProxyError } from './errors.js';

export const DRAW_PATH = '/__trace/draw/';

/** The value a draw request asks for, drawn from `source`. */
export function draw(
  source: NondetSource,
  kind: string,
  query: URLSearchParams,
  body: JsonValue | undefined,
): JsonValue {
  const stream = query.get('stream');
  const from = stream === null ? source : source.stream(stream);
  switch (kind) {
    case 'clock.wall':
      return from.now();
    case 'clock.monotonic':
      return from.monotonic();
    case 'uuid.v4':
      return from.uuidV4();
    case 'uuid.v7':
      return from.uuidV7();
    case 'random.float':
      return from.float();
    case 'random.int':
      return from.int(integer(query, 'min'), integer(query, 'max'));
    case 'random.bytes':
      return Buffer.from(from.bytes(integer(query, 'length'))).toString('base64');
  }
  if (kind.startsWith('source/')) {
    const name = decodeURIComponent(kind.slice('source/'.length));
    if (body === undefined || typeof body !== 'object' || body === null || !('value' in body)) {
      throw bad(
        `a source draw takes a JSON body {"value": …}: the value read live, kept when recording.`,
      );
    }
    const value = (body as { value: JsonValue }).value;
    return from.draw(name, () => value);
  }
  throw bad(
    `there is no draw ${JSON.stringify(kind)}: use clock.wall, clock.monotonic, uuid.v4, uuid.v7, random.float, random.int, random.bytes or source/<name>.`,
  );
}

function integer(query: URLSearchParams, name: string): number {
  const text = query.get(name);
  const value = Number(text);
  if (text === null || text === '' || !Number.isSafeInteger(value)) {
    throw bad(`?${name}= must be an integer, e.g. random.int?min=1&max=6.`);
  }
  return value;
}

function bad(message: string): ProxyError {
  return new ProxyError('PROXY_BAD_REQUEST', message);
}
