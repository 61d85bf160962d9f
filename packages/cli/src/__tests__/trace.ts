/** Runs the built `trace` binary as a child process, as a user's shell would. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));

export interface TraceRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment a user's shell would give: no colours, and no CI or TRACE_MODE of the test runner's. */
function childEnv(): NodeJS.ProcessEnv {
  const { FORCE_COLOR: _force, CI: _ci, TRACE_MODE: _mode, ...env } = process.env;
  return { ...env, NO_COLOR: '1' };
}

export function trace(
  args: readonly string[],
  options: { cwd?: string; input?: string } = {},
): TraceRun {
  const run = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    cwd: options.cwd,
    input: options.input,
    env: childEnv(),
    maxBuffer: 256 * 1024 * 1024,
    timeout: 60_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** `trace` in a child process the test keeps running alongside (a server it talks to, a proxy). */
export interface TraceProcess {
  readonly proc: ChildProcess;
  /** The first line on stdout, once printed (rejects if the process exits first). */
  readonly firstLine: Promise<string>;
  /** The exit, with everything the process printed. */
  readonly exited: Promise<TraceRun>;
  stderr(): string;
}

export function spawnTrace(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): TraceProcess {
  const proc = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { ...childEnv(), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout?.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
  });
  proc.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  const exited = new Promise<TraceRun>((resolve) =>
    proc.once('close', (status) => resolve({ status, stdout, stderr })),
  );
  const firstLine = new Promise<string>((resolve, reject) => {
    const check = () => {
      const end = stdout.indexOf('\n');
      if (end >= 0) resolve(stdout.slice(0, end));
    };
    proc.stdout?.on('data', check);
    void exited.then((run) =>
      reject(
        new Error(
          `trace ${args[0]} exited with ${run.status} before printing a line: ${run.stderr}`,
        ),
      ),
    );
  });
  // A caller that only waits for the exit must not see an unhandled rejection.
  firstLine.catch(() => {});
  return { proc, firstLine, exited, stderr: () => stderr };
}

/** Runs `trace` to its end without blocking this process (which may be serving the child). */
export function traceAsync(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<TraceRun> {
  return spawnTrace(args, options).exited;
}
