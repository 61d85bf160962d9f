/**
 * Many processes, one store file: creating it, recording into it (distinct ids and the same id),
 * reading and verifying it, all at the same instant, round after round. Each process either
 * succeeds or gets the documented typed error; nothing acknowledged is lost.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { storePath, tempDir } from './__tests__/helpers.js';
import { openSqliteStore, verifyTape } from './index.js';

const dir = tempDir('trace-store-sqlite-processes-');
const worker = fileURLToPath(new URL('./__tests__/worker.mjs', import.meta.url));

interface Outcome {
  readonly ok: boolean;
  readonly code?: string;
  readonly message?: string;
  readonly fingerprint?: string;
}

/** Runs one worker per `[action, id]`, all starting at the same instant; their outcomes, in order. */
async function together(
  path: string,
  jobs: readonly (readonly [string, string])[],
): Promise<Outcome[]> {
  const startAt = Date.now() + 400;
  return Promise.all(
    jobs.map(async ([action, id]) => {
      const { stdout } = await promisify(execFile)(process.execPath, [
        worker,
        action,
        path,
        id,
        String(startAt),
      ]);
      return JSON.parse(stdout) as Outcome;
    }),
  );
}

const ROUNDS = 8;

describe('several processes on one store', () => {
  it(`create a new store and record distinct ids at the same instant: every recording is kept (${ROUNDS} rounds)`, async () => {
    const failures: Outcome[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const path = storePath(dir);
      const outcomes = await together(path, [
        ['record', 'a'],
        ['record', 'b'],
        ['record', 'c'],
        ['read', ''],
      ]);
      // A reader that comes before the store exists is told so; every recorder succeeds.
      const [reader] = outcomes.slice(3);
      if (!reader?.ok) expect(reader?.code).toBe('TAPE_NOT_FOUND');
      failures.push(...outcomes.slice(0, 3).filter((o) => !o.ok));
      const store = openSqliteStore(path, { readonly: true });
      const tapes = store.list().map((t) => [t.id, t.complete, t.eventCount]);
      store.close();
      expect(tapes.sort()).toEqual([
        ['a', true, 20],
        ['b', true, 20],
        ['c', true, 20],
      ]);
      expect(verifyTape(path).ok).toBe(true);
    }
    expect(failures).toEqual([]);
  });

  it(`record the same id at the same instant: one wins, the others get TAPE_ID_CONFLICT (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const path = storePath(dir);
      // The file exists already in half the rounds, and is created by the racers in the others.
      if (round % 2 === 0) openSqliteStore(path).close();
      const outcomes = await together(path, [
        ['record', 'same'],
        ['record', 'same'],
        ['record', 'same'],
      ]);
      expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
      expect(outcomes.filter((o) => !o.ok).map((o) => o.code)).toEqual([
        'TAPE_ID_CONFLICT',
        'TAPE_ID_CONFLICT',
      ]);
      const winner = outcomes.find((o) => o.ok);
      const store = openSqliteStore(path, { readonly: true });
      expect(store.load('same').fingerprint).toBe(winner?.fingerprint);
      store.close();
    }
  });

  it(`open an existing store, record, read and verify at the same instant, and leave no log beside it (${ROUNDS} rounds)`, async () => {
    const path = storePath(dir);
    openSqliteStore(path).close();
    const failures: Outcome[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const outcomes = await together(path, [
        ['record', `r${round}-1`],
        ['record', `r${round}-2`],
        ['read', ''],
        ['verify', ''],
        ['read', ''],
      ]);
      failures.push(...outcomes.filter((o) => !o.ok));
    }
    expect(failures).toEqual([]);
    const store = openSqliteStore(path, { readonly: true });
    expect(store.list().filter((t) => t.complete)).toHaveLength(ROUNDS * 2);
    store.close();
    // Every process has exited: the store is one self-contained file.
    const beside = readdirSync(dirname(path)).filter(
      (f) => f.startsWith(basename(path)) && f !== basename(path),
    );
    expect(beside).toEqual([]);
    expect(existsSync(path)).toBe(true);
  });
});
