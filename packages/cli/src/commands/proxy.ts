/**
 * `trace proxy`: @trace/proxy in its own process, for agents in any language. It prints one line
 * (its URL, the run, where to point an SDK), logs to stderr, and on SIGINT or SIGTERM closes its
 * run and exits 0, or 1 when the run did not do what its tape says (`closeOnSignals`).
 */
import { resolve } from 'node:path';
import type { ProxyOptions, TraceProxy, Upstream } from '@trace/proxy';
import type { Mode } from '@trace/transport';
import { InvalidArgumentError } from 'commander';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { type CliCommand, examples, naturalNumber } from './command.js';

interface ProxyFlags {
  store: string;
  id?: string;
  upstream: string[];
  mode?: string;
  port: number;
  pace?: true | number;
}

/** The port the issue and the README name: an agent's base URL that does not change between runs. */
const DEFAULT_PORT = 8899;

export const proxyCommand: CliCommand = {
  name: 'proxy',
  register(program, { out }, done) {
    program
      .command('proxy')
      .description(
        'a record/replay HTTP proxy on 127.0.0.1 for agents in any language: point the SDK’s base URL at it; SIGINT or SIGTERM finishes the run (exit 1 when it did not do what its tape says)',
      )
      .requiredOption('--store <file>', 'the tape store file (created when recording)')
      .option(
        '--id <run>',
        'the run (tape id) opened at start; without it, runs are opened with POST /__trace/runs {"id"}',
      )
      .requiredOption(
        '--upstream <url>',
        'where requests go: https://api.anthropic.com for every path, or /prefix=https://host for several (repeat it)',
        (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
      )
      .option(
        '--mode <mode>',
        'auto (default: replay a finished tape, record when there is none), record, replay, new-episodes or passthrough; TRACE_MODE and CI apply as in @trace/run',
      )
      .option(
        '--port <n>',
        'the port on 127.0.0.1; 0 picks a free one',
        naturalNumber,
        DEFAULT_PORT,
      )
      .option(
        '--pace [factor]',
        'replay recorded timing as recorded (or scaled by factor), instead of at once',
        positiveNumber,
      )
      .addHelpText(
        'after',
        `${examples(
          'trace proxy --store runs.tape.db --id my-run --upstream https://api.anthropic.com',
          'trace proxy --store runs.tape.db --id my-run --upstream /anthropic=https://api.anthropic.com --upstream /openai=https://api.openai.com --mode replay',
          'trace proxy --store runs.tape.db --upstream https://api.anthropic.com --port 0',
        )}
Then, in the agent (the proxy stores no credentials: it forwards the agent's own key):
  ANTHROPIC_BASE_URL=http://127.0.0.1:8899 python agent.py
  client = openai.OpenAI(base_url="http://127.0.0.1:8899/openai/v1")
`,
      )
      .action(async (flags: ProxyFlags) => {
        const mode = await checkedMode(flags.mode);
        const { closeOnSignals, parseUpstream, startProxy } = await import('@trace/proxy');
        const options: ProxyOptions = {
          path: resolve(out.cwd, flags.store),
          upstreams: flags.upstream,
          port: flags.port,
          ...(flags.id === undefined ? {} : { id: flags.id }),
          ...(mode === undefined ? {} : { mode }),
          ...(flags.pace === undefined ? {} : { pace: flags.pace }),
          log: (line) => out.error(line),
        };
        const proxy = await startProxy(options);
        closeOnSignals(proxy, { log: (line) => out.error(line) });
        out.line(readyLine(proxy, flags.upstream.map(parseUpstream)));
        out.flush();
        // The process lives on while the proxy listens; a signal ends it (closeOnSignals).
        done(ExitCode.OK);
      });
  },
};

function positiveNumber(value: string): number {
  const factor = Number(value);
  if (!Number.isFinite(factor) || factor <= 0) {
    throw new InvalidArgumentError('expected a positive number (2 plays twice as slow).');
  }
  return factor;
}

/** The mode names are @trace/transport's; loaded only when the proxy starts. */
async function checkedMode(mode: string | undefined): Promise<Mode | undefined> {
  if (mode === undefined) return undefined;
  const { MODES } = await import('@trace/transport');
  if (!(MODES as readonly string[]).includes(mode)) {
    throw new CliError(
      'CLI_USAGE',
      `--mode is ${JSON.stringify(mode)}; use one of ${MODES.join(', ')}.`,
      {
        details: { mode },
      },
    );
  }
  return mode as Mode;
}

/**
 * The one line a user (or a script: the URL comes first) reads: where the proxy listens, the run,
 * and the base URL to give each SDK.
 */
export function readyLine(proxy: TraceProxy, upstreams: readonly Upstream[]): string {
  const run = proxy.run;
  const runPart =
    run === undefined
      ? `no run open: POST ${proxy.url}/__trace/runs {"id": "<run>"} starts one`
      : `run ${run.id} (${run.mode})`;
  const bases =
    upstreams.length === 1 && upstreams[0]?.prefix === '/'
      ? `set the SDK's base URL to ${proxy.url} (→ ${upstreams[0].url})`
      : `set each SDK's base URL to its prefix: ${upstreams
          .map((u) => `${proxy.url}${u.prefix === '/' ? '' : u.prefix} → ${u.url}`)
          .join(', ')}`;
  return `${proxy.url} · ${runPart} · ${bases}`;
}
