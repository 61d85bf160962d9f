/**
 * The `run` fixture: each test that asks for it gets its own run on its own tape, opened before
 * the test and closed in the fixture's teardown — so a replay that diverged or left recordings
 * interrupted fails that test, with the divergence as its first error.
 */
import { relative } from 'node:path';
import { openRun, type Run, type RunMode } from '@trace/run';
import { inject, type RunnerTestCase, type TestContext, test as vitestTest } from 'vitest';
import { type ProvidedState, storePathOf, type TapeUse, TRACE_KEY } from './contract.js';
import { TraceVitestError } from './errors.js';
import { closeFailure, openFailure, type TapeOfTest } from './failure.js';
import { checkOptions, settleOptions, type TraceTestOptions } from './options.js';
import { tapeIdOf } from './tape-id.js';
import { namesOf, sameNamed } from './test-names.js';

/** What the fixtures add to a test's context. */
export interface TraceFixtures {
  /** The file's or suite's options: `test.scoped({ trace: { mode: 'replay' } })`. */
  trace: TraceTestOptions;
  /** The test's run: `fetch` for SDK clients, `source` for nondeterminism, `scope(fn)`, `annotate`. */
  run: Run;
}

type RunFixture = (
  context: TestContext & { trace: TraceTestOptions },
  use: (run: Run) => Promise<void>,
) => Promise<void>;

/** The fixture definitions, for `test.extend(traceFixtures(options))`. */
export interface TraceFixtureDefinitions {
  trace: TraceTestOptions;
  run: RunFixture;
}

/**
 * Fixtures for your own `test`: `const test = base.extend(traceFixtures({ folder: 'tapes' }))`.
 * `options` are the defaults; a file or a suite lays its own over them with
 * `test.scoped({ trace: { … } })`.
 */
export function traceFixtures(options: TraceTestOptions = {}): TraceFixtureDefinitions {
  const defaults = checkOptions(options, 'traceFixtures(options)');
  // vitest reads which fixtures a fixture uses from its parameter list: it must destructure.
  const run: RunFixture = async ({ task, trace, onTestFailed }, use) => {
    const state = inject(TRACE_KEY as never) as ProvidedState | undefined;
    if (state === undefined) {
      throw new TraceVitestError(
        'VITEST_PLUGIN_MISSING',
        "The `run` fixture needs @trace/vitest's plugin, which passes `vitest -u` on to the tests and reports obsolete tapes: add `plugins: [tracePlugin()]` to your vitest config (`import { tracePlugin } from '@trace/vitest/plugin'`).",
      );
    }
    const settled = settleOptions(defaults, trace);
    const test = task as RunnerTestCase;
    const names = namesOf(test);
    const twins = sameNamed(test, names);
    if (twins > 0) {
      throw new TraceVitestError(
        'VITEST_DUPLICATE_TEST',
        `${twins + 1} tests in ${relative(process.cwd(), test.file.filepath)} are named ${JSON.stringify(names.join(' > '))}, so they would share one tape: give each a distinct title.`,
        { details: { names } },
      );
    }
    const id = tapeIdOf(names);
    const store = storePathOf(test.file.filepath, settled.folder);
    const tape: TapeOfTest = { id, store: relative(process.cwd(), store) || store };
    // Sent back to the main process with the result: which tapes the run used, for the report
    // of obsolete ones.
    (test.meta as Record<string, unknown>)[TRACE_KEY] = { store, tape: id } satisfies TapeUse;

    const { folder: _folder, mode: requested, ...passed } = settled;
    let run: Run;
    try {
      run = await openRun({
        ...passed,
        path: store,
        id,
        mode: modeOf(requested, state),
        metadata: {
          user: { test: { file: relative(process.cwd(), test.file.filepath), names } },
        },
      });
    } catch (error) {
      throw openFailure(error, tape);
    }

    let failure: unknown;
    // Runs after the teardown below: the test's own error (an SDK's rendering of the divergence,
    // say) came first, so the divergence is moved to the front, where vitest's summary shows it.
    onTestFailed(() => {
      const errors = test.result?.errors;
      if (failure === undefined || errors === undefined) return;
      const at = errors.findIndex((e) => e.message === (failure as Error).message);
      if (at > 0) errors.unshift(...errors.splice(at, 1));
    });
    // `use` resolves when vitest tears the fixture down, once the test is over, however it ended.
    let interrupted: { error: unknown } | undefined;
    await use(run).catch((error: unknown) => {
      interrupted = { error };
    });
    try {
      await run.close();
    } catch (error) {
      failure = closeFailure(error, tape);
      // A failure here fails this test: vitest counts fixture teardown errors against it.
      throw failure;
    }
    if (interrupted !== undefined) throw interrupted.error;
  };
  return { trace: { ...defaults }, run };
}

/** `-u` re-records every tape a test takes; a test that records nothing stays so. */
function modeOf(requested: RunMode, state: ProvidedState): RunMode {
  return state.update && requested !== 'passthrough' ? 'record' : requested;
}

/**
 * `test` with a `run` for every test that asks for it: `test('plans', async ({ run }) => …)`.
 * Options per file or suite: `test.scoped({ trace: { folder, mode, match, redact } })`.
 */
export const test = vitestTest.extend<TraceFixtures>(traceFixtures());
