import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { trace } from './__tests__/trace.js';

describe('trace diff', () => {
  it('a tape against itself: identical, exit 0', () => {
    const { fixtureStore } = inject('fixtures');
    const run = trace(['diff', fixtureStore, `${fixtureStore}#fixture`]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('identical: same fingerprint');
  });

  it('two runs of the example agent: where they part, the JSON paths that differ, exit 1', () => {
    const { demo1, demo2 } = inject('fixtures');
    const a = join(demo1, 'run.tape.db');
    const b = join(demo2, 'run.tape.db');
    const run = trace(['diff', a, b]);
    expect(run.status).toBe(1);
    // The runs draw different ids at their first step.
    expect(run.stdout).toMatch(/they part at step 0 · \d+ of 89 steps differ/);
    expect(run.stdout).toMatch(
      /step 0: draw uuid\.v4 "[0-9a-f-]+" {2}→ {2}draw uuid\.v4 "[0-9a-f-]+"\n {2}value:\n {4}a: "[0-9a-f-]+"\n {4}b: "[0-9a-f-]+"/,
    );
    // The first request carries the id in its system prompt: the difference is shown in context.
    expect(run.stdout).toMatch(/ {2}request\.body\.system:\n {4}a: "…?[^"]*Run [0-9a-f-]+/);
    const json = JSON.parse(trace(['diff', a, b, '--json']).stdout);
    expect(json.same).toBe(false);
    expect(json.partAt).toBe(0);
    const exchange = json.steps.find((s: { a: string }) => s.a.startsWith('POST'));
    expect(exchange.differences.map((d: { path: string }) => d.path)).toContain(
      '$.request.body.system',
    );
  });
});
