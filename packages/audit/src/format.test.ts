import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dayFiles, tempDir } from './__tests__/helpers.js';
import { canonicalJson } from './canonical.js';
import type {
  DecisionEvent,
  PhaseInput,
  SamplingEvent,
  ToolCallEvent,
  VerdictEvent,
} from './index.js';
import { openAuditLog } from './index.js';

const iso = fc
  .integer({ min: Date.parse('2020-01-01'), max: Date.parse('2030-01-01') })
  .map((ms) => new Date(ms).toISOString());
const text = fc.string({ maxLength: 300 });
const index = fc.nat({ max: 1000 });

const phaseArb: fc.Arbitrary<['phase', PhaseInput]> = fc
  .record(
    {
      iteration: index,
      phase: fc.constantFrom('propose', 'execute', 'observe', 'evaluate', 'decide'),
      status: fc.constantFrom('succeeded', 'failed'),
      startedAt: iso,
      endedAt: iso,
      error: fc.option(text, { nil: undefined }),
    },
    { requiredKeys: ['iteration', 'phase', 'status', 'startedAt', 'endedAt'] },
  )
  .map((p) => ['phase', p as PhaseInput]);
const verdictArb: fc.Arbitrary<['verdict', VerdictEvent]> = fc
  .record(
    {
      iteration: index,
      verdict: fc.string({ minLength: 1, maxLength: 10 }),
      reason: text,
      rationale: text,
    },
    { requiredKeys: ['iteration', 'verdict', 'reason'] },
  )
  .map((v) => ['verdict', v]);
const samplingArb: fc.Arbitrary<['sampling', SamplingEvent]> = fc
  .record(
    {
      purpose: fc.string({ minLength: 1, maxLength: 10 }),
      status: fc.constantFrom('used', 'rejected', 'fell_back', 'unavailable', 'disabled'),
      backend: fc.string({ minLength: 1, maxLength: 10 }),
      modelId: text,
      outputBytes: index,
      validationError: text,
      inputTokens: index,
      outputTokens: index,
      iteration: index,
      context: text,
    },
    { requiredKeys: ['purpose', 'status', 'backend'] },
  )
  .map((s) => ['sampling', s]);
const toolArb: fc.Arbitrary<['tool_call', ToolCallEvent]> = fc
  .record(
    {
      tool: fc.string({ minLength: 1, maxLength: 10 }),
      status: fc.constantFrom('ok', 'failed', 'skipped_not_allowed'),
      durationMs: fc.double({ min: 0, max: 1e6, noNaN: true }),
      fromScript: fc.boolean(),
      error: text,
      iteration: index,
    },
    { requiredKeys: ['tool', 'status', 'durationMs', 'fromScript'] },
  )
  .map((t) => ['tool_call', t]);
const decisionArb: fc.Arbitrary<['decision', DecisionEvent]> = fc
  .record({
    action: fc.string({ minLength: 1, maxLength: 10 }),
    approved: fc.boolean(),
    votes: fc.array(
      fc.record({
        voter: fc.string({ minLength: 1, maxLength: 5 }),
        passed: fc.boolean(),
        reason: text,
      }),
      { maxLength: 3 },
    ),
    subject: fc.jsonValue({ maxDepth: 2 }),
    reason: text,
  })
  .map((d) => ['decision', d as DecisionEvent]);
const customArb = fc.tuple(
  fc.constant('custom.event'),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
);

const ENTRY_FIELDS = ['hash', 'payload', 'prev', 'seq', 'ts', 'type', 'v'];
const PAYLOAD_FIELDS: Record<string, { required: string[]; optional: string[] }> = {
  phase: {
    required: ['iteration', 'phase', 'status', 'startedAt', 'endedAt'],
    optional: ['error'],
  },
  verdict: { required: ['iteration', 'verdict', 'reason'], optional: ['rationale'] },
  sampling: {
    required: ['purpose', 'status', 'backend'],
    optional: [
      'modelId',
      'outputBytes',
      'validationError',
      'inputTokens',
      'outputTokens',
      'iteration',
      'context',
    ],
  },
  tool_call: {
    required: ['tool', 'status', 'durationMs', 'fromScript'],
    optional: ['error', 'iteration'],
  },
  decision: { required: ['action', 'approved', 'votes', 'subject', 'reason'], optional: [] },
};
const CUT_FIELDS = ['error', 'validationError'];

describe('the stored format', () => {
  it('property: every emitted line is canonical JSON carrying exactly the documented fields', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            fc.oneof(phaseArb, verdictArb, samplingArb, toolArb, decisionArb, customArb),
            fc.option(fc.string({ minLength: 1, maxLength: 12 }), { nil: undefined }),
          ),
          { minLength: 1, maxLength: 15 },
        ),
        fc.boolean(),
        async (events, keyed) => {
          const dir = await tempDir('trace-audit-format-');
          const key = keyed ? 'format-key-'.padEnd(32, 'f') : undefined;
          const log = await openAuditLog(dir, {
            durability: 'none',
            redact: false,
            ...(key ? { key } : {}),
          });
          for (const [[type, payload], session] of events) {
            await log.append(type, payload as never, session === undefined ? {} : { session });
          }
          await log.close();
          const lines = [...(await dayFiles(dir)).values()].flat();
          expect(lines).toHaveLength(events.length);
          let prev = '0'.repeat(64);
          lines.forEach((line, i) => {
            const entry = JSON.parse(line);
            const session = events[i]![1];
            expect(Object.keys(entry).sort()).toEqual(
              session === undefined ? ENTRY_FIELDS : [...ENTRY_FIELDS, 'session'].sort(),
            );
            expect(entry).toMatchObject({ v: 1, seq: i + 1, prev, type: events[i]![0][0] });
            expect(entry.ts).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
            expect(line).toBe(canonicalJson(entry));
            // The documented hash: SHA-256 / HMAC-SHA-256 of the canonical entry without `hash`.
            const { hash, ...body } = entry;
            const h = key ? createHmac('sha256', key) : createHash('sha256');
            expect(hash).toBe(h.update(canonicalJson(body)).digest('hex'));
            prev = hash;
            const spec = PAYLOAD_FIELDS[entry.type];
            if (spec) {
              for (const field of spec.required) expect(entry.payload).toHaveProperty(field);
              for (const field of Object.keys(entry.payload))
                expect([...spec.required, ...spec.optional]).toContain(field);
              for (const field of CUT_FIELDS)
                if (typeof entry.payload[field] === 'string')
                  expect(entry.payload[field].length).toBeLessThanOrEqual(200);
              if ('iteration' in entry.payload)
                expect(Number.isInteger(entry.payload.iteration)).toBe(true);
            }
          });
        },
      ),
      { numRuns: 60 },
    );
  }, 60_000);
});
