/**
 * The agent a command runs (`trace fork`, and later `trace blame`): a JavaScript module the user
 * names, exporting the same `(ctx) => Promise<T>` function `runAgent` takes. `module.mjs` uses
 * its default export; `module.mjs#name` a named one.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AgentContext } from '@trace/run';
import { CliError } from '../errors.js';

export type AgentFunction = (ctx: AgentContext) => Promise<unknown>;

export async function loadAgentModule(ref: string, cwd: string): Promise<AgentFunction> {
  const hash = ref.lastIndexOf('#');
  const path = hash > 0 ? ref.slice(0, hash) : ref;
  const name = hash > 0 ? ref.slice(hash + 1) : 'default';
  const file = resolve(cwd, path);
  if (!existsSync(file))
    throw new CliError(
      'CLI_FILE_NOT_FOUND',
      `No agent module at ${path}: give the path of a JavaScript module that exports the agent.`,
      { details: { path } },
    );
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (cause) {
    throw new CliError(
      'CLI_AGENT_INVALID',
      `The agent module ${path} could not be loaded: ${(cause as Error).message}`,
      { cause, details: { path } },
    );
  }
  const agent = loaded[name];
  if (typeof agent !== 'function')
    throw new CliError(
      'CLI_AGENT_INVALID',
      `The agent module ${path} has no ${name === 'default' ? 'default export' : `export ${name}`} that is a function: export the agent, (ctx) => Promise<result>, as runAgent of @trace/run takes it${name === 'default' ? ', or name its export with module#name' : ''}.`,
      { details: { path, export: name } },
    );
  return agent as AgentFunction;
}
