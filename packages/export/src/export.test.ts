import { readFile } from 'node:fs/promises';
import { fakeCredential } from '@trace/test-utils';
import { describe, expect, it } from 'vitest';
import { GOLDEN_OPTIONS, goldenDrafts } from './__tests__/golden-input.js';
import { validateEnvelope, validateStrict } from './__tests__/test-support.js';
import { ACTION_TRACE_VERSION, ERROR_MESSAGE_MAX_LENGTH } from './contract.js';
import type { ActionTraceDraft } from './draft.js';
import { ExportError } from './errors.js';
import { createTraceExporter, exportActionTrace, exportActionTraces } from './export.js';
import { readActionTraceEnvelope } from './read.js';

const minimal: ActionTraceDraft = {
  runId: 'run-1',
  kind: 'tool_call',
  name: 'search',
  invokedAt: '2026-01-01T00:00:00Z',
  status: 'succeeded',
};

describe('exportActionTraces', () => {
  it('wraps traces in a versioned envelope and adds only what the input supports', () => {
    const envelope = exportActionTrace(minimal);
    expect(envelope).toEqual({
      schema: 'trace.action-trace',
      version: ACTION_TRACE_VERSION,
      traces: [
        {
          id: expect.stringMatching(/^act_[0-9a-f]{32}$/),
          runId: 'run-1',
          kind: 'tool_call',
          name: 'search',
          principal: { kind: 'agent', id: 'agent' },
          invokedAt: '2026-01-01T00:00:00.000Z',
          status: 'succeeded',
          sensitivity: 'none',
          evidence: {},
        },
      ],
    });
    expect(validateEnvelope(envelope)).toBe(true);
    expect(exportActionTrace(minimal).traces[0]!.id).toBe(envelope.traces[0]!.id);
    expect(exportActionTraces([], { exportedAt: 0 })).toEqual({
      schema: 'trace.action-trace',
      version: 1,
      exportedAt: '1970-01-01T00:00:00.000Z',
      traces: [],
    });
  });

  it('summarises results and keeps the raw value only when allowed', () => {
    const draft = { ...minimal, result: { rows: [1, 2, 3], token: 'abc' } };
    const hidden = exportActionTrace(draft).traces[0]!;
    expect(hidden.result).toEqual({ summary: { type: 'object', bytes: 30, items: 2 } });
    const shown = exportActionTrace(draft, { allowRawResults: true }).traces[0]!;
    expect(shown.result?.value).toEqual({ rows: [1, 2, 3], token: '[REDACTED:token]' });
    expect(
      exportActionTrace(draft, { allowRawResults: ['other'] }).traces[0]!.result,
    ).not.toHaveProperty('value');
  });

  it('cuts error messages after redaction, to the documented length', () => {
    const secret = fakeCredential('anthropic_key').text;
    const message = `${'y'.repeat(ERROR_MESSAGE_MAX_LENGTH - 20)} ${secret}`;
    const trace = exportActionTrace({ ...minimal, status: 'failed', error: new TypeError(message) })
      .traces[0]!;
    expect(trace.error!.type).toBe('TypeError');
    expect(trace.error!.message).toHaveLength(ERROR_MESSAGE_MAX_LENGTH);
    expect(trace.error!.message.endsWith('…')).toBe(true);
    expect(trace.error!.truncated).toBe(true);
    expect(trace.error!.message).not.toContain(secret.slice(0, 12));
    const short = exportActionTrace({ ...minimal, status: 'failed', error: 'boom' }).traces[0]!;
    expect(short.error).toEqual({ type: 'Error', message: 'boom' });
  });

  it('applies the sensitivity tag: pii turns on PII detectors, secrets and memory strip payloads', () => {
    const args = { to: 'ana@example.org', body: 'hi' };
    const plain = exportActionTrace({ ...minimal, arguments: args }).traces[0]!;
    expect(plain.arguments).toEqual(args);
    const pii = exportActionTrace(
      { ...minimal, arguments: args },
      { capabilities: { search: { sensitivity: 'pii' } } },
    ).traces[0]!;
    expect(pii.sensitivity).toBe('pii');
    expect(pii.arguments).toEqual({ to: '[REDACTED:email]', body: 'hi' });
    const secrets = exportActionTrace(
      { ...minimal, sensitivity: 'secrets', arguments: args, result: 'x' },
      { allowRawResults: true },
    ).traces[0]!;
    expect(secrets.arguments).toBe('[REDACTED:secrets]');
    expect(secrets.result).toEqual({ summary: { type: 'string', bytes: 1, items: 1 } });
    const memory = exportActionTrace({
      ...minimal,
      name: 'memory',
      arguments: args,
      annotations: ['note'],
    }).traces[0]!;
    expect(memory.sensitivity).toBe('memory');
    expect(memory.arguments).toBe('[REDACTED:memory]');
    expect(memory.annotations).toEqual(['[REDACTED:memory]']);
  });

  it('attaches corrections at export time, by action id, over the draft’s own', () => {
    const draft = { ...minimal, id: 'act_1', correction: { by: 'bot', note: 'old', at: 0 } };
    const trace = exportActionTrace(draft, {
      corrections: new Map([
        ['act_1', { by: 'ana', note: 'wrong tool', at: '2026-03-01T00:00:00Z' }],
      ]),
    }).traces[0]!;
    expect(trace.correction).toEqual({
      by: 'ana',
      note: 'wrong tool',
      at: '2026-03-01T00:00:00.000Z',
    });
    expect(exportActionTrace(draft).traces[0]!.correction).toEqual({
      by: 'bot',
      note: 'old',
      at: '1970-01-01T00:00:00.000Z',
    });
  });

  it('flattens and redacts metadata', () => {
    // `auth` itself names a credential (issue #19), so the nested token sits under `login` here.
    const trace = exportActionTrace({
      ...minimal,
      metadata: { a: { b: [1, { c: true }] }, login: { token: 'x' }, auth: { user: 'u' }, n: null },
    }).traces[0]!;
    expect(trace.metadata).toEqual({
      'a.b.0': 1,
      'a.b.1.c': true,
      'login.token': '[REDACTED:token]',
      auth: '[REDACTED:authorization]',
    });
  });

  it('refuses bad drafts with EXPORT_INVALID_TRACE naming the field', () => {
    const cases: [Partial<Record<keyof ActionTraceDraft, unknown>>, string][] = [
      [{ runId: '' }, 'runId'],
      [{ kind: 'walk' }, 'kind'],
      [{ invokedAt: 'yesterday' }, 'invokedAt'],
      [{ status: 'denied' }, 'status'],
      [{ error: 'x' }, 'error'],
      [{ durationMs: Number.NaN }, 'durationMs'],
      [{ sensitivity: 'top-secret' }, 'sensitivity'],
      [{ principal: { kind: 'robot', id: 'x' } }, 'principal'],
      [
        { evidence: { tape: { fingerprint: 'zz', exchangeIndex: 0 } } },
        'evidence.tape.fingerprint',
      ],
      [{ evidence: { audit: { seq: 1.5 } } }, 'evidence.audit.seq'],
      [{ model: { provider: 'acme', streamed: false } }, 'model.provider'],
      [{ correction: { by: '', note: '', at: 0 } }, 'correction.by'],
      // Parts that are null or out of range: typed errors, not a TypeError or a schema break.
      [{ evidence: { tape: null } }, 'evidence.tape'],
      [{ evidence: { audit: null } }, 'evidence.audit'],
      [{ result: 1, resultFlags: null }, 'resultFlags'],
      [{ result: 1, resultFlags: { toolCalls: -1 } }, 'resultFlags.toolCalls'],
      [{ result: 1, resultFlags: { contentBlocks: '2' } }, 'resultFlags.contentBlocks'],
    ];
    for (const [patch, field] of cases) {
      try {
        exportActionTraces([minimal, { ...minimal, ...patch } as ActionTraceDraft]);
        expect.unreachable(field);
      } catch (error) {
        expect(ExportError.isInstance(error), field).toBe(true);
        expect((error as ExportError).code).toBe('EXPORT_INVALID_TRACE');
        expect((error as ExportError).details).toEqual({ index: 1, field });
      }
    }
    expect(() => createTraceExporter({ allowRawResults: 'yes' as never })).toThrowError(
      expect.objectContaining({ code: 'EXPORT_INVALID_OPTIONS' }),
    );
  });
});

describe('times and numbers the schema and a JSON round trip can hold', () => {
  it('refuses times outside years 0000–9999 instead of writing an expanded year the schema rejects', () => {
    const last = exportActionTrace({ ...minimal, invokedAt: '9999-12-31T23:59:59.999Z' });
    expect(validateEnvelope(JSON.parse(JSON.stringify(last)))).toBe(true);
    // Microseconds passed as milliseconds land in year ~55,000.
    for (const invokedAt of [
      253_402_300_800_000,
      1_700_000_000_000_000,
      '+020000-01-01T00:00:00Z',
    ]) {
      expect(() => exportActionTrace({ ...minimal, invokedAt })).toThrowError(
        expect.objectContaining({
          code: 'EXPORT_INVALID_TRACE',
          details: { index: 0, field: 'invokedAt' },
        }),
      );
    }
    expect(() =>
      exportActionTrace({ ...minimal, correction: { by: 'a', note: '', at: 8.64e15 } }),
    ).toThrowError(
      expect.objectContaining({
        code: 'EXPORT_INVALID_TRACE',
        details: { index: 0, field: 'correction.at' },
      }),
    );
    expect(() => exportActionTraces([], { exportedAt: -8.64e15 })).toThrowError(
      expect.objectContaining({ code: 'EXPORT_INVALID_OPTIONS' }),
    );
  });

  it('writes no -0, so the export survives a JSON round trip unchanged', () => {
    const envelope = exportActionTrace({
      ...minimal,
      kind: 'model_call',
      iteration: -0,
      evidence: {
        tape: { fingerprint: 'ab', exchangeIndex: -0, toolCallIndex: -0 },
        audit: { seq: -0 },
      },
      model: {
        provider: 'openai',
        inputTokens: -0,
        outputTokens: -0,
        maxTokens: -0,
        streamed: false,
      },
      result: [],
      resultFlags: { contentBlocks: -0, toolCalls: -0 },
    });
    expect(JSON.parse(JSON.stringify(envelope))).toEqual(envelope);
  });
});

describe('contract version 1: golden fixture and schema', () => {
  it('exports the golden input exactly as the frozen fixture (a breaking change fails here)', async () => {
    const fixture = JSON.parse(
      await readFile(new URL('./__tests__/golden-v1.json', import.meta.url), 'utf8'),
    );
    const envelope = exportActionTraces(goldenDrafts(), GOLDEN_OPTIONS);
    expect(JSON.parse(JSON.stringify(envelope))).toEqual(fixture);
    expect(validateEnvelope(fixture), JSON.stringify(validateEnvelope.errors)).toBe(true);
    expect(validateStrict(fixture), JSON.stringify(validateStrict.errors)).toBe(true);
    expect(readActionTraceEnvelope(JSON.stringify(fixture)).traces).toHaveLength(5);
  });

  it('the schema rejects envelopes that break the contract', () => {
    const good = exportActionTrace({ ...minimal, status: 'failed', error: 'x' });
    expect(validateEnvelope(good)).toBe(true);
    const broken = [
      { ...good, version: 2 },
      { ...good, traces: [{ ...good.traces[0]!, status: 'denied' }] },
      { ...good, traces: [{ ...good.traces[0]!, error: undefined }] },
      { ...good, traces: [{ ...good.traces[0]!, invokedAt: 'Jan 1' }] },
      { ...good, traces: [{ ...good.traces[0]!, error: { type: 'x', message: 'm'.repeat(513) } }] },
    ];
    for (const envelope of broken)
      expect(validateEnvelope(JSON.parse(JSON.stringify(envelope)))).toBe(false);
  });

  it('readActionTraceEnvelope refuses newer versions and non-exports', () => {
    expect(() =>
      readActionTraceEnvelope({ schema: 'trace.action-trace', version: 2, traces: [] }),
    ).toThrowError(expect.objectContaining({ code: 'EXPORT_VERSION_UNSUPPORTED' }));
    expect(() => readActionTraceEnvelope({ schema: 'other', version: 1, traces: [] })).toThrowError(
      expect.objectContaining({ code: 'EXPORT_NOT_AN_EXPORT' }),
    );
    expect(() => readActionTraceEnvelope('{')).toThrowError(
      expect.objectContaining({ code: 'EXPORT_NOT_AN_EXPORT' }),
    );
  });
});
