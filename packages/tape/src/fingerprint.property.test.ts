import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  arbitraryTapeEvent as tapeEvent,
  arbitraryTapeEvents as tapeEvents,
} from './conformance/arbitraries.js';
import { Tape } from './index.js';

function tapeOf(events: Parameters<Tape['append']>[0][], id?: string): Tape {
  const tape = Tape.create(id === undefined ? {} : { id });
  for (const event of events) tape.append(event);
  return tape;
}

describe('append', () => {
  it('the events read back equal the events given (modulo normalised -0)', () => {
    fc.assert(
      fc.property(tapeEvents(), (events) => {
        const tape = tapeOf(events);
        expect(JSON.parse(JSON.stringify(tape.events, bytesAsArrays))).toEqual(
          JSON.parse(JSON.stringify(events, bytesAsArrays)),
        );
      }),
    );
  });
});

describe('fingerprint', () => {
  it('changes when any single byte of any body, chunk or header changes', () => {
    fc.assert(
      fc.property(
        tapeEvents(),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (events, pick, delta) => {
          const tape = tapeOf(events);
          const places = byteHoldersOf(tape.events);
          fc.pre(places.length > 0);
          const target = places[pick % places.length] as Uint8Array;
          const mutated = structuredClone(tape.events.map((e) => e)) as typeof events;
          const mutatedPlaces = byteHoldersOf(mutated);
          const copy = mutatedPlaces[pick % places.length] as Uint8Array;
          expect(copy).toEqual(target);
          copy[pick % copy.length] = ((copy[pick % copy.length] as number) + delta) & 0xff;
          expect(tapeOf(mutated).fingerprint).not.toBe(tape.fingerprint);
        },
      ),
    );
  });

  it('depends on the order of events, and on the key order of JSON objects', () => {
    fc.assert(
      fc.property(tapeEvent(), tapeEvent(), (a, b) => {
        fc.pre(tapeOf([a]).fingerprint !== tapeOf([b]).fingerprint);
        expect(tapeOf([a, b]).fingerprint).not.toBe(tapeOf([b, a]).fingerprint);
      }),
    );
    const one = tapeOf([{ type: 'annotation', data: { x: 1, y: [true, null] } }]);
    const other = tapeOf([{ type: 'annotation', data: { y: [true, null], x: 1 } }]);
    // Key order is part of a value as the code replaying it sees it, so it is part of the identity.
    expect(one.fingerprint).not.toBe(other.fingerprint);
    expect(Object.keys((other.events[0] as { data: object }).data)).toEqual(['y', 'x']);
  });
});

/** Every Uint8Array inside the events, in a stable order. */
function byteHoldersOf(events: readonly unknown[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  const walk = (value: unknown) => {
    if (value instanceof Uint8Array) {
      if (value.length > 0) out.push(value);
    } else if (typeof value === 'object' && value !== null) {
      for (const child of Object.values(value)) walk(child);
    }
  };
  walk(events);
  return out;
}

function bytesAsArrays(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? [...value] : value;
}
