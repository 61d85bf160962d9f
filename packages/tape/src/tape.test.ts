import { jsonExchange as exchange } from '@trace/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  arbitraryTapeEvent as tapeEvent,
  arbitraryTapeEvents as tapeEvents,
} from './conformance/arbitraries.js';
import { fingerprintEvents, Tape, type TapeEvent } from './index.js';

const text = (s: string) => new TextEncoder().encode(s);

/** Every object and array reachable from `value`, bodies aside. */
function containers(value: unknown, found: object[] = []): object[] {
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return found;
  found.push(value);
  for (const child of Object.values(value)) containers(child, found);
  return found;
}

describe('Tape.append and the deferred fingerprint', () => {
  it('gives, after every append and whenever it is read, the fingerprint of the events so far', () => {
    fc.assert(
      fc.property(tapeEvents(), fc.array(fc.boolean(), { maxLength: 25 }), (events, reads) => {
        const tape = Tape.create();
        events.forEach((event, i) => {
          tape.append(event);
          if (reads[i]) expect(tape.fingerprint).toBe(fingerprintEvents(events.slice(0, i + 1)));
        });
        expect(tape.fingerprint).toBe(fingerprintEvents(events));
      }),
      { numRuns: 60 },
    );
  });

  it("copies by default: changing the caller's bytes before the fingerprint is read changes nothing", () => {
    const request = text('{"q":1}');
    const response = text('{"a":2}');
    const tape = Tape.create();
    tape.append(exchange(request, response));
    request.fill(0);
    response.fill(0);
    expect(tape.fingerprint).toBe(fingerprintEvents([exchange(text('{"q":1}'), text('{"a":2}'))]));
    const event = tape.events[0] as Extract<TapeEvent, { type: 'exchange' }>;
    expect(new TextDecoder().decode(event.request.body as Uint8Array)).toBe('{"q":1}');
  });

  it('with copyBytes: false keeps the very buffers it is handed, and fingerprints them alike', () => {
    const request = text('{"q":1}');
    const response = text('{"a":2}');
    const tape = Tape.create();
    tape.append(exchange(request, response), { copyBytes: false });
    const event = tape.events[0] as Extract<TapeEvent, { type: 'exchange' }>;
    expect(event.request.body).toBe(request);
    expect(event.response?.body).toEqual({ kind: 'bytes', bytes: response });
    expect(event.response?.body?.kind === 'bytes' && event.response.body.bytes).toBe(response);
    expect(tape.fingerprint).toBe(fingerprintEvents([exchange(request, response)]));
  });

  it('refuses an invalid event at append, leaving the tape and its pending events as they were', () => {
    const tape = Tape.create();
    tape.append(exchange(text('a'), text('b')));
    const bad = {
      ...exchange(text('c'), text('d')),
      request: { method: 'POST' },
    } as unknown as TapeEvent;
    expect(() => tape.append(bad)).toThrow(
      expect.objectContaining({
        code: 'TAPE_INVALID_EVENT',
        details: { path: 'event.request.url' },
      }),
    );
    expect(tape.events).toHaveLength(1);
    expect(tape.counts.exchange).toBe(1);
    expect(tape.fingerprint).toBe(fingerprintEvents([exchange(text('a'), text('b'))]));
  });

  it('refuses JSON nested past the shared depth limit with TAPE_INVALID_EVENT, not a RangeError', () => {
    const nest = (levels: number) => {
      let value: unknown = 'leaf';
      for (let i = 0; i < levels; i++) value = { inner: value };
      return value as never;
    };
    const tape = Tape.create();
    for (const levels of [65, 20_000]) {
      expect(() => tape.append({ type: 'annotation', data: nest(levels) })).toThrow(
        expect.objectContaining({
          code: 'TAPE_INVALID_EVENT',
          message: expect.stringContaining('is nested deeper than 64 levels'),
        }),
      );
    }
    expect(tape.append({ type: 'annotation', data: nest(63) })).toBe(0);
  });

  it('hands out events frozen all the way down, to the last header pair and chunk', () => {
    fc.assert(
      fc.property(tapeEvent(), fc.boolean(), (event, copyBytes) => {
        const tape = Tape.create();
        tape.append(event, { copyBytes });
        for (const container of containers(tape.events[0])) {
          expect(Object.isFrozen(container)).toBe(true);
        }
      }),
      { numRuns: 100 },
    );
  });
});
