// Builds "today's code" for the replay-load benchmark: @trace/errors, @trace/tape and
// @trace/transport as they stood at commit 2804eda, the last commit before the store seam and the
// load-once replay. The benchmark times the old load + index against the new one in the same run,
// on the same machine, so that the ratio it prints is a measurement and not a remembered number.
// Extracted with `git archive` into a temporary folder, given a node_modules that links
// @trace/errors to the extracted copy and better-sqlite3 to the workspace's compiled one, and
// built with the workspace's tsup. Returns undefined (and says why) when history is unavailable.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const BASELINE_COMMIT = '2804eda';
const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The folder the old packages were built in, or undefined (the reason printed). */
export async function buildBaseline(say = console.log) {
  try {
    execFileSync('git', ['-C', root, 'rev-parse', '--verify', `${BASELINE_COMMIT}^{commit}`], {
      stdio: 'pipe',
    });
  } catch {
    say(`baseline skipped: git history with commit ${BASELINE_COMMIT} is not available here`);
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'trace-replay-baseline-'));
  const archive = execFileSync('git', [
    '-C',
    root,
    'archive',
    BASELINE_COMMIT,
    'packages/errors',
    'packages/tape',
    'packages/transport',
  ]);
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  const packages = join(dir, 'packages');
  const link = (target, from) => {
    mkdirSync(join(from, '..'), { recursive: true });
    symlinkSync(target, from);
  };
  link(join(packages, 'errors'), join(packages, 'tape/node_modules/@trace/errors'));
  link(
    join(root, 'packages/store-sqlite/node_modules/better-sqlite3'),
    join(packages, 'tape/node_modules/better-sqlite3'),
  );
  link(join(packages, 'errors'), join(packages, 'transport/node_modules/@trace/errors'));
  link(join(packages, 'tape'), join(packages, 'transport/node_modules/@trace/tape'));
  const tsup = join(root, 'node_modules/.bin/tsup');
  for (const name of ['errors', 'tape', 'transport']) {
    // The old tsup.config.ts extends a tsconfig not extracted with it, and no types are needed:
    // the same build, JavaScript only.
    execFileSync(tsup, ['src/index.ts', '--format', 'esm', '--target', 'node20', '--no-config'], {
      cwd: join(packages, name),
      stdio: 'pipe',
    });
  }
  if (!existsSync(join(packages, 'transport/dist/index.js'))) {
    say('baseline skipped: the old packages did not build');
    return undefined;
  }
  return dir;
}

/** The old packages built by `buildBaseline` into `dir`: `{ tape, transport }`. */
export async function importBaseline(dir) {
  const load = (name) => import(pathToFileURL(join(dir, 'packages', name, 'dist/index.js')).href);
  return { tape: await load('tape'), transport: await load('transport') };
}
