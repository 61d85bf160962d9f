/**
 * The keys an audit log is read with, from the command line: the Ed25519 public key from a file
 * (`--key`), and the HMAC key from the environment variable named (`--hmac-key-env`), never from
 * the command line itself. Shared by `trace audit verify` and `trace report`.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliError } from './errors.js';

export interface AuditKeyFlags {
  key?: string;
  hmacKeyEnv?: string;
}

export function auditKeys(flags: AuditKeyFlags, cwd: string): { publicKey?: string; key?: string } {
  const keys: { publicKey?: string; key?: string } = {};
  if (flags.key !== undefined) keys.publicKey = readKey(flags.key, cwd);
  if (flags.hmacKeyEnv !== undefined) {
    const key = process.env[flags.hmacKeyEnv];
    if (key === undefined || key === '') {
      throw new CliError(
        'CLI_USAGE',
        `The environment variable ${flags.hmacKeyEnv} is not set: set it to the log's HMAC key.`,
      );
    }
    keys.key = key;
  }
  return keys;
}

function readKey(path: string, cwd: string): string {
  try {
    return readFileSync(resolve(cwd, path), 'utf8');
  } catch (error) {
    throw new CliError(
      'CLI_FILE_NOT_FOUND',
      `Cannot read the public key ${path}: check the path.`,
      {
        cause: error,
        details: { path },
      },
    );
  }
}
