/**
 * Blobs as format version 6 kept them, read for the upgrade to version 7: a blob inline in its
 * row, or the LEB128 list of its chunks, each chunk (and an inline blob) kept as it is (method 0)
 * or as raw DEFLATE (method 1).
 */
import type Database from 'better-sqlite3';
import { decompress } from '../chunking/compression.js';
import { unpackIds } from './blob-store.js';

interface Version6Row {
  id: number;
  digest: Buffer;
  size: number;
  method: number | null;
  data: Buffer | null;
}

/** Each blob of `blobs_v6`, its bytes joined from `chunks_v6`; what cannot be read reads as nothing. */
export function* version6Blobs(
  db: Database.Database,
): Generator<{ id: number; digest: Buffer; bytes: Uint8Array }> {
  const chunk = db.prepare<[number], Version6Row>('SELECT * FROM chunks_v6 WHERE id = ?');
  const blob = db.prepare<[number], Version6Row>('SELECT * FROM blobs_v6 WHERE id = ?');
  const ids = db.prepare<[], number>('SELECT id FROM blobs_v6 ORDER BY id').pluck().all();
  for (const id of ids) {
    const row = blob.get(id) as Version6Row;
    const bytes =
      row.method !== null
        ? decoded(row)
        : Buffer.concat(unpackIds(row.data ?? EMPTY).map((part) => decoded(chunk.get(part))));
    yield { id, digest: row.digest, bytes };
  }
}

const EMPTY = new Uint8Array(0);

function decoded(row: Version6Row | undefined): Uint8Array {
  if (row === undefined || row.method === null || row.data === null) return EMPTY;
  try {
    return decompress(row.method, row.data, row.size);
  } catch {
    return EMPTY;
  }
}
