/**
 * `trace fork`'s flags as @trace/fork's options: the fork point (`exchange:3`, `draw:0`) and the
 * one intervention a fork makes, from a flag or from a JSON file.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ForkPoint, Intervention } from '@trace/fork';
import { CliError } from '../errors.js';

export interface InterventionFlags {
  message?: string;
  draw?: string;
  resample?: boolean;
  bytesFile?: string;
  intervention?: string;
}

/** `exchange:N` or `draw:N` (N counted from 0). */
export function parseForkPoint(text: string): ForkPoint {
  const match = /^(exchange|draw):(\d+)$/.exec(text.trim());
  if (match === null)
    throw new CliError(
      'CLI_USAGE',
      `--at ${JSON.stringify(text)} is not a fork point: write exchange:N or draw:N, counted from 0 (trace show lists a run's steps).`,
      { details: { option: 'at' } },
    );
  const index = Number(match[2]);
  return match[1] === 'exchange' ? { exchange: index } : { draw: index };
}

/** The intervention the flags ask for: exactly one of them. */
export function interventionOf(flags: InterventionFlags, cwd: string): Intervention {
  const given = (['message', 'draw', 'resample', 'bytesFile', 'intervention'] as const).filter(
    (key) => flags[key] !== undefined && flags[key] !== false,
  );
  if (given.length !== 1)
    throw new CliError(
      'CLI_USAGE',
      `Give exactly one intervention: --message, --draw, --resample, --bytes-file or --intervention (${given.length === 0 ? 'none was given' : `got ${given.map(optionName).join(' and ')}`}).`,
      { details: { option: 'intervention' } },
    );
  if (flags.message !== undefined) return { kind: 'message', text: flags.message };
  if (flags.resample === true) return { kind: 'resample' };
  if (flags.draw !== undefined) return { kind: 'draw', value: parseJson(flags.draw, '--draw') };
  if (flags.bytesFile !== undefined)
    return {
      kind: 'bytes',
      bytes: new Uint8Array(readInput(flags.bytesFile, cwd, '--bytes-file')),
    };
  const file = flags.intervention as string;
  const value = parseJson(readInput(file, cwd, '--intervention').toString('utf8'), file);
  return interventionFromJson(value, file);
}

/**
 * An intervention written as JSON: `@trace/fork`'s own shape, with `bytes` as a UTF-8 string or
 * `{ "base64": "…" }`. What it may hold is checked by the fork (FORK_INVALID_INTERVENTION).
 */
function interventionFromJson(value: unknown, file: string): Intervention {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !('kind' in value))
    throw new CliError(
      'CLI_USAGE',
      `${file} is not an intervention: write a JSON object with a "kind" (message, bytes, json, draw or resample), as @trace/fork documents.`,
      { details: { option: 'intervention' } },
    );
  const bytes = (value as { bytes?: unknown }).bytes;
  if (typeof bytes === 'object' && bytes !== null && 'base64' in bytes)
    return {
      ...(value as object),
      bytes: new Uint8Array(Buffer.from(String((bytes as { base64: unknown }).base64), 'base64')),
    } as Intervention;
  return value as Intervention;
}

function optionName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** A file's bytes, or standard input's for `-`. */
function readInput(path: string, cwd: string, option: string): Buffer {
  try {
    return readFileSync(path === '-' ? 0 : resolve(cwd, path));
  } catch (cause) {
    throw new CliError('CLI_FILE_NOT_FOUND', `${option} ${path} cannot be read: check the path.`, {
      cause,
      details: { path },
    });
  }
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(
      'CLI_USAGE',
      `${where} is not JSON: write the value as JSON (a number, "a string", {"an": "object"}).`,
      { details: { option: where } },
    );
  }
}
