/**
 * The functions a command runs from a JavaScript module the user names: the agent (`trace fork`,
 * `trace blame`), the same `(ctx) => Promise<T>` function `runAgent` takes, or an outcome oracle
 * (`trace blame --oracle`). `module.mjs` uses its default export; `module.mjs#name` a named one.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AgentContext } from '@trace/run';
import { CliError } from '../errors.js';

export type AgentFunction = (ctx: AgentContext) => Promise<unknown>;

export async function loadAgentModule(ref: string, cwd: string): Promise<AgentFunction> {
  return (await loadModuleFunction(
    ref,
    cwd,
    'agent',
    '(ctx) => Promise<result>, as runAgent of @trace/run takes it',
  )) as AgentFunction;
}

/** A function exported by the module `ref` names; `role` and `shape` word the errors. */
export async function loadModuleFunction(
  ref: string,
  cwd: string,
  role: string,
  shape: string,
): Promise<(...args: never[]) => unknown> {
  const hash = ref.lastIndexOf('#');
  const path = hash > 0 ? ref.slice(0, hash) : ref;
  const name = hash > 0 ? ref.slice(hash + 1) : 'default';
  const file = resolve(cwd, path);
  if (!existsSync(file))
    throw new CliError(
      'CLI_FILE_NOT_FOUND',
      `No ${role} module at ${path}: give the path of a JavaScript module that exports the ${role}.`,
      { details: { path } },
    );
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (cause) {
    throw new CliError(
      'CLI_AGENT_INVALID',
      `The ${role} module ${path} could not be loaded: ${(cause as Error).message}`,
      { cause, details: { path } },
    );
  }
  const found = loaded[name];
  if (typeof found !== 'function')
    throw new CliError(
      'CLI_AGENT_INVALID',
      `The ${role} module ${path} has no ${name === 'default' ? 'default export' : `export ${name}`} that is a function: export the ${role}, ${shape}${name === 'default' ? ', or name its export with module#name' : ''}.`,
      { details: { path, export: name } },
    );
  return found as (...args: never[]) => unknown;
}
