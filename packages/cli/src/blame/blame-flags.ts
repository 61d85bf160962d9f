/**
 * `trace blame`'s flags as @trace/blame's options: the outcome oracle (a module's function, or a
 * JSON path equal to or matching a value), which steps are perturbed, and the budget.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  type BlameBudget,
  jsonPathEquals,
  jsonPathMatches,
  type Oracle,
  type Perturbation,
  type PriceTable,
  perturbations,
  type StepInfo,
} from '@trace/blame';
import { CliError } from '../errors.js';
import { loadModuleFunction } from '../fork/agent-module.js';

export interface OracleFlags {
  oracle?: string;
  expect?: string;
  expectMatch?: string;
}

/** The oracle the flags name: exactly one of --oracle, --expect, --expect-match. */
export async function oracleOf(flags: OracleFlags, cwd: string): Promise<Oracle<unknown>> {
  const given = (['oracle', 'expect', 'expectMatch'] as const).filter(
    (key) => flags[key] !== undefined,
  );
  if (given.length !== 1)
    throw new CliError(
      'CLI_USAGE',
      `Give exactly one outcome oracle: --oracle <module#export>, --expect <path>=<json> or --expect-match <path>=<regex> (${given.length === 0 ? 'none was given' : 'several were given'}).`,
      { details: { option: 'oracle' } },
    );
  if (flags.oracle !== undefined) {
    const oracle = await loadModuleFunction(
      flags.oracle,
      cwd,
      'oracle',
      '(result) => boolean, true when the run went as it should',
    );
    return oracle as unknown as Oracle<unknown>;
  }
  if (flags.expect !== undefined) {
    const [path, json] = split(flags.expect, '--expect');
    try {
      return jsonPathEquals(path, JSON.parse(json));
    } catch (cause) {
      if (cause instanceof SyntaxError)
        throw new CliError(
          'CLI_USAGE',
          `--expect ${path}=… is not JSON after the "=": write the value as JSON.`,
          {
            cause,
            details: { option: 'expect' },
          },
        );
      throw cause;
    }
  }
  const [path, pattern] = split(flags.expectMatch as string, '--expect-match');
  let regex: RegExp;
  try {
    regex = new RegExp(pattern);
  } catch (cause) {
    throw new CliError(
      'CLI_USAGE',
      `--expect-match ${path}=… is not a regular expression after the "=".`,
      {
        cause,
        details: { option: 'expect-match' },
      },
    );
  }
  return jsonPathMatches(path, regex);
}

/** `path=value`, split at the first `=`. */
function split(text: string, option: string): [string, string] {
  const at = text.indexOf('=');
  if (at <= 0)
    throw new CliError(
      'CLI_USAGE',
      `${option} takes <path>=<value>, such as days[0].accepted=true.`,
      {
        details: { option },
      },
    );
  return [text.slice(0, at), text.slice(at + 1)];
}

const STEP_KINDS = ['exchanges', 'tools', 'draws'] as const;
type StepKind = (typeof STEP_KINDS)[number];

/**
 * Which steps are perturbed, and how: model calls resampled, tool answers (named sources) and
 * other draws drawn afresh. `kinds` is a comma list of exchanges, tools, draws; `draws` means
 * every draw, tool answers included, and `tools` the tool answers alone.
 */
export function perturbOf(kinds: string): (step: StepInfo) => Perturbation | undefined {
  const wanted = kinds.split(',').map((kind) => kind.trim());
  for (const kind of wanted)
    if (!(STEP_KINDS as readonly string[]).includes(kind))
      throw new CliError(
        'CLI_USAGE',
        `--steps takes a comma list of ${STEP_KINDS.join(', ')}; ${JSON.stringify(kind)} is none of them.`,
        { details: { option: 'steps' } },
      );
  const has = (kind: StepKind) => wanted.includes(kind);
  return (step) => {
    if (step.kind === 'exchange') return has('exchanges') ? perturbations.resample : undefined;
    if (step.source?.startsWith('tool:'))
      return has('tools') || has('draws') ? perturbations.redraw : undefined;
    return has('draws') ? perturbations.redraw : undefined;
  };
}

export interface BudgetFlags {
  maxCalls?: number;
  maxTokens?: number;
  maxUsd?: string;
  prices?: string;
}

export function budgetOf(flags: BudgetFlags): BlameBudget {
  const usd = flags.maxUsd === undefined ? undefined : Number(flags.maxUsd);
  if (usd !== undefined && !(usd >= 0))
    throw new CliError(
      'CLI_USAGE',
      `--max-usd is ${flags.maxUsd}; give a number of dollars, 0 or more.`,
      {
        details: { option: 'max-usd' },
      },
    );
  return {
    ...(flags.maxCalls === undefined ? {} : { calls: flags.maxCalls }),
    ...(flags.maxTokens === undefined ? {} : { tokens: flags.maxTokens }),
    ...(usd === undefined ? {} : { usd }),
  };
}

/** A price table from a JSON file: `{ "<model>": { "input": usd, "output": usd } }` per million tokens. */
export function pricesOf(path: string | undefined, cwd: string): PriceTable | undefined {
  if (path === undefined) return undefined;
  try {
    return JSON.parse(readFileSync(resolve(cwd, path), 'utf8')) as PriceTable;
  } catch (cause) {
    throw new CliError(
      'CLI_FILE_NOT_FOUND',
      `--prices ${path} cannot be read as JSON: give a file such as {"claude-sonnet-4-5": {"input": 3, "output": 15}}.`,
      { cause, details: { path } },
    );
  }
}
