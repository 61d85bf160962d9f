// Builds "the previous build" for previous.bench.mjs: @trace/spec, @trace/redact, @trace/tape and
// @trace/transport as they stood at PREVIOUS_COMMIT, the last commit before issue #13 changed
// matching, pairing and pacing. The benchmark times the old replay and recording against the new
// ones in the same run, so that the ratios it prints are measurements, not remembered numbers.
// Extracted with `git archive` into a temporary folder, each package's @trace dependencies
// linked to the extracted copies, and built with the workspace's tsup (JavaScript only).
// Returns undefined (and says why) when history is unavailable.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const PREVIOUS_COMMIT = 'a4c7257';
const root = fileURLToPath(new URL('../../../', import.meta.url));
/** Each package, with the @trace packages it imports, in build order. */
const PACKAGES = {
  spec: [],
  redact: ['spec'],
  tape: ['spec'],
  transport: ['spec', 'redact', 'tape'],
};

/** The folder the previous packages were built in, or undefined (the reason printed). */
export function buildPrevious(say = console.log) {
  try {
    execFileSync('git', ['-C', root, 'rev-parse', '--verify', `${PREVIOUS_COMMIT}^{commit}`], {
      stdio: 'pipe',
    });
  } catch {
    say(`previous build skipped: git history with commit ${PREVIOUS_COMMIT} is not available here`);
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'trace-transport-previous-'));
  const names = Object.keys(PACKAGES);
  const archive = execFileSync('git', [
    '-C',
    root,
    'archive',
    PREVIOUS_COMMIT,
    ...names.map((name) => `packages/${name}`),
  ]);
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  const packages = join(dir, 'packages');
  const tsup = join(root, 'node_modules/.bin/tsup');
  for (const [name, deps] of Object.entries(PACKAGES)) {
    for (const dep of deps) {
      const link = join(packages, name, 'node_modules/@trace', dep);
      mkdirSync(join(link, '..'), { recursive: true });
      symlinkSync(join(packages, dep), link);
    }
    execFileSync(tsup, ['src/index.ts', '--format', 'esm', '--target', 'node20', '--no-config'], {
      cwd: join(packages, name),
      stdio: 'pipe',
    });
  }
  if (!existsSync(join(packages, 'transport/dist/index.js'))) {
    say('previous build skipped: the old packages did not build');
    return undefined;
  }
  return dir;
}

/** The previous packages built by `buildPrevious` into `dir`: `{ tape, transport }`. */
export async function importPrevious(dir) {
  const load = (name) => import(pathToFileURL(join(dir, 'packages', name, 'dist/index.js')).href);
  return { tape: await load('tape'), transport: await load('transport') };
}
