/**
 * A blame result for the page: the one given, or the one @trace/blame stored beside the run (see
 * blame-storage.ts) — checked to be of the contract's shape, so the page never draws from a value
 * it cannot read.
 */
import type { TapeStore } from '@trace/tape';
import { ReportError } from '../errors.js';
import type { ReportBlame } from '../shared/report-data.js';
import { BLAME_METADATA_KEY, blameTapeId } from './blame-storage.js';

/** The blame result stored beside run `id`, or undefined when there is none. */
export async function storedBlame(store: TapeStore, id: string): Promise<unknown> {
  const blameId = blameTapeId(id);
  if (!(await store.has(blameId))) return undefined;
  const tape = await store.load(blameId);
  return tape.metadata.user?.[BLAME_METADATA_KEY];
}

/** `value` as a blame result of run `run`, or REPORT_INVALID_BLAME naming what is wrong. */
export function checkBlame(value: unknown, run: string): ReportBlame {
  const problem = blameProblem(value, run);
  if (problem !== undefined)
    throw new ReportError(
      'REPORT_INVALID_BLAME',
      `The blame result is not one @trace/blame writes (${problem}): pass the value blame() resolved with, or loadBlame(store, run).`,
      { details: { problem } },
    );
  return value as ReportBlame;
}

function blameProblem(value: unknown, run: string): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not an object';
  const v = value as Record<string, unknown>;
  if (v.version !== 1) return `version is ${JSON.stringify(v.version)}, not 1`;
  if (v.run !== run)
    return `it is the blame of run ${JSON.stringify(v.run)}, not of ${JSON.stringify(run)}`;
  if (!Array.isArray(v.steps)) return 'steps is not an array';
  for (const key of ['responsible', 'ranking'] as const) {
    const list = v[key];
    if (
      !Array.isArray(list) ||
      list.some((i) => !Number.isInteger(i) || i < 0 || i >= (v.steps as unknown[]).length)
    )
      return `${key} is not a list of indexes into steps`;
  }
  for (const [index, step] of (v.steps as unknown[]).entries()) {
    const s = step as Record<string, unknown> | null;
    const interval = s?.interval as Record<string, unknown> | undefined;
    if (
      typeof s !== 'object' ||
      s === null ||
      !Number.isInteger(s.seq) ||
      typeof s.label !== 'string' ||
      typeof s.flipRate !== 'number' ||
      typeof interval?.low !== 'number' ||
      typeof interval?.high !== 'number' ||
      typeof s.responsible !== 'boolean' ||
      typeof s.trustworthy !== 'boolean'
    )
      return `steps[${index}] lacks seq, label, flipRate, interval, responsible or trustworthy`;
  }
  return undefined;
}
