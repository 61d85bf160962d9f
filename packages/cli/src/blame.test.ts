/**
 * `trace blame` as a user runs it: the built binary in its own process, the example agent loaded
 * from its module, the scripted LLM server on 127.0.0.1 as the live model, a real SQLite store.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AGENT, useTripFixture } from './__tests__/trip.js';

interface Day {
  city: string;
  plan: string;
}

const trip = useTripFixture('blame');
const { trace } = trip;
const server = () => trip.server();
const dir = () => trip.dir();

async function recordTrip(): Promise<{ store: string; days: Day[] }> {
  const { store, value } = await trip.recordTrip();
  return { store, days: (value as { days: Day[] }).days };
}

describe('trace blame', () => {
  it("blames the weather tool's answer for the first day's plan, and stores the result beside the run", async () => {
    const { store, days } = await recordTrip();
    const args = ['blame', store, 'trip', '--agent', AGENT, '--steps', 'exchanges,tools'];
    const oracle = ['--expect', `days[0].plan=${JSON.stringify(days[0]?.plan)}`];
    const run = await trace([...args, ...oracle, '--trials', '6', '--json']);
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.parentOutcome).toBe(true);
    const labels = result.steps.map((step: { label: string }) => step.label);
    const weather = labels.indexOf(`draw tool:get_weather:${days[0]?.city}`);
    expect(weather).toBeGreaterThanOrEqual(0);
    expect(result.responsible).toEqual([weather]);
    const listed = await trace(['ls', store, '--json']);
    expect(JSON.parse(listed.stdout).map((tape: { id: string }) => tape.id)).toContain(
      'trip.blame',
    );

    // The text form: the ranking, the planted step first and marked, and where the result went.
    const text = await trace([...args, ...oracle, '--trials', '4']);
    expect(text.status, text.stderr).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^blame of trip · oracle: days\[0\]\.plan equals .* \(held on the run\)/,
    );
    expect(lines[1]).toMatch(/^RANK +STEP +WHAT +FLIPS +RATE +INTERVAL +P *$/);
    expect(lines[2]).toMatch(
      new RegExp(`^1 +draw \\d+ +draw tool:get_weather:${days[0]?.city} +4/4 +100% .*RESPONSIBLE`),
    );
    expect(text.stdout).toMatch(
      new RegExp(`\nresponsible: draw \\d+ \\(draw tool:get_weather:${days[0]?.city}\\)\n`),
    );
  });

  it('estimates without spending, and refuses a blame over its budget before any call', async () => {
    const { store } = await recordTrip();
    const before = server().requests.length;
    const base = ['blame', store, 'trip', '--agent', AGENT, '--expect', 'days[0].accepted=true'];
    const estimate = await trace([...base, '--estimate', '--json']);
    expect(estimate.status, estimate.stderr).toBe(0);
    expect(JSON.parse(estimate.stdout).calls).toBeGreaterThan(10);
    const refused = await trace([...base, '--max-calls', '10']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/BLAME_OVER_BUDGET/);
    expect(server().requests.length).toBe(before);
  });

  it('takes its oracle from a module, and refuses what it cannot use, saying why', async () => {
    const { store, days } = await recordTrip();
    const checks = join(dir(), 'checks.mjs');
    writeFileSync(
      checks,
      `export const firstDayIn = (trip) => trip.days[0].plan.includes(${JSON.stringify(days[0]?.city)});\n`,
    );
    const base = ['blame', store, 'trip', '--agent', AGENT];
    const ok = await trace([
      ...base,
      '--oracle',
      `${checks}#firstDayIn`,
      '--steps',
      'tools',
      '--trials',
      '3',
      '--json',
    ]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).oracle).toBe('firstDayIn');
    const cases: [string[], RegExp][] = [
      [[...base], /exactly one outcome oracle.*none was given/],
      [[...base, '--expect', 'a=1', '--expect-match', 'b=x'], /several were given/],
      [[...base, '--expect', 'days[0].accepted'], /takes <path>=<value>/],
      [[...base, '--expect', 'days[0].accepted={'], /not JSON after the "="/],
      [[...base, '--expect', 'a=1', '--steps', 'exchanges,clocks'], /"clocks" is none of them/],
      [[...base, '--oracle', `${checks}#nope`], /oracle module .* has no export nope/],
    ];
    for (const [args, message] of cases) {
      const run = await trace(args);
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
    }
  });
});
