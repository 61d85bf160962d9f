import { fakeCredentialArb, findLeak } from '@trace/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { embed, validateEnvelope, validateStrict } from './__tests__/test-support.js';
import { tracesFromAudit } from './builders/audit.js';
import { tracesFromTape } from './builders/tape.js';
import type { ActionKind, Sensitivity } from './contract.js';
import type { ActionTraceDraft } from './draft.js';
import { ExportError } from './errors.js';
import { type ExportOptions, exportActionTraces } from './export.js';
import { exportJsonl } from './jsonl.js';
import { mergeTraces } from './merge.js';
import { toOtlp } from './otlp/convert.js';
import { encodeTraceRequest } from './otlp/protobuf.js';
import { createRedactor, type RedactionOptions } from './redact/redactor.js';

/** A fresh fake credential of every format `@trace/redact` detects. */
const secretArb = fakeCredentialArb();

/** Text that may carry the secret: alone, embedded in other text, or not at all. */
const textWith = (s: string) => fc.oneof(fc.string({ maxLength: 16 }), embed(s), fc.constant(s));
const nonEmptyWith = (s: string) => textWith(s).map((t) => (t.length === 0 ? 'x' : t));
const keyWith = (s: string) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.string({ maxLength: 10 }) },
    { weight: 1, arbitrary: embed(s) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('token', 'api_key', 'Authorization', 'password', 'note'),
    },
  );

function jsonWith(s: string): fc.Arbitrary<unknown> {
  return fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      textWith(s),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(keyWith(s), tie('value'), { maxKeys: 4 }),
    ),
  })).value;
}

const KINDS: ActionKind[] = ['model_call', 'tool_call', 'script_call', 'phase'];
const SENSITIVITIES: Sensitivity[] = ['none', 'pii', 'pci', 'secrets', 'memory'];

function draftWith(s: string): fc.Arbitrary<ActionTraceDraft> {
  return fc
    .record(
      {
        runId: nonEmptyWith(s),
        kind: fc.constantFrom(...KINDS),
        name: nonEmptyWith(s),
        principalId: nonEmptyWith(s),
        invokedAt: fc.integer({ min: 0, max: 4_000_000_000_000 }),
        durationMs: fc.double({ min: 0, max: 1e7, noNaN: true }),
        failed: fc.boolean(),
        errorType: textWith(s),
        errorMessage: fc.oneof(
          textWith(s),
          fc.string({ minLength: 500, maxLength: 700 }).map((t) => `${t} ${s}`),
        ),
        arguments: jsonWith(s),
        result: jsonWith(s),
        metadata: fc.dictionary(keyWith(s), jsonWith(s), { maxKeys: 4 }),
        annotations: fc.array(jsonWith(s), { maxLength: 3 }),
        correction: fc.record({
          by: nonEmptyWith(s),
          note: textWith(s),
          at: fc.integer({ min: 0, max: 4_000_000_000_000 }),
        }),
        callId: nonEmptyWith(s),
        parentId: nonEmptyWith(s),
        iteration: fc.nat(100),
        sensitivity: fc.constantFrom(...SENSITIVITIES),
        model: fc.record({
          requestModel: textWith(s),
          finishReasons: fc.array(textWith(s), { maxLength: 2 }),
          inputTokens: fc.nat(),
        }),
        evidence: fc.record({ seq: fc.nat(), session: textWith(s) }),
      },
      { requiredKeys: ['runId', 'kind', 'name', 'invokedAt', 'failed'] },
    )
    .map((r) => {
      const draft: Record<string, unknown> = {
        runId: r.runId,
        kind: r.kind,
        name: r.name,
        invokedAt: r.invokedAt,
        status: r.failed ? 'failed' : 'succeeded',
      };
      if (r.principalId !== undefined) draft.principal = { kind: 'user', id: r.principalId };
      if (r.durationMs !== undefined) draft.durationMs = r.durationMs;
      if (r.failed && (r.errorType !== undefined || r.errorMessage !== undefined))
        draft.error = { type: r.errorType ?? 'E', message: r.errorMessage ?? '' };
      for (const key of [
        'arguments',
        'result',
        'metadata',
        'annotations',
        'correction',
        'callId',
        'parentId',
        'iteration',
        'sensitivity',
      ] as const) {
        if (r[key] !== undefined) draft[key] = r[key];
      }
      if (r.model !== undefined && r.kind === 'model_call')
        draft.model = { provider: 'openai', streamed: false, ...r.model };
      if (r.evidence !== undefined) draft.evidence = { audit: r.evidence };
      return draft as unknown as ActionTraceDraft;
    });
}

const redactionArb: fc.Arbitrary<RedactionOptions> = fc.record(
  {
    pii: fc.boolean(),
    cards: fc.boolean(),
    hashKey: fc.constant('property-test-key-0123456789'),
    paths: fc.constant(['arguments.**.ssn']),
  },
  { requiredKeys: [] },
);

const caseArb = secretArb.chain((generated) =>
  fc.record({
    generated: fc.constant(generated),
    drafts: fc.array(draftWith(generated.text), { minLength: 1, maxLength: 4 }),
    redaction: redactionArb,
    allowRaw: fc.boolean(),
  }),
);

describe('properties', () => {
  it('every export is JSON, survives a JSON round trip unchanged, and validates against the schema', () => {
    fc.assert(
      fc.property(caseArb, ({ drafts, redaction, allowRaw }) => {
        const envelope = exportActionTraces(drafts, { redaction, allowRawResults: allowRaw });
        const copy = JSON.parse(JSON.stringify(envelope));
        expect(copy).toEqual(envelope);
        expect(validateEnvelope(copy), JSON.stringify(validateEnvelope.errors)).toBe(true);
        expect(validateStrict(copy), JSON.stringify(validateStrict.errors)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('no secret generated into any input field appears in the JSON, JSONL or OTLP output', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ generated, drafts, redaction, allowRaw }) => {
        const options: ExportOptions = { redaction, allowRawResults: allowRaw, corrections: {} };
        const envelope = exportActionTraces(drafts, options);
        const json = JSON.stringify(envelope);
        expect(findLeak(json, generated), json).toBeUndefined();
        const request = toOtlp(envelope, {
          includeContent: true,
          openInference: true,
          agentName: generated.text,
          resourceAttributes: { note: generated.text },
        });
        const otlp = JSON.stringify(request);
        expect(findLeak(otlp, generated), otlp).toBeUndefined();
        // The protobuf body on the wire: its strings are UTF-8 bytes among the binary fields.
        const wire = Buffer.from(encodeTraceRequest(request)).toString('utf8');
        expect(findLeak(wire, generated)).toBeUndefined();
        let jsonl = '';
        for await (const line of exportJsonl(drafts, options)) jsonl += line;
        expect(findLeak(jsonl, generated)).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  it('export adds no field that its input does not support', () => {
    const optional = [
      'durationMs',
      'arguments',
      'result',
      'model',
      'callId',
      'parentId',
      'iteration',
      'annotations',
      'metadata',
      'correction',
    ] as const;
    fc.assert(
      fc.property(caseArb, ({ drafts, redaction, allowRaw }) => {
        const envelope = exportActionTraces(drafts, { redaction, allowRawResults: allowRaw });
        expect(Object.keys(envelope).sort()).toEqual(['schema', 'traces', 'version']);
        envelope.traces.forEach((trace, i) => {
          const draft = drafts[i]!;
          for (const key of optional) expect(key in trace, key).toBe(draft[key] !== undefined);
          expect('error' in trace).toBe(draft.status === 'failed');
          const stripped = trace.sensitivity === 'secrets' || trace.sensitivity === 'memory';
          if (trace.result !== undefined)
            expect('value' in trace.result).toBe(allowRaw && !stripped);
          expect(Object.keys(trace.evidence)).toEqual(
            draft.evidence === undefined ? [] : Object.keys(draft.evidence),
          );
        });
      }),
      { numRuns: 150 },
    );
  });

  it('redaction is idempotent, for values and strings, with and without keyed hashes', () => {
    fc.assert(
      fc.property(
        secretArb.chain((g) =>
          fc.tuple(fc.constant(g), jsonWith(g.text), textWith(g.text), redactionArb, fc.boolean()),
        ),
        ([, value, text, options, pii]) => {
          const redactor = createRedactor(options);
          const scope = { pii, pci: !pii };
          const once = redactor.redactValue(value, ['arguments'], scope);
          expect(redactor.redactValue(once, ['arguments'], scope)).toEqual(once);
          const onceText = redactor.redactString(text, scope);
          expect(redactor.redactString(onceText, scope)).toBe(onceText);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('an exported trace exported again is unchanged, every field of it (redaction is idempotent end to end)', () => {
    fc.assert(
      fc.property(caseArb, fc.boolean(), ({ drafts, redaction, allowRaw }, flags) => {
        const options: ExportOptions = { redaction, allowRawResults: allowRaw };
        const first = exportActionTraces(
          drafts.map((draft) =>
            // Result flags as a model call's builder sets them: kept through a re-export.
            flags
              ? { ...draft, resultFlags: { contentBlocks: 2, toolCalls: 1, streamed: true } }
              : draft,
          ),
          options,
        );
        // Through JSON, as a consumer holds it.
        const read = JSON.parse(JSON.stringify(first)) as typeof first;
        const again = exportActionTraces(read.traces as unknown as ActionTraceDraft[], options);
        expect(again).toEqual(first);
      }),
      { numRuns: 150 },
    );
  });
});

describe('properties of the builders', () => {
  it('no secret in a tape body or an audit entry reaches the export, JSONL or OTLP output', async () => {
    const enc = new TextEncoder();
    const json = (v: unknown) => enc.encode(JSON.stringify(v));
    const arb = secretArb.chain((g) =>
      fc.record({
        generated: fc.constant(g),
        prompt: textWith(g.text),
        toolInput: jsonWith(g.text),
        toolResult: textWith(g.text),
        providerError: textWith(g.text),
        auditError: textWith(g.text),
        stream: fc.boolean(),
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        arb,
        async ({ generated, prompt, toolInput, toolResult, providerError, auditError, stream }) => {
          const url = 'https://api.anthropic.com/v1/messages';
          const message = {
            id: 'msg',
            model: 'm',
            content: [
              { type: 'text', text: prompt },
              { type: 'tool_use', id: 'toolu_1', name: 'run', input: toolInput },
            ],
            stop_reason: 'tool_use',
            usage: { input_tokens: 1, output_tokens: 1 },
          };
          const sseBody = [
            {
              type: 'message_start',
              message: { id: 'msg', model: 'm', usage: { input_tokens: 1 } },
            },
            {
              type: 'content_block_start',
              index: 0,
              content_block: { type: 'tool_use', id: 'toolu_1', name: 'run', input: {} },
            },
            {
              type: 'content_block_delta',
              index: 0,
              delta: { type: 'input_json_delta', partial_json: JSON.stringify(toolInput ?? null) },
            },
            {
              type: 'message_delta',
              delta: { stop_reason: 'tool_use' },
              usage: { output_tokens: 2 },
            },
          ]
            .map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`)
            .join('');
          const tape = {
            fingerprint: 'cd'.repeat(32),
            metadata: { createdAt: '2026-01-01T00:00:00Z' },
            events: [
              {
                type: 'exchange' as const,
                request: {
                  method: 'POST',
                  url,
                  headers: [['x-api-key', generated.text] as [string, string]],
                  body: json({ model: 'm', messages: [{ role: 'user', content: prompt }] }),
                },
                response: {
                  status: 200,
                  statusText: 'OK',
                  headers: [],
                  body: stream
                    ? {
                        kind: 'stream' as const,
                        chunks: [{ offsetMs: 3, bytes: enc.encode(sseBody) }],
                        end: { kind: 'complete' as const },
                      }
                    : { kind: 'bytes' as const, bytes: json(message) },
                },
              },
              { type: 'annotation' as const, data: { note: prompt } },
              {
                type: 'exchange' as const,
                request: {
                  method: 'POST',
                  url,
                  headers: [],
                  body: json({
                    model: 'm',
                    messages: [
                      {
                        role: 'user',
                        content: [
                          {
                            type: 'tool_result',
                            tool_use_id: 'toolu_1',
                            content: toolResult,
                            is_error: true,
                          },
                        ],
                      },
                    ],
                  }),
                },
                response: {
                  status: 400,
                  statusText: 'Bad Request',
                  headers: [],
                  body: {
                    kind: 'bytes' as const,
                    bytes: json({
                      type: 'error',
                      error: { type: 'invalid_request_error', message: providerError },
                    }),
                  },
                },
              },
            ],
          };
          const audit = [
            {
              v: 1,
              seq: 1,
              ts: '2026-01-01T00:00:01Z',
              type: 'tool_call',
              session: 's',
              payload: {
                tool: 'run',
                status: 'failed',
                durationMs: 3,
                fromScript: false,
                error: auditError,
              },
              prev: '0'.repeat(64),
              hash: 'a'.repeat(64),
            },
          ];
          const fromTape = tracesFromTape(tape);
          const drafts = [...fromTape, ...tracesFromAudit(audit)];
          // Merged with the audit log (as one run), the same holds.
          const merged = mergeTraces(
            fromTape,
            tracesFromAudit(audit, { runId: fromTape[0]?.runId ?? 'run' }),
          );
          const mergedText = JSON.stringify(
            toOtlp(exportActionTraces(merged, { allowRawResults: true }), {
              includeContent: true,
              openInference: true,
            }),
          );
          expect(findLeak(mergedText, generated), mergedText).toBeUndefined();
          const options = { allowRawResults: true };
          const envelope = exportActionTraces(drafts, options);
          expect(validateEnvelope(JSON.parse(JSON.stringify(envelope)))).toBe(true);
          const text =
            JSON.stringify(envelope) + JSON.stringify(toOtlp(envelope, { includeContent: true }));
          expect(findLeak(text, generated), text).toBeUndefined();
          let jsonl = '';
          for await (const line of exportJsonl(drafts, options)) jsonl += line;
          expect(findLeak(jsonl, generated)).toBeUndefined();
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('properties of bad input', () => {
  const typedOrFine = (fn: () => unknown): void => {
    try {
      fn();
    } catch (error) {
      expect(ExportError.isInstance(error), String(error)).toBe(true);
    }
  };

  it('any value as drafts, tape events or audit entries yields a result or an ExportError', () => {
    const event = fc.oneof(
      fc.anything(),
      fc.record({
        type: fc.constantFrom('exchange', 'draw', 'annotation'),
        request: fc.anything(),
        response: fc.anything(),
        kind: fc.anything(),
        value: fc.anything(),
        data: fc.anything(),
      }),
      fc.record({
        type: fc.constant('exchange'),
        request: fc.record({
          url: fc.constantFrom(
            'https://api.anthropic.com/v1/messages',
            'https://x/v1/chat/completions',
          ),
          body: fc.oneof(fc.anything(), fc.uint8Array()),
        }),
        response: fc.oneof(
          fc.anything(),
          fc.record({ status: fc.anything(), body: fc.anything() }),
        ),
      }),
    );
    fc.assert(
      fc.property(
        fc.anything(),
        fc.array(event, { maxLength: 5 }),
        fc.array(fc.anything(), { maxLength: 5 }),
        (drafts, events, entries) => {
          typedOrFine(() => exportActionTraces(drafts as never));
          typedOrFine(() => exportActionTraces([drafts] as never));
          typedOrFine(() =>
            tracesFromTape({ fingerprint: 'ab', events: events as never }, { startedAt: 0 }),
          );
          typedOrFine(() => tracesFromAudit(entries as never));
          typedOrFine(() => toOtlp(drafts as never));
        },
      ),
      { numRuns: 200 },
    );
  });
});
