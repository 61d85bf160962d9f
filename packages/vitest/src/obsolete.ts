/**
 * Obsolete tapes: tapes in a store that no test of its file took in a run — the test was renamed,
 * removed, or no longer asks for a `run`. Tests that did not run (skipped, filtered out with `-t`
 * or `.only`, failed before their fixture) keep their tapes: only what ran is judged.
 */
import { existsSync, rmSync } from 'node:fs';
import { relative } from 'node:path';
import { openSqliteStore } from '@trace/store-sqlite';
import type { Reporter, TestCase, TestModule, TestRunEndReason, Vitest } from 'vitest/node';
import { type TapeUse, TRACE_KEY } from './contract.js';
import { tapeIdOf } from './tape-id.js';

export interface ObsoleteTapes {
  /** The store's absolute path. */
  readonly store: string;
  /** Tape ids no test took, in the store's order. */
  readonly tapes: readonly string[];
}

/** Which tapes each store holds that no test of the run took. */
export function findObsoleteTapes(modules: readonly TestModule[]): ObsoleteTapes[] {
  const kept = new Map<string, Set<string>>();
  for (const module of modules) {
    const stores = new Set<string>();
    const untaken: string[] = [];
    for (const test of module.children.allTests()) {
      const use = (test.meta() as Record<string, unknown>)[TRACE_KEY] as TapeUse | undefined;
      if (use !== undefined) {
        stores.add(use.store);
        keep(kept, use.store, use.tape);
      } else if (test.result().state !== 'passed') {
        // It may take a tape when it runs: whatever it would be named stays.
        untaken.push(tapeIdOf(namesOf(test)));
      }
    }
    for (const store of stores) for (const id of untaken) keep(kept, store, id);
  }
  const obsolete: ObsoleteTapes[] = [];
  for (const [store, ids] of kept) {
    if (!existsSync(store)) continue;
    const opened = openSqliteStore(store, { readonly: true });
    try {
      const tapes = opened
        .list()
        .map((summary) => summary.id)
        .filter((id) => !ids.has(id));
      if (tapes.length > 0) obsolete.push({ store, tapes });
    } finally {
      opened.close();
    }
  }
  return obsolete;
}

/** Deletes the obsolete tapes; a store left empty is deleted with its WAL files. */
export function removeObsoleteTapes(obsolete: readonly ObsoleteTapes[]): void {
  for (const { store, tapes } of obsolete) {
    const opened = openSqliteStore(store);
    let empty: boolean;
    try {
      for (const id of tapes) opened.delete(id);
      empty = opened.list().length === 0;
    } finally {
      opened.close();
    }
    if (empty)
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${store}${suffix}`, { force: true });
  }
}

/** The names a test's tape id is made of (see the fixture): describe chain, then title. */
function namesOf(test: TestCase): string[] {
  const names = [test.name];
  for (let parent = test.parent; parent.type === 'suite'; parent = parent.parent) {
    names.unshift(parent.name);
  }
  return names;
}

function keep(kept: Map<string, Set<string>>, store: string, id: string): void {
  const ids = kept.get(store) ?? new Set<string>();
  kept.set(store, ids);
  ids.add(id);
}

/** Reports obsolete tapes at the end of each run; with `-u`, removes them. */
export class ObsoleteTapesReporter implements Reporter {
  readonly #vitest: Vitest;

  constructor(vitest: Vitest) {
    this.#vitest = vitest;
  }

  onTestRunEnd(modules: readonly TestModule[], _errors: unknown, reason: TestRunEndReason): void {
    // An interrupted run did not run what it would have: nothing is judged obsolete.
    if (reason === 'interrupted') return;
    const obsolete = findObsoleteTapes(modules);
    if (obsolete.length === 0) return;
    const updating = this.#vitest.snapshot.options.updateSnapshot === 'all';
    if (updating) removeObsoleteTapes(obsolete);
    const count = obsolete.reduce((sum, { tapes }) => sum + tapes.length, 0);
    const lines = [
      updating
        ? ` @trace/vitest  removed ${count} obsolete tape${count > 1 ? 's' : ''}:`
        : ` @trace/vitest  ${count} obsolete tape${count > 1 ? 's' : ''} (no test took ${count > 1 ? 'them' : 'it'} in this run); run \`vitest -u\` to remove ${count > 1 ? 'them' : 'it'}:`,
    ];
    for (const { store, tapes } of obsolete) {
      const where = relative(this.#vitest.config.root, store);
      for (const id of tapes) lines.push(`   ${where} › ${id}`);
    }
    this.#vitest.logger.log(`${lines.join('\n')}\n`);
  }
}
