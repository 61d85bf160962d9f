/**
 * An exchange's optional fields — `issueIndex`, `timing`, `response.redirectedTo` — and the
 * trailer that carries them after the outcome (docs/tape-format.md, section 3).
 */
import { createHash } from 'node:crypto';
import type { ExchangeEvent, TapeEvent } from '@trace/spec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryTapeEvent } from './conformance/arbitraries.js';
import { blobDigestsOf, decodeRecord, UndecodableRecord } from './decoding.js';
import { encodeEvent, normaliseEvent } from './encoding.js';
import { fingerprintEvents, TapeError } from './index.js';

const text = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

const request = { method: 'GET', url: 'http://127.0.0.1:8080/a', headers: [], body: null };
const answered: ExchangeEvent = {
  type: 'exchange',
  request,
  response: {
    status: 200,
    statusText: 'OK',
    headers: [],
    body: { kind: 'bytes', bytes: text('hi') },
  },
};
const failed: ExchangeEvent = {
  type: 'exchange',
  request,
  error: { name: 'TypeError', message: 'fetch failed', code: 'ECONNREFUSED' },
};

/** Exchanges of every shape, without any of the optional fields. */
const plainExchange: fc.Arbitrary<ExchangeEvent> = arbitraryTapeEvent()
  .filter((e): e is ExchangeEvent => e.type === 'exchange')
  .map(withoutFacts);

/** Which optional fields to add: any non-empty choice, with their values. */
const someFacts = fc
  .record(
    {
      issueIndex: fc.integer({ min: 0, max: 0xffff_ffff }),
      timing: fc.record({
        headersMs: fc.double({ min: 0, max: 1e9, noNaN: true }),
        endMs: fc.double({ min: 0, max: 1e9, noNaN: true }),
      }),
      redirectedTo: fc.webUrl(),
    },
    { requiredKeys: [] },
  )
  .filter((facts) => Object.keys(facts).length > 0);

type Facts = { issueIndex?: number; timing?: ExchangeEvent['timing']; redirectedTo?: string };

function withoutFacts(event: ExchangeEvent): ExchangeEvent {
  const { issueIndex: _i, timing: _t, ...rest } = event;
  if (rest.response === undefined) return rest as ExchangeEvent;
  const { redirectedTo: _r, ...response } = rest.response;
  return { ...rest, response } as ExchangeEvent;
}

function withFacts(event: ExchangeEvent, facts: Facts): ExchangeEvent {
  const { redirectedTo, ...rest } = facts;
  const out = { ...event, ...rest } as ExchangeEvent;
  if (redirectedTo === undefined || out.response === undefined) return out;
  return { ...out, response: { ...out.response, redirectedTo } } as ExchangeEvent;
}

/** The trailer as the spec writes it, built here independently of the encoder. */
function specTrailer(facts: Facts, hasResponse: boolean): Buffer {
  const parts: Buffer[] = [];
  if (facts.issueIndex !== undefined) {
    const b = Buffer.alloc(5);
    b.writeUInt8(0x01, 0);
    b.writeUInt32BE(facts.issueIndex, 1);
    parts.push(b);
  }
  if (facts.timing !== undefined) {
    const b = Buffer.alloc(17);
    b.writeUInt8(0x02, 0);
    b.writeDoubleBE(facts.timing.headersMs === 0 ? 0 : facts.timing.headersMs, 1);
    b.writeDoubleBE(facts.timing.endMs === 0 ? 0 : facts.timing.endMs, 9);
    parts.push(b);
  }
  if (facts.redirectedTo !== undefined && hasResponse) {
    const url = Buffer.from(facts.redirectedTo, 'utf8');
    const b = Buffer.alloc(5);
    b.writeUInt8(0x03, 0);
    b.writeUInt32BE(url.length, 1);
    parts.push(b, url);
  }
  return Buffer.concat(parts);
}

const blobsOf = (event: TapeEvent) => {
  const blobs = new Map<string, Uint8Array>();
  for (const blob of encodeEvent(event, { copyBytes: true }).blobs)
    blobs.set(blob.digest.toString('hex'), blob.bytes);
  return (digest: Buffer) => blobs.get(digest.toString('hex'));
};

const decode = (record: Uint8Array, event: TapeEvent) => decodeRecord(record, blobsOf(event));

const record = (event: TapeEvent) => Buffer.from(encodeEvent(event, { copyBytes: false }).record);

describe('the exchange trailer', () => {
  it('is absent from an exchange without the fields: its record ends with the outcome, as before', () => {
    fc.assert(
      fc.property(plainExchange, someFacts, (plain, facts) => {
        const bare = record(plain);
        const extended = record(withFacts(plain, facts));
        const hasResponse = plain.response !== undefined;
        const trailer = specTrailer(facts, hasResponse);
        // The record with fields is the record without them, then the trailer the spec writes.
        expect(extended).toEqual(Buffer.concat([bare, trailer]));
        if (trailer.length > 0) {
          expect(fingerprintEvents([withFacts(plain, facts)])).not.toBe(fingerprintEvents([plain]));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('changes the record and the fingerprint when any one field is added or changed', () => {
    const base = record(answered);
    const variants: ExchangeEvent[] = [
      withFacts(answered, { issueIndex: 0 }),
      withFacts(answered, { issueIndex: 1 }),
      withFacts(answered, { timing: { headersMs: 0, endMs: 0 } }),
      withFacts(answered, { timing: { headersMs: 0, endMs: 1 } }),
      withFacts(answered, { timing: { headersMs: 1, endMs: 0 } }),
      withFacts(answered, { redirectedTo: '' }),
      withFacts(answered, { redirectedTo: 'http://127.0.0.1:8080/b' }),
      withFacts(failed, { issueIndex: 0 }),
      withFacts(failed, { timing: { headersMs: 2, endMs: 2 } }),
    ];
    const records = new Set(
      [base, record(failed), ...variants.map(record)].map((r) => r.toString('hex')),
    );
    expect(records.size).toBe(variants.length + 2);
    const prints = new Set(
      [answered, failed, ...variants].map((event) => fingerprintEvents([event])),
    );
    expect(prints.size).toBe(variants.length + 2);
  });

  it('reads back exactly what was written: the fields present, and no key for one absent', () => {
    fc.assert(
      fc.property(plainExchange, fc.option(someFacts, { nil: undefined }), (plain, facts) => {
        const event = facts === undefined ? plain : withFacts(plain, facts);
        const encoded = encodeEvent(event, { copyBytes: true });
        const back = decode(encoded.record, event) as ExchangeEvent;
        expect(back).toEqual(encoded.event);
        expect(Object.keys(back)).toEqual(Object.keys(encoded.event));
        expect(Object.keys(back.response ?? {})).toEqual(
          Object.keys((encoded.event as ExchangeEvent).response ?? {}),
        );
        for (const key of ['issueIndex', 'timing'] as const)
          expect(key in back).toBe(facts?.[key] !== undefined);
        expect('redirectedTo' in (back.response ?? {})).toBe(
          back.response !== undefined && facts?.redirectedTo !== undefined,
        );
        expect(Object.isFrozen(back)).toBe(true);
        if (back.timing !== undefined) expect(Object.isFrozen(back.timing)).toBe(true);
        if (back.response !== undefined) expect(Object.isFrozen(back.response)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('normalises and freezes the fields as encoding does: -0 becomes 0, extra keys are dropped', () => {
    const given = {
      ...answered,
      issueIndex: -0,
      timing: { headersMs: -0, endMs: 3.5, extra: true },
      response: { ...answered.response, redirectedTo: 'http://127.0.0.1:8080/b' },
    } as unknown as ExchangeEvent;
    for (const event of [
      normaliseEvent(given, { copyBytes: true }),
      encodeEvent(given, { copyBytes: true }).event,
    ] as ExchangeEvent[]) {
      expect(Object.is(event.issueIndex, 0)).toBe(true);
      expect(event.timing).toEqual({ headersMs: 0, endMs: 3.5 });
      expect(Object.is(event.timing?.headersMs, 0)).toBe(true);
      expect(Object.keys(event.timing ?? {})).toEqual(['headersMs', 'endMs']);
      expect(event.response?.redirectedTo).toBe('http://127.0.0.1:8080/b');
      expect(Object.isFrozen(event.timing)).toBe(true);
      expect(Object.isFrozen(event.response)).toBe(true);
    }
    // An explicit undefined is an absent field.
    const undefinedFacts = {
      ...answered,
      issueIndex: undefined,
      timing: undefined,
      response: { ...answered.response, redirectedTo: undefined },
    } as unknown as ExchangeEvent;
    const plain = normaliseEvent(undefinedFacts, { copyBytes: true }) as ExchangeEvent;
    expect(Object.keys(plain)).toEqual(['type', 'request', 'response']);
    expect(Object.keys(plain.response ?? {})).toEqual(['status', 'statusText', 'headers', 'body']);
    expect(record(undefinedFacts)).toEqual(record(answered));
  });

  it('writes the bytes the spec gives for all three fields', () => {
    const event = withFacts(answered, {
      issueIndex: 258,
      timing: { headersMs: 1.5, endMs: 2 },
      redirectedTo: 'http://x/',
    });
    const tail = record(event).subarray(record(answered).length);
    expect(tail.toString('hex')).toBe(
      [
        '01',
        '00000102', // issueIndex 258
        '02',
        '3ff8000000000000',
        '4000000000000000', // headersMs 1.5, endMs 2
        '03',
        '00000009',
        Buffer.from('http://x/').toString('hex'), // redirectedTo
      ].join(''),
    );
  });
});

describe('refusals', () => {
  const bad: [label: string, event: unknown, path: string][] = [
    ['a negative issueIndex', { ...answered, issueIndex: -1 }, 'event.issueIndex'],
    ['a fractional issueIndex', { ...failed, issueIndex: 1.5 }, 'event.issueIndex'],
    ['an issueIndex above 2^32-1', { ...answered, issueIndex: 2 ** 32 }, 'event.issueIndex'],
    ['an unsafe issueIndex', { ...answered, issueIndex: 2 ** 53 }, 'event.issueIndex'],
    ['a NaN issueIndex', { ...answered, issueIndex: Number.NaN }, 'event.issueIndex'],
    ['an infinite issueIndex', { ...answered, issueIndex: Infinity }, 'event.issueIndex'],
    ['a string issueIndex', { ...answered, issueIndex: '1' }, 'event.issueIndex'],
    ['a null issueIndex', { ...answered, issueIndex: null }, 'event.issueIndex'],
    ['a null timing', { ...answered, timing: null }, 'event.timing'],
    ['a number as timing', { ...failed, timing: 5 }, 'event.timing'],
    ['a missing endMs', { ...answered, timing: { headersMs: 1 } }, 'event.timing.endMs'],
    [
      'a negative headersMs',
      { ...answered, timing: { headersMs: -1, endMs: 1 } },
      'event.timing.headersMs',
    ],
    [
      'a NaN headersMs',
      { ...failed, timing: { headersMs: Number.NaN, endMs: 1 } },
      'event.timing.headersMs',
    ],
    [
      'an infinite endMs',
      { ...answered, timing: { headersMs: 1, endMs: Infinity } },
      'event.timing.endMs',
    ],
    ['a string endMs', { ...answered, timing: { headersMs: 1, endMs: '2' } }, 'event.timing.endMs'],
    [
      'a number as redirectedTo',
      { ...answered, response: { ...answered.response, redirectedTo: 42 } },
      'event.response.redirectedTo',
    ],
    [
      'a null redirectedTo',
      { ...answered, response: { ...answered.response, redirectedTo: null } },
      'event.response.redirectedTo',
    ],
    [
      'a redirectedTo with a lone surrogate',
      { ...answered, response: { ...answered.response, redirectedTo: 'http://x/\ud800' } },
      'event.response.redirectedTo',
    ],
  ];

  it.each(bad)(
    'refuses %s with TAPE_INVALID_EVENT naming the field, encoding or not',
    (_l, event, path) => {
      for (const attempt of [
        () => normaliseEvent(event as TapeEvent, { copyBytes: true }),
        () => encodeEvent(event as TapeEvent, { copyBytes: false }),
        () => fingerprintEvents([event as TapeEvent]),
      ]) {
        let thrown: unknown;
        try {
          attempt();
        } catch (error) {
          thrown = error;
        }
        expect(TapeError.isInstance(thrown)).toBe(true);
        expect((thrown as TapeError).code).toBe('TAPE_INVALID_EVENT');
        expect((thrown as TapeError).details.path).toBe(path);
        expect((thrown as TapeError).message.startsWith(`${path} `)).toBe(true);
      }
    },
  );

  it('accepts the bounds: issueIndex 0 and 2^32-1, timing 0 and the largest finite number', () => {
    for (const event of [
      { ...answered, issueIndex: 0 },
      { ...answered, issueIndex: 2 ** 32 - 1 },
      { ...failed, timing: { headersMs: 0, endMs: Number.MAX_VALUE } },
      // The body may end "before" the head: a reader must not rely on an order, so none is refused.
      { ...answered, timing: { headersMs: 5, endMs: 1 } },
    ] as ExchangeEvent[]) {
      const encoded = encodeEvent(event, { copyBytes: true });
      expect(decode(encoded.record, event)).toEqual(encoded.event);
    }
  });
});

describe('decoding a malformed trailer', () => {
  const withResponse = record(answered);
  const withError = record(failed);
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const f64 = (n: number) => {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(n);
    return b;
  };
  const timing = (a: number, b: number) => Buffer.concat([Buffer.of(0x02), f64(a), f64(b)]);
  const issue = (n: number) => Buffer.concat([Buffer.of(0x01), u32(n)]);
  const redirect = Buffer.concat([Buffer.of(0x03), u32(1), Buffer.from('x')]);

  const cases: [label: string, record: Buffer, reason: RegExp][] = [
    [
      'an unknown tag',
      Buffer.concat([withResponse, Buffer.of(0x04)]),
      /unknown exchange trailer field 4/,
    ],
    [
      'a zero tag',
      Buffer.concat([withResponse, Buffer.of(0x00)]),
      /field 0 is repeated or out of order/,
    ],
    ['a repeated field', Buffer.concat([withResponse, issue(1), issue(1)]), /field 1 is repeated/],
    ['fields out of order', Buffer.concat([withResponse, timing(1, 1), issue(1)]), /out of order/],
    ['a redirect after an error', Buffer.concat([withError, redirect]), /redirect after an error/],
    ['an issueIndex cut short', Buffer.concat([withResponse, Buffer.of(0x01, 0, 0)]), /ends early/],
    ['a timing cut short', Buffer.concat([withError, Buffer.of(0x02), f64(1)]), /ends early/],
    [
      'a redirect cut short',
      Buffer.concat([withResponse, Buffer.of(0x03), u32(9), Buffer.from('x')]),
      /ends early/,
    ],
    [
      'a NaN timing',
      Buffer.concat([withResponse, timing(Number.NaN, 1)]),
      /not a number of milliseconds/,
    ],
    [
      'a negative timing',
      Buffer.concat([withError, timing(1, -1)]),
      /not a number of milliseconds/,
    ],
    ['a -0 timing', Buffer.concat([withResponse, timing(-0, 1)]), /not a number of milliseconds/],
    [
      'an infinite timing',
      Buffer.concat([withResponse, timing(Infinity, 1)]),
      /not a number of milliseconds/,
    ],
  ];

  it.each(cases)('refuses %s as an undecodable record', (_label, bytes, reason) => {
    let thrown: unknown;
    try {
      decode(bytes, answered); // holds every blob either record refers to
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UndecodableRecord);
    expect((thrown as Error).message).toMatch(reason);
  });

  it('reads each well-formed trailer the encoder writes, and a record of the old shape as before', () => {
    const back = decode(Buffer.concat([withResponse, issue(7), timing(1, 2), redirect]), answered);
    expect(back).toEqual({
      ...answered,
      issueIndex: 7,
      timing: { headersMs: 1, endMs: 2 },
      response: { ...answered.response, redirectedTo: 'x' },
    });
    expect(decode(withError, failed)).toEqual(failed);
    expect(Object.keys(decode(withError, failed))).toEqual(['type', 'request', 'error']);
  });

  it('a digest reader (blob references) steps over the trailer', () => {
    const event = withFacts(answered, { issueIndex: 3, redirectedTo: 'http://x/' });
    expect(blobDigestsOf(record(event))).toEqual([
      createHash('sha256').update(text('hi')).digest(),
    ]);
  });
});
