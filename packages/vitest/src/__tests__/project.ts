/**
 * Fixture projects, as a user has them: copied into a new temporary folder, with a node_modules
 * that links @trace/vitest (this package, built), vitest and the official SDKs — then vitest run
 * on them in a child process, as a developer or CI would run it.
 */
import { spawn } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const modules = join(packageDir, 'node_modules');
/** What a fixture project imports, and where it comes from. */
const LINKS: Record<string, string> = {
  '@trace/vitest': packageDir,
  vitest: join(modules, 'vitest'),
  '@anthropic-ai/sdk': join(modules, '@anthropic-ai/sdk'),
  openai: join(modules, 'openai'),
};
const VITEST = join(modules, 'vitest/vitest.mjs');

export interface TestOutcome {
  readonly name: string;
  readonly status: 'passed' | 'failed' | 'skipped' | 'pending' | 'todo' | 'disabled';
  readonly failureMessages: readonly string[];
}

export interface VitestRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Each test by its full name (`describe > title`), from vitest's JSON reporter. */
  readonly tests: ReadonlyMap<string, TestOutcome>;
}

export class FixtureProject {
  readonly dir: string;

  /** A copy of `fixtures/<fixture>`, or a project of just `files` (name → text). */
  constructor(fixture: string, files?: Readonly<Record<string, string>>) {
    this.dir = mkdtempSync(join(tmpdir(), `trace-vitest-${fixture}-`));
    if (files === undefined) {
      cpSync(join(packageDir, 'fixtures', fixture), this.dir, { recursive: true });
    } else {
      for (const [name, text] of Object.entries(files)) writeFileSync(join(this.dir, name), text);
    }
    for (const [name, target] of Object.entries(LINKS)) {
      const link = join(this.dir, 'node_modules', name);
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(target, link, 'dir');
    }
  }

  path(file: string): string {
    return join(this.dir, file);
  }

  read(file: string): string {
    return readFileSync(this.path(file), 'utf8');
  }

  /** Edits a file of the project: `from` must occur in it. */
  edit(file: string, from: string, to: string): void {
    const text = this.read(file);
    if (!text.includes(from)) throw new Error(`${file} does not contain ${JSON.stringify(from)}`);
    writeFileSync(this.path(file), text.replaceAll(from, to));
  }

  /**
   * `vitest run <args>` in the project, in a child process, with `env` over an environment
   * cleaned of what the vitest running this suite set (and of CI and TRACE_MODE, unless given).
   */
  vitest(args: readonly string[], env: Record<string, string> = {}): Promise<VitestRun> {
    const report = this.path(`report-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(
        ([key]) =>
          !key.startsWith('VITEST') && key !== 'CI' && key !== 'TRACE_MODE' && key !== 'NODE_ENV',
      ),
    );
    const child = spawn(
      process.execPath,
      [
        VITEST,
        'run',
        ...args,
        '--reporter=default',
        '--reporter=json',
        `--outputFile.json=${report}`,
      ],
      {
        cwd: this.dir,
        env: { ...clean, ...env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    return new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => {
        const tests = new Map<string, TestOutcome>();
        try {
          const json = JSON.parse(readFileSync(report, 'utf8')) as {
            testResults: {
              assertionResults: (TestOutcome & { fullName: string; title: string })[];
            }[];
          };
          for (const file of json.testResults) {
            for (const test of file.assertionResults) tests.set(test.fullName, test);
          }
          rmSync(report, { force: true });
        } catch {
          // No report: vitest failed before running anything; stdout and stderr say why.
        }
        resolve({ code, stdout, stderr, tests });
      });
    });
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
