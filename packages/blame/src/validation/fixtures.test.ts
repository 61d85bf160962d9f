import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forkRun } from '@trace/fork';
import { runAgent } from '@trace/run';
import { openSqliteStore, type SqliteTapeStore } from '@trace/store-sqlite';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSteps } from '../steps.js';
import { FAULT_CLASSES, type FaultClass, plantableStages, plantedKind, sitesOf } from './faults.js';
import { startFixture } from './fixture.js';
import { modelTurn, poison } from './fixture-model.js';
import { refundReview, type Scenario, scenarios, vendorScreen } from './scenarios.js';

let dir: string;
let store: SqliteTapeStore;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'blame-fixtures-'));
  store = openSqliteStore(join(dir, 'runs.tape.db'));
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the fixture agents', () => {
  for (const scenario of scenarios) {
    it(`${scenario.name}: records at least six steps of every kind, and replays offline`, async () => {
      const fixture = await startFixture({ scenario, slip: 0, falseAlarm: 0 });
      const id = `${scenario.name}-healthy`;
      const recorded = await fixture.record(store, id, 'record-seed');
      const asked = fixture.requests();
      await fixture.close();
      expect(fixture.oracle(recorded)).toBe(true);
      expect(recorded).toMatchObject({ decision: 'approve', touched: [scenario.subject] });

      const tape = await store.load(id);
      const { steps } = runSteps(tape.events);
      const exchanges = steps.filter((s) => s.kind === 'exchange');
      const kinds = steps.filter((s) => s.kind === 'draw').map((s) => s.drawKind);
      expect(steps.length).toBeGreaterThanOrEqual(6);
      expect(exchanges).toHaveLength(scenario.stages.length + 1);
      expect(asked).toBe(scenario.stages.length + 1);
      expect(kinds).toEqual([
        'clock.wall',
        'uuid.v4',
        ...scenario.stages.map((s) => `source:tool:${s.tool}`),
        'random.int',
      ]);
      // Some model calls were streamed, some were not.
      const streamed = tape.events.filter(
        (e) => e.type === 'exchange' && e.response?.body?.kind === 'stream',
      );
      expect(streamed.length).toBeGreaterThan(0);
      expect(streamed.length).toBeLessThan(exchanges.length);

      // The model server is closed: the replay is served from the tape alone, proven by hash.
      const replayed = await runAgent({ store, id, mode: 'replay' }, fixture.agent);
      expect(replayed.value).toEqual(recorded);
      expect(replayed.report.exchanges.matched).toBe(exchanges.length);
    });
  }

  /** A planting of `faultClass` at a middle stage (1 or 2) and at the last stage. */
  const placements = (faultClass: FaultClass) => {
    const all = scenarios.flatMap((scenario) =>
      plantableStages(scenario, faultClass).map((stage) => ({ scenario, stage })),
    );
    const last = (s: Scenario) => s.stages.length - 1;
    return [
      all.find((p) => p.stage > 0 && p.stage < last(p.scenario))!,
      all.find((p) => p.stage === last(p.scenario))!,
    ];
  };

  for (const faultClass of FAULT_CLASSES) {
    for (const [where, placement] of placements(faultClass).entries()) {
      const { scenario, stage } = placement;
      it(`${faultClass} at stage ${stage} (${where === 0 ? 'middle' : 'late'}, ${scenario.name}) fails the run, and perturbing the planted step makes it succeed`, async () => {
        const fixture = await startFixture({
          scenario,
          fault: { faultClass, stage },
          slip: 0,
          falseAlarm: 0,
        });
        try {
          const id = `${scenario.name}-${faultClass}-${stage}`;
          const recorded = await fixture.record(store, id, 'record-seed');
          expect(fixture.oracle(recorded)).toBe(false);

          const tape = await store.load(id);
          const { steps } = runSteps(tape.events);
          const planted = fixture.plantedStep(steps)!;
          const info = steps.find((s) => JSON.stringify(s.step) === JSON.stringify(planted))!;
          expect(info.kind).toBe(plantedKind(faultClass));
          const intervene = fixture.perturb(info)!.intervene(info, 0)!;
          const fork = await forkRun(
            { store, parent: id, at: planted, intervene, tail: fixture.tail({ seed: 'trial' }) },
            fixture.agent,
          );
          expect(fixture.oracle(fork.value)).toBe(true);
          expect(fork.value.decision).toBe('approve');
        } finally {
          await fixture.close();
        }
      });
    }
  }
});

describe('the fixture model', () => {
  const request = (scenario: Scenario) => ({
    model: 'm',
    system: 'You review.',
    messages: [
      {
        role: 'user',
        content: `Case 1\nRequest: r\nSubject: ${scenario.subject}\nOwner: ${scenario.owner}\nAmount: ${scenario.amount} EUR`,
      },
    ],
    tools: [{ name: scenario.stages[0]!.tool }],
  });

  it('decides by content: another seed changes the wording, never the call or the concerns', () => {
    for (const scenario of [refundReview, vendorScreen]) {
      const turns = ['a', 'b', 'c', 'd', 'e', 'f'].map((seed) =>
        modelTurn(request(scenario), seed, { faults: {}, slip: 0, falseAlarm: 0 }),
      );
      expect(new Set(turns.map((t) => t.text)).size).toBeGreaterThan(1);
      for (const turn of turns) {
        expect(turn.toolUse?.input).toEqual({ id: scenario.subject });
        expect(turn.text).not.toContain('CONCERN');
      }
    }
  });

  it('poisons the id only at its faulty stage', () => {
    const turn = modelTurn(request(refundReview), 's', {
      faults: { poisonAt: 0 },
      slip: 0,
      falseAlarm: 0,
    });
    expect(turn.toolUse?.input).toEqual({ id: poison(refundReview.subject) });
    expect(poison('O-1042')).toBe('O-1024');
    const later = modelTurn(request(refundReview), 's', {
      faults: { poisonAt: 1 },
      slip: 0,
      falseAlarm: 0,
    });
    expect(later.toolUse?.input).toEqual({ id: refundReview.subject });
  });

  it('decides the same under every seed when it is not noisy (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...scenarios), fc.string(), fc.string(), (scenario, a, b) => {
        const quiet = { faults: {}, slip: 0, falseAlarm: 0 };
        const one = modelTurn(request(scenario), a, quiet);
        const other = modelTurn(request(scenario), b, quiet);
        expect(one.toolUse?.name).toBe(other.toolUse?.name);
        expect(one.toolUse?.input).toEqual(other.toolUse?.input);
        const concerns = (t: typeof one) =>
          t.text.split('\n').filter((l) => l.startsWith('CONCERN'));
        expect(concerns(one)).toEqual(concerns(other));
      }),
    );
  });

  it('poisoning swaps the last two characters and undoes itself (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 2 }), (id) => {
        expect(poison(poison(id))).toBe(id);
        expect(poison(id).slice(0, -2)).toBe(id.slice(0, -2));
      }),
    );
  });
});

describe('planted faults', () => {
  it("a tool-side fault changes only the planted tool's answer about the subject; the others live elsewhere (property)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...scenarios),
        fc.constantFrom(...FAULT_CLASSES),
        fc.nat(),
        fc.constantFrom('O-1024', 'V-3381', 'X-1'),
        (scenario, faultClass, pick, otherId) => {
          const stages = plantableStages(scenario, faultClass);
          const stage = stages[pick % stages.length]!;
          const sites = sitesOf(scenario, { faultClass, stage });
          const healthy = sitesOf(scenario, undefined);
          for (const [index, { tool }] of scenario.stages.entries()) {
            const own = sites.tools(tool, { id: scenario.subject });
            const changed = plantedKind(faultClass) === 'draw' && index === stage;
            if (changed) expect(own).not.toEqual(healthy.tools(tool, { id: scenario.subject }));
            else expect(own).toEqual(healthy.tools(tool, { id: scenario.subject }));
            expect(sites.tools(tool, { id: otherId })).toEqual(
              healthy.tools(tool, { id: otherId }),
            );
          }
          // Exactly one site holds the fault, at the planted stage.
          const held = [sites.agent.wrongPromptAt, sites.agent.dropAt, sites.model.poisonAt].filter(
            (at) => at !== undefined,
          );
          expect(held).toEqual(plantedKind(faultClass) === 'draw' ? [] : [stage]);
        },
      ),
    );
  });
});
