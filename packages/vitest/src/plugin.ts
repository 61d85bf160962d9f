/**
 * @trace/vitest/plugin: the part that runs in vitest's main process. It tells the tests whether
 * vitest runs with `-u` (also when `u` is pressed in watch mode), and reports — or, with `-u`,
 * removes — the tapes no test took any more, at the end of each run, like obsolete snapshots.
 */
import type { Vite, Vitest, VitestPluginContext } from 'vitest/node';
import { type ProvidedState, TRACE_KEY } from './contract.js';
import { ObsoleteTapesReporter } from './obsolete.js';

/** The vitest plugin: `plugins: [tracePlugin()]` in `vitest.config.ts`. */
export function tracePlugin(): Vite.Plugin {
  return {
    name: '@trace/vitest',
    configureVitest({ vitest }: VitestPluginContext) {
      // Once per vitest instance, however many projects carry the plugin.
      if (configured.has(vitest)) return;
      configured.add(vitest);
      provideState(vitest);
      // Watch mode: `u` turns updating on for one rerun (and off after it), before this fires.
      vitest.onTestsRerun(() => provideState(vitest));
      // Reporters are created from the config after this hook: this one joins whichever the
      // config or the command line chose.
      vitest.config.reporters.push(new ObsoleteTapesReporter(vitest));
    },
  };
}

const configured = new WeakSet<Vitest>();

/** The update flag the workers read with `inject`: vitest's own, as its snapshots use it. */
function provideState(vitest: Vitest): void {
  const state: ProvidedState = { update: isUpdating(vitest) };
  (vitest.provide as (key: string, value: ProvidedState) => void)(TRACE_KEY, state);
}

function isUpdating(vitest: Vitest): boolean {
  return vitest.snapshot.options.updateSnapshot === 'all';
}
