import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export {
  ALNUM,
  cryptoRandom,
  FAKE_CREDENTIAL_FORMATS,
  type FakeCredential,
  fakeCredential,
  fakeCredentialArb,
  fakeCredentials,
  findLeak,
  type RandomInt,
  randomChars,
  seededRandom,
} from './fake-credentials.js';

export interface QuickStartRun {
  /** The lines the quick start printed. */
  readonly printed: readonly string[];
  /** What it wrote to standard error. */
  readonly stderr: string;
  /** The lines its `console.log(...) // expected` comments say it prints, in order. */
  readonly expected: readonly string[];
}

/**
 * Runs the first ```js block under "## Quick start" in `<packageDir>/README.md`, as written, with
 * node, from a file inside the package — so that the package's own name resolves through its
 * `exports` map to its built output, as it would for a user. Returns what it printed and what
 * the trailing comments of its `console.log` lines say it prints. A non-zero exit throws, with
 * what the quick start wrote to standard error.
 */
export function runQuickStart(packageDir: string): QuickStartRun {
  const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
  const code = readme.split('## Quick start')[1]?.match(/```js\n([\s\S]*?)```/)?.[1];
  if (code === undefined)
    throw new Error(`${packageDir}/README.md has no \`\`\`js block under "## Quick start"`);
  const dir = join(packageDir, '.readme-check');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `quick-start-${process.pid}-${Date.now()}.mjs`);
  writeFileSync(file, code);
  try {
    // As on a developer's machine: CI and TRACE_MODE, which a CI run sets, would turn a quick
    // start's first (recording) run into a strict replay.
    const { CI: _ci, TRACE_MODE: _mode, ...env } = process.env;
    const run = spawnSync(process.execPath, [file], {
      encoding: 'utf8',
      cwd: packageDir,
      timeout: 60_000,
      env,
    });
    if (run.status !== 0) {
      const how = run.status ?? run.signal;
      throw new Error(
        `The quick start of ${packageDir}/README.md exited with ${how}:\n${run.stderr}`,
      );
    }
    const expected = code
      .split('\n')
      .filter((line) => line.includes('console.log('))
      .map((line) => line.match(/\/\/ (.*)$/)?.[1])
      .filter((comment): comment is string => comment !== undefined);
    return { printed: run.stdout.trimEnd().split('\n'), stderr: run.stderr, expected };
  } finally {
    rmSync(file, { force: true });
  }
}

/**
 * Runs a package's README quick start (see `runQuickStart`) and throws, showing both, unless it
 * printed exactly what its `console.log(...) // expected` comments say and wrote nothing to
 * standard error. `packageDir` may be a file URL: `new URL('..', import.meta.url)` from `src/`.
 */
export function checkQuickStart(packageDir: string | URL): QuickStartRun {
  const dir = typeof packageDir === 'string' ? packageDir : fileURLToPath(packageDir);
  const run = runQuickStart(dir);
  if (run.expected.length === 0) {
    throw new Error(
      `The quick start of ${dir}/README.md has no \`console.log(...) // expected\` line.`,
    );
  }
  if (run.stderr !== '') {
    throw new Error(`The quick start of ${dir}/README.md wrote to standard error:\n${run.stderr}`);
  }
  const printed = run.printed.join('\n');
  const expected = run.expected.join('\n');
  if (printed !== expected) {
    throw new Error(
      `The quick start of ${dir}/README.md printed:\n${printed}\n\nbut its comments say it prints:\n${expected}`,
    );
  }
  return run;
}
export { type BenchFigure, jsonExchange, printFigure, seededBytes } from './bench.js';
