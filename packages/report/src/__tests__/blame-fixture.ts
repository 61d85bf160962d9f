/**
 * A blame result of @trace/blame's contract shape (notes: BlameResult, version 1) for a recorded
 * run, built by hand from the run's own steps so the page can be tested before the engine exists:
 * the second exchange responsible, one draw untrustworthy, the rest inconclusive.
 */
import type { TapeStore } from '@trace/tape';
import type { ReportBlame, ReportBlameStep } from '../index.js';

export async function blameFixture(
  store: TapeStore,
  run: string,
): Promise<ReportBlame & Record<string, unknown>> {
  const tape = await store.load(run);
  const steps: ReportBlameStep[] = [];
  let exchanges = 0;
  let draws = 0;
  tape.events.forEach((event, seq) => {
    if (event.type === 'exchange' && exchanges < 3) {
      const n = exchanges++;
      const flips = [2, 17, 5][n]!;
      steps.push({
        step: { exchange: n },
        seq,
        kind: 'exchange',
        label: `POST /v1/messages (exchange ${n})`,
        perturbation: 'resample',
        trials: 20,
        valid: 20,
        flips,
        undefined: 0,
        flipRate: flips / 20,
        interval: { low: Math.max(0, flips / 20 - 0.18), high: Math.min(1, flips / 20 + 0.15) },
        pValue: n === 1 ? 0.0001 : 0.6,
        responsible: n === 1,
        trustworthy: true,
      });
    } else if (event.type === 'draw' && draws === 0) {
      draws++;
      steps.push({
        step: { draw: 0 },
        seq,
        kind: 'draw',
        label: `draw ${event.kind}`,
        perturbation: 'redraw',
        trials: 20,
        valid: 6,
        flips: 3,
        undefined: 14,
        flipRate: 0.5,
        interval: { low: 0.19, high: 0.81 },
        pValue: 0.25,
        responsible: false,
        trustworthy: false,
      });
    }
  });
  steps.sort((a, b) => a.seq - b.seq);
  const ranking = steps
    .map((s, i) => ({ s, i }))
    .sort((a, b) => b.s.flipRate - a.s.flipRate || b.s.interval.low - a.s.interval.low)
    .map(({ i }) => i);
  return {
    version: 1,
    run,
    runFingerprint: tape.fingerprint,
    oracle: 'plan names the city',
    parentOutcome: true,
    method: 'wilson',
    confidence: 0.95,
    nullRate: 0.3,
    q: 0.1,
    steps,
    responsible: ranking.filter((i) => steps[i]!.responsible),
    ranking,
    spend: { calls: 80, tokens: 12_400 },
    estimate: { calls: 80, tokens: 12_000 },
    partial: false,
    branches: [],
    createdAt: '2026-12-01T00:00:00.000Z',
  };
}
