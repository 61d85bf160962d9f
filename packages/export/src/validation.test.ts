import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GOLDEN_OPTIONS, goldenDrafts } from './__tests__/golden-input.js';
import { compileFullStrict, validateEnvelope } from './__tests__/test-support.js';
import type { ActionTrace } from './contract.js';
import type { ActionTraceDraft } from './draft.js';
import { ExportError } from './errors.js';
import { createTraceExporter, exportActionTraces } from './export.js';
import { readJsonl } from './jsonl.js';
import { toOtlp } from './otlp/convert.js';
import { readActionTraceEnvelope } from './read.js';

const minimal: ActionTraceDraft = {
  runId: 'r',
  kind: 'tool_call',
  name: 'search',
  invokedAt: '2026-01-01T00:00:00Z',
  status: 'succeeded',
};

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (error) {
    expect(ExportError.isInstance(error), String(error)).toBe(true);
    return (error as ExportError).code;
  }
};

describe('times', () => {
  it('refuses a time without an offset and a date that does not exist, with a typed error', () => {
    for (const invokedAt of [
      '2026-01-01T00:00:00',
      '2026-01-01 00:00:00',
      '2026-02-30T00:00:00Z',
      '2025-02-29T12:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01T23:59:60Z',
      '2026-01-01T00:00:00+25:00',
      'Jan 1 2026',
    ]) {
      expect(() => exportActionTraces([{ ...minimal, invokedAt }]), invokedAt).toThrowError(
        expect.objectContaining({
          code: 'EXPORT_INVALID_TRACE',
          details: { index: 0, field: 'invokedAt' },
        }),
      );
    }
    expect(() => exportActionTraces([minimal], { exportedAt: '2026-01-01T00:00:00' })).toThrowError(
      expect.objectContaining({ code: 'EXPORT_INVALID_OPTIONS' }),
    );
  });

  it('reads a time with an offset the same on every machine', () => {
    const [trace] = exportActionTraces([
      { ...minimal, invokedAt: '2026-01-01T00:30:00+02:00' },
    ]).traces;
    expect(trace!.invokedAt).toBe('2025-12-31T22:30:00.000Z');
    expect(
      exportActionTraces([{ ...minimal, invokedAt: '2024-02-29T12:00:00.5Z' }]).traces[0]!
        .invokedAt,
    ).toBe('2024-02-29T12:00:00.500Z');
  });

  it('the schema refuses those times too', () => {
    const good = exportActionTraces([minimal]);
    for (const invokedAt of [
      '2026-01-01T00:00:00',
      '2026-02-30T00:00:00.000Z',
      '2026-13-01T00:00:00Z',
    ]) {
      const bad = { ...good, traces: [{ ...good.traces[0]!, invokedAt }] };
      expect(validateEnvelope(bad), invokedAt).toBe(false);
      expect(() => readActionTraceEnvelope(bad), invokedAt).toThrowError(
        expect.objectContaining({
          code: 'EXPORT_NOT_AN_EXPORT',
          details: { index: 0, field: 'invokedAt' },
        }),
      );
    }
  });

  it('a duration that puts the end past year 9999 is a typed error, in export and in OTLP', () => {
    expect(codeOf(() => exportActionTraces([{ ...minimal, durationMs: 1e300 }]))).toBe(
      'EXPORT_INVALID_TRACE',
    );
    // A hand-made trace with such a duration: a typed error, not a RangeError from Date.
    const trace = { ...exportActionTraces([minimal]).traces[0]!, durationMs: 1e300 };
    expect(codeOf(() => toOtlp([trace]))).toBe('EXPORT_OTLP_TIME_RANGE');
  });
});

describe('every error is an ExportError', () => {
  it('for drafts whose getters, toJSON or Proxy traps throw, and null-prototype objects', () => {
    const boom = () => {
      throw new RangeError('user code failed');
    };
    const getter = Object.defineProperty({ ...minimal }, 'arguments', {
      get: boom,
      enumerable: true,
    });
    const nestedGetter = {
      ...minimal,
      arguments: Object.defineProperty({}, 'x', { get: boom, enumerable: true }),
    };
    const toJson = { ...minimal, result: { toJSON: boom } };
    const proxy = new Proxy({ ...minimal }, { get: boom });
    const proxyArgs = { ...minimal, arguments: new Proxy({}, { ownKeys: boom }) };
    const nullProto = Object.assign(Object.create(null) as object, minimal, {
      arguments: Object.assign(Object.create(null) as object, { q: 1 }),
      metadata: Object.assign(Object.create(null) as object, { a: { b: 1 } }),
      error: Object.create(null),
      status: 'failed',
    }) as ActionTraceDraft;
    for (const [name, draft] of Object.entries({
      getter,
      nestedGetter,
      toJson,
      proxy,
      proxyArgs,
    })) {
      const options = { allowRawResults: true, redaction: { keys: ['q'] } };
      expect(
        codeOf(() => exportActionTraces([draft as ActionTraceDraft], options)),
        name,
      ).toBe('EXPORT_INVALID_TRACE');
    }
    // A null-prototype object is plain data: it exports.
    expect(exportActionTraces([nullProto]).traces[0]).toMatchObject({
      arguments: { q: 1 },
      metadata: { 'a.b': 1 },
    });
    function* failing(): Generator<ActionTraceDraft> {
      yield minimal;
      throw new TypeError('source broke');
    }
    expect(codeOf(() => exportActionTraces(failing()))).toBe('EXPORT_INVALID_TRACE');
    expect(
      codeOf(() => toOtlp([new Proxy(exportActionTraces([minimal]).traces[0]!, { get: boom })])),
    ).toBe('EXPORT_NOT_AN_EXPORT');
    expect(codeOf(() => readActionTraceEnvelope(new Proxy({}, { get: boom })))).toBe(
      'EXPORT_NOT_AN_EXPORT',
    );
  });

  it('any value anywhere in a draft gives a trace or an ExportError (property)', () => {
    const exporter = createTraceExporter();
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom(
            ...Object.keys({
              ...minimal,
              durationMs: 0,
              error: 0,
              arguments: 0,
              metadata: 0,
              model: 0,
              decision: 0,
              sampling: 0,
              evidence: 0,
              principal: 0,
              correction: 0,
            }),
          ),
          fc.anything({
            withNullPrototype: true,
            withBigInt: true,
            withDate: true,
            withMap: true,
            withSet: true,
            withTypedArray: true,
          }),
        ),
        (overrides) => {
          try {
            exporter.trace({ ...minimal, ...overrides } as ActionTraceDraft);
          } catch (error) {
            expect(ExportError.isInstance(error), String(error)).toBe(true);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('readActionTraceEnvelope checks every trace', () => {
  const good = () => exportActionTraces(goldenDrafts(), GOLDEN_OPTIONS);
  const mutations: [string, (t: Record<string, unknown>) => void][] = [
    [
      'id',
      (t) => {
        t.id = '';
      },
    ],
    [
      'runId',
      (t) => {
        delete t.runId;
      },
    ],
    [
      'kind',
      (t) => {
        t.kind = 'denied';
      },
    ],
    [
      'name',
      (t) => {
        t.name = 7;
      },
    ],
    [
      'principal',
      (t) => {
        t.principal = { kind: 'robot', id: 'x' };
      },
    ],
    [
      'principal.id',
      (t) => {
        t.principal = { kind: 'user', id: '' };
      },
    ],
    [
      'invokedAt',
      (t) => {
        t.invokedAt = '2026-01-01T00:00:00';
      },
    ],
    [
      'durationMs',
      (t) => {
        t.durationMs = -1;
      },
    ],
    [
      'status',
      (t) => {
        t.status = 'denied';
      },
    ],
    [
      'error',
      (t) => {
        t.status = 'failed';
        delete t.error;
      },
    ],
    [
      'error.message',
      (t) => {
        t.status = 'failed';
        t.error = { type: 'x', message: 'm'.repeat(513) };
      },
    ],
    [
      'result',
      (t) => {
        t.result = { value: 1 };
      },
    ],
    [
      'result.summary.type',
      (t) => {
        t.result = { summary: { type: 'thing', bytes: 1 } };
      },
    ],
    [
      'result.summary.bytes',
      (t) => {
        t.result = { summary: { type: 'null', bytes: -1 } };
      },
    ],
    [
      'result.summary.streamed',
      (t) => {
        t.result = { summary: { type: 'null', bytes: 0, streamed: false } };
      },
    ],
    [
      'sensitivity',
      (t) => {
        t.sensitivity = 'high';
      },
    ],
    [
      'evidence',
      (t) => {
        delete t.evidence;
      },
    ],
    [
      'evidence.tape.fingerprint',
      (t) => {
        t.evidence = { tape: { fingerprint: 'XYZ', exchangeIndex: 0 } };
      },
    ],
    [
      'evidence.audit.seq',
      (t) => {
        t.evidence = { audit: { seq: 1.5 } };
      },
    ],
    [
      'model.provider',
      (t) => {
        t.model = { provider: 'acme', streamed: false };
      },
    ],
    [
      'model.streamed',
      (t) => {
        t.model = { provider: 'openai' };
      },
    ],
    [
      'model.serverPort',
      (t) => {
        t.model = { provider: 'openai', streamed: false, serverPort: 0 };
      },
    ],
    [
      'iteration',
      (t) => {
        t.iteration = -1;
      },
    ],
    [
      'annotations',
      (t) => {
        t.annotations = {};
      },
    ],
    [
      'metadata',
      (t) => {
        t.metadata = { a: { b: 1 } };
      },
    ],
    [
      'correction.at',
      (t) => {
        t.correction = { by: 'a', note: 'b', at: '2026-02-30T00:00:00Z' };
      },
    ],
    [
      'decision.reason',
      (t) => {
        t.decision = { approved: true };
      },
    ],
    [
      'sampling.status',
      (t) => {
        t.sampling = { purpose: 'p', status: '', backend: 'b' };
      },
    ],
    [
      'callId',
      (t) => {
        t.callId = '';
      },
    ],
  ];

  it('each broken trace is refused by the schema and by the reader, naming the field', () => {
    for (const [field, mutate] of mutations) {
      const envelope = JSON.parse(JSON.stringify(good())) as { traces: Record<string, unknown>[] };
      mutate(envelope.traces[1]!);
      expect(validateEnvelope(envelope), field).toBe(false);
      expect(() => readActionTraceEnvelope(envelope), field).toThrowError(
        expect.objectContaining({
          code: 'EXPORT_NOT_AN_EXPORT',
          details: expect.objectContaining({ index: 1 }),
        }),
      );
      let thrown: ExportError | undefined;
      try {
        readActionTraceEnvelope(envelope);
      } catch (error) {
        thrown = error as ExportError;
      }
      expect(String(thrown?.details?.field), field).toContain(field.split('.')[0]);
    }
  });

  it('a JSONL line that is not a trace is refused', async () => {
    const header = '{"schema":"trace.action-trace","version":1,"format":"jsonl"}\n';
    const trace = good().traces[0] as ActionTrace;
    const lines = [
      header,
      `${JSON.stringify(trace)}\n`,
      `${JSON.stringify({ ...trace, status: 'x' })}\n`,
    ];
    const read: ActionTrace[] = [];
    await expect(
      (async () => {
        for await (const t of readJsonl(lines)) read.push(t);
      })(),
    ).rejects.toMatchObject({
      code: 'EXPORT_NOT_AN_EXPORT',
      details: { index: 1, field: 'status' },
    });
    expect(read).toEqual([trace]);
  });
});

describe('the shipped schema', () => {
  it('compiles under Ajv’s full strict mode (strictTypes, strictTuples, strictRequired)', () => {
    const validate = compileFullStrict();
    expect(validate(exportActionTraces(goldenDrafts(), GOLDEN_OPTIONS))).toBe(true);
  });
});
