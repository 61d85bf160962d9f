import { describe, expect, it } from 'vitest';
import { recordTrip } from './__tests__/trip.js';
import { blame, jsonPathEquals, perturbations } from './index.js';

describe('blame on the example agent', () => {
  it("finds the two draws the first day's plan hangs on: the city chosen and the weather tool's answer", async () => {
    const { path, agent, trip } = await recordTrip();
    const result = await blame(
      {
        path,
        run: 'trip',
        // The outcome: the first day's plan, word for word.
        oracle: jsonPathEquals('days[0].plan', trip.days[0]!.plan),
        // Model calls, the random choices and the tool results (not the clock readings).
        perturb: (step) =>
          step.kind === 'exchange'
            ? perturbations.resample
            : step.drawKind === 'random.int' || step.source?.startsWith('tool:')
              ? perturbations.redraw
              : undefined,
        trials: 20,
        tail: (trial) => ({ hybrid: true, draws: { seed: trial.seed } }),
        hybridDraws: true,
      },
      agent,
    );
    const labels = result.steps.map((s) => s.label);
    const city = labels.indexOf('draw random.int');
    const weather = labels.indexOf(`draw tool:get_weather:${trip.days[0]!.city}`);
    expect(city).toBeGreaterThanOrEqual(0);
    expect(weather).toBeGreaterThan(city);
    expect([...result.responsible].sort()).toEqual([city, weather].sort());
    // The second day's draws come after the first day's plan: they cannot change it.
    const later = result.steps.filter(
      (s) => s.seq > result.steps[weather]!.seq && s.kind === 'draw',
    );
    expect(later.length).toBeGreaterThan(0);
    expect(later.every((s) => s.flips === 0)).toBe(true);
  });
});
