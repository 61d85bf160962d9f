// Builds @trace packages as they stood at an older commit, so a benchmark can time today's code
// against them in the same run, on the same machine: the ratios it prints are measurements, not
// remembered numbers. Extracted with `git archive` into a temporary folder, each package's @trace
// dependencies (and any other links given) put in its node_modules, and built with the
// workspace's tsup, JavaScript only (an old tsup config may extend a tsconfig not extracted).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Builds `packages` (name → the @trace packages it imports, in build order) at `commit`; `links`
 * maps a package to more dependencies (name → folder) to link in; `entries` maps a package to the
 * entry points to build besides `src/index.ts` (a subpath export such as `src/backend.ts`).
 * Returns the folder, or undefined (the reason said) when history is unavailable or the build fails.
 */
export function buildAt(commit, packages, { links = {}, entries = {}, say = console.log } = {}) {
  try {
    execFileSync('git', ['-C', root, 'rev-parse', '--verify', `${commit}^{commit}`], {
      stdio: 'pipe',
    });
  } catch {
    say(`skipped: git history with commit ${commit} is not available here`);
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), `trace-at-${commit}-`));
  const names = Object.keys(packages);
  const archive = execFileSync('git', [
    '-C',
    root,
    'archive',
    commit,
    ...names.map((name) => `packages/${name}`),
  ]);
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  const folder = join(dir, 'packages');
  const link = (name, dependency, target) => {
    const at = join(folder, name, 'node_modules', dependency);
    mkdirSync(join(at, '..'), { recursive: true });
    symlinkSync(target, at);
  };
  const tsup = join(root, 'node_modules/.bin/tsup');
  for (const [name, deps] of Object.entries(packages)) {
    for (const dep of deps) link(name, `@trace/${dep}`, join(folder, dep));
    for (const [dependency, target] of Object.entries(links[name] ?? {}))
      link(name, dependency, target);
    const sources = ['src/index.ts', ...(entries[name] ?? [])];
    execFileSync(tsup, [...sources, '--format', 'esm', '--target', 'node20', '--no-config'], {
      cwd: join(folder, name),
      stdio: 'pipe',
    });
  }
  if (!names.every((name) => existsSync(join(folder, name, 'dist/index.js')))) {
    say(`skipped: the packages at ${commit} did not build`);
    return undefined;
  }
  return dir;
}

/** The built packages `names` from a folder `buildAt` made, by name. */
export async function importBuilt(dir, names) {
  const loaded = {};
  for (const name of names) {
    loaded[name] = await import(pathToFileURL(join(dir, 'packages', name, 'dist/index.js')).href);
  }
  return loaded;
}
