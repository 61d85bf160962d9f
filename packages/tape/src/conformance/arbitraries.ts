/**
 * fast-check generators of tape events: every kind of event, every body shape and stream end,
 * JSON of every shape, exchanges with and without each optional field (issue order, timing, a
 * followed redirect), and now and then a body of a few megabytes. The conformance suite draws
 * from them; a backend's own property tests can too.
 */

import type { Chunk, ExchangeTiming, RecordedError, StreamEnd, TapeEvent } from '@trace/spec';
import fc from 'fast-check';

const wellFormed = fc.string({ unit: 'grapheme', maxLength: 40 });
const bytes = (maxLength: number) => fc.uint8Array({ maxLength });
const offsetMs = fc.double({ min: 0, max: 1e7, noNaN: true, noDefaultInfinity: true });
const headers = fc.array(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), wellFormed), {
  maxLength: 6,
});

const json: fc.Arbitrary<unknown> = fc
  .jsonValue({ maxDepth: 3 })
  .map((v) => (Object.is(v, -0) ? 0 : v));

const recordedError: fc.Arbitrary<RecordedError> = fc.record(
  {
    name: fc.constantFrom('TypeError', 'AbortError', 'TimeoutError'),
    message: wellFormed,
    code: fc.constantFrom('ECONNRESET', 'UND_ERR_SOCKET'),
  },
  { requiredKeys: ['name', 'message'] },
);

const streamEnd: fc.Arbitrary<StreamEnd> = fc.oneof(
  fc.constant({ kind: 'complete' } as const),
  offsetMs.map((o) => ({ kind: 'cancelled', offsetMs: o }) as const),
  fc
    .tuple(offsetMs, recordedError)
    .map(([o, error]) => ({ kind: 'error', offsetMs: o, error }) as const),
);

const chunk: fc.Arbitrary<Chunk> = fc.record({ offsetMs, bytes: bytes(64) });

/** An exchange's position in issue order: small, and now and then the largest a record holds. */
const issueIndex = fc.oneof(
  { weight: 9, arbitrary: fc.nat({ max: 50 }) },
  { weight: 1, arbitrary: fc.constant(0xffff_ffff) },
);

/** Either order of the two instants: a reader must not assume the body ends after the head. */
const timing: fc.Arbitrary<ExchangeTiming> = fc.record({ headersMs: offsetMs, endMs: offsetMs });

/** Bodies: small, empty, and now and then one of a few megabytes. */
const body = (big: boolean) =>
  big
    ? fc.oneof(
        { weight: 60, arbitrary: bytes(2048) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }).map((mb) => bigBody(mb)) },
      )
    : bytes(256);

function bigBody(megabytes: number): Uint8Array {
  const out = new Uint8Array(megabytes * 1024 * 1024);
  for (let i = 0; i < out.length; i++) out[i] = (i * 31 + megabytes) & 0xff;
  return out;
}

/** Any valid tape event; with `big`, a body is now and then a few megabytes. */
export const arbitraryTapeEvent = (big = false): fc.Arbitrary<TapeEvent> =>
  fc.oneof(
    fc.record(
      {
        type: fc.constant('draw' as const),
        kind: fc.constantFrom('clock.wall', 'uuid.v4', 'random.float', 'source:env'),
        value: json,
        stream: fc.constantFrom('a', 'b'),
      },
      { requiredKeys: ['type', 'kind', 'value'] },
    ) as fc.Arbitrary<TapeEvent>,
    fc.record({ type: fc.constant('annotation' as const), data: json }) as fc.Arbitrary<TapeEvent>,
    fc.record(
      {
        type: fc.constant('exchange' as const),
        request: fc.record({
          method: fc.constantFrom('GET', 'POST'),
          url: fc.webUrl(),
          headers,
          body: fc.option(body(big), { nil: null }),
        }),
        response: fc.record(
          {
            status: fc.integer({ min: 100, max: 599 }),
            statusText: wellFormed,
            headers,
            body: fc.oneof(
              fc.constant(null),
              body(big).map((b) => ({ kind: 'bytes' as const, bytes: b })),
              fc.record({
                kind: fc.constant('stream' as const),
                chunks: fc.array(chunk, { maxLength: 40 }),
                end: streamEnd,
              }),
            ),
            redirectedTo: fc.webUrl(),
          },
          { requiredKeys: ['status', 'statusText', 'headers', 'body'] },
        ),
        issueIndex,
        timing,
      },
      { requiredKeys: ['type', 'request', 'response'] },
    ) as fc.Arbitrary<TapeEvent>,
    fc.record(
      {
        type: fc.constant('exchange' as const),
        request: fc.record({
          method: fc.constant('POST'),
          url: fc.webUrl(),
          headers,
          body: fc.option(bytes(64), { nil: null }),
        }),
        error: recordedError,
        issueIndex,
        timing,
      },
      { requiredKeys: ['type', 'request', 'error'] },
    ) as fc.Arbitrary<TapeEvent>,
  );

/** Up to 25 events, as `arbitraryTapeEvent` makes them. */
export const arbitraryTapeEvents = (big = false): fc.Arbitrary<TapeEvent[]> =>
  fc.array(arbitraryTapeEvent(big), { maxLength: 25 });
