import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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
    const run = spawnSync(process.execPath, [file], {
      encoding: 'utf8',
      cwd: packageDir,
      timeout: 60_000,
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
