import type { PhaseName } from '@trace/spec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tempDir } from './__tests__/helpers.js';
import { type AuditEntry, openAuditLog, readEntries, reconstructIterations } from './index.js';

const T = '2026-04-01T00:00:00.000Z';
const phaseEvent = (iteration: number, phase: PhaseName, failed = false, session = 's') => ({
  type: 'phase',
  session,
  payload: {
    iteration,
    phase,
    status: failed ? 'failed' : 'succeeded',
    startedAt: T,
    endedAt: T,
    ...(failed ? { error: 'boom' } : {}),
  },
});
const verdictEvent = (iteration: number, verdict: string, rationale?: string, session = 's') => ({
  type: 'verdict',
  session,
  payload: {
    iteration,
    verdict,
    reason: `because ${verdict}`,
    ...(rationale ? { rationale } : {}),
  },
});

describe('reconstructIterations', () => {
  it('groups phases with their verdict', () => {
    const out = reconstructIterations('s', [
      phaseEvent(0, 'propose'),
      phaseEvent(0, 'decide'),
      verdictEvent(0, 'adjust', 'try smaller steps'),
    ]);
    expect(out).toEqual([
      {
        iteration: 0,
        phases: [
          { phase: 'propose', status: 'succeeded', startedAt: T, endedAt: T, error: null },
          { phase: 'decide', status: 'succeeded', startedAt: T, endedAt: T, error: null },
        ],
        verdict: 'adjust',
        reason: 'because adjust',
        rationale: 'try smaller steps',
      },
    ]);
  });

  it('flushes an iteration with a null verdict when the next one starts first', () => {
    const out = reconstructIterations('s', [
      phaseEvent(0, 'propose'),
      phaseEvent(1, 'propose', true),
      verdictEvent(1, 'stop'),
    ]);
    expect(out.map((i) => [i.iteration, i.phases.length, i.verdict])).toEqual([
      [0, 1, null],
      [1, 1, 'stop'],
    ]);
    expect(out[1]!.phases[0]!.error).toBe('boom');
  });

  it('takes a verdict-only iteration index from the verdict, and flushes an unclosed tail', () => {
    const out = reconstructIterations('s', [verdictEvent(4, 'continue'), phaseEvent(5, 'execute')]);
    expect(out).toEqual([
      {
        iteration: 4,
        phases: [],
        verdict: 'continue',
        reason: 'because continue',
        rationale: null,
      },
      {
        iteration: 5,
        phases: [expect.objectContaining({ phase: 'execute' })],
        verdict: null,
        reason: null,
        rationale: null,
      },
    ]);
  });

  it('ignores other sessions, other types, and malformed loop events (a boolean is not an index)', () => {
    const out = reconstructIterations('s', [
      phaseEvent(0, 'propose', false, 'other'),
      { type: 'sampling', session: 's', payload: { iteration: 0 } },
      {
        type: 'phase',
        session: 's',
        payload: { iteration: true, phase: 'propose', status: 'succeeded' },
      },
      { type: 'verdict', session: 's', payload: null },
    ]);
    expect(out).toEqual([]);
  });

  interface ModelIteration {
    iteration: number;
    phases: Array<{ phase: PhaseName; failed: boolean }>;
    verdict: { verdict: string; rationale: string | null } | null;
  }

  const phaseArb = fc.record({
    phase: fc.constantFrom<PhaseName>('propose', 'execute', 'observe', 'evaluate', 'decide'),
    failed: fc.boolean(),
  });
  const iterationArb = fc.record({
    iteration: fc.integer({ min: 0, max: 4 }),
    phases: fc.array(phaseArb, { maxLength: 5 }),
    verdict: fc.option(
      fc.record({
        verdict: fc.constantFrom('accept', 'adjust', 'stop'),
        rationale: fc.option(fc.string({ maxLength: 10 })),
      }),
      { nil: null },
    ),
  });
  // A valid history: an iteration with no verdict is never followed by one with the same index
  // (its phases would belong to it), and every iteration leaves at least one event.
  const historyArb = fc.array(iterationArb, { maxLength: 12 }).map((items) => {
    const out: ModelIteration[] = [];
    for (const item of items) {
      if (item.phases.length === 0 && item.verdict === null) continue;
      const prev = out[out.length - 1];
      if (prev && prev.verdict === null && prev.iteration === item.iteration) continue;
      out.push(item);
    }
    return out;
  });
  const noiseArb = fc.array(
    fc.tuple(fc.nat(), fc.constantFrom('other-session', 'tool', 'sampling')),
    { maxLength: 10 },
  );

  it('property: reconstruction from a real log equals the model history it was written from', async () => {
    await fc.assert(
      fc.asyncProperty(historyArb, noiseArb, async (history, noise) => {
        const dir = await tempDir('trace-audit-recon-');
        const log = await openAuditLog(dir, { durability: 'none' });
        const s = log.forSession('s');
        const writes: Array<() => Promise<unknown>> = [];
        for (const it of history) {
          for (const p of it.phases) {
            writes.push(() =>
              s.phase({
                iteration: it.iteration,
                phase: p.phase,
                status: p.failed ? 'failed' : 'succeeded',
                startedAt: T,
                endedAt: T,
                ...(p.failed ? { error: 'x'.repeat(300) } : {}),
              }),
            );
          }
          if (it.verdict) {
            const v = it.verdict;
            writes.push(() =>
              s.verdict({
                iteration: it.iteration,
                verdict: v.verdict,
                reason: 'r',
                ...(v.rationale !== null ? { rationale: v.rationale } : {}),
              }),
            );
          }
        }
        for (const [at, kind] of noise) {
          const noiseWrite =
            kind === 'other-session'
              ? () =>
                  log.phase(
                    {
                      iteration: 0,
                      phase: 'propose',
                      status: 'succeeded',
                      startedAt: T,
                      endedAt: T,
                    },
                    { session: 'other' },
                  )
              : kind === 'tool'
                ? () =>
                    s.toolCall({
                      tool: 'grep',
                      status: 'ok',
                      durationMs: 3,
                      fromScript: false,
                      iteration: 0,
                    })
                : () => s.sampling({ purpose: 'plan', status: 'used', backend: 'b', iteration: 1 });
          writes.splice(at % (writes.length + 1), 0, noiseWrite);
        }
        for (const write of writes) await write();
        await log.close();
        const entries: AuditEntry[] = [];
        for await (const entry of readEntries(dir)) entries.push(entry);
        const rebuilt = reconstructIterations('s', entries);
        expect(rebuilt).toEqual(
          history.map((it) => ({
            iteration: it.iteration,
            phases: it.phases.map((p) => ({
              phase: p.phase,
              status: p.failed ? 'failed' : 'succeeded',
              startedAt: T,
              endedAt: T,
              error: p.failed ? `${'x'.repeat(199)}…` : null,
            })),
            verdict: it.verdict?.verdict ?? null,
            reason: it.verdict ? 'r' : null,
            rationale: it.verdict?.rationale ?? null,
          })),
        );
      }),
      { numRuns: 60 },
    );
  }, 60_000);
});
