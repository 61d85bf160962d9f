/**
 * Builds the real stores every test reads (the binary under test is the package's build, made
 * before the tests run — `pnpm test` builds first; rebuilding here would race with a packer
 * reading dist/ in parallel): two runs of the example agent
 * (`examples/agent/src/demo.mjs --out`: a tape, an audit log, its public key; the branch and blame
 * result the demo also writes are removed) and a store holding the fixed fixture tape.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSqliteStore, saveTape } from '@trace/store-sqlite';
import type { TestProject } from 'vitest/node';
import { fixtureTape } from './fixture-tape.js';

const demo = fileURLToPath(new URL('../../../../examples/agent/src/demo.mjs', import.meta.url));

export interface Fixtures {
  readonly dir: string;
  /** The example agent's first run: `run.tape.db`, `audit/`, `audit-public-key.pem`. */
  readonly demo1: string;
  /** A second run of the same agent: other clock readings and ids. */
  readonly demo2: string;
  /** A store holding `fixtureTape()` under the id `fixture`. */
  readonly fixtureStore: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    fixtures: Fixtures;
  }
}

export default function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'trace-cli-'));
  const fixtures: Fixtures = {
    dir,
    demo1: join(dir, 'demo1'),
    demo2: join(dir, 'demo2'),
    fixtureStore: join(dir, 'fixture.tape.db'),
  };
  for (const out of [fixtures.demo1, fixtures.demo2]) {
    execFileSync(process.execPath, [demo, '--out', out], { stdio: 'ignore' });
    // The demo also forks its run and blames the branch: the tests read the recorded run alone.
    const store = openSqliteStore(join(out, 'run.tape.db'));
    for (const { id } of store.list()) if (id !== 'agent-run') store.delete(id);
    store.close();
  }
  saveTape(fixtures.fixtureStore, fixtureTape());
  project.provide('fixtures', fixtures);
  return () => rmSync(dir, { recursive: true, force: true });
}
