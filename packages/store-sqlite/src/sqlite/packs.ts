/**
 * Packs (format version 7): the new bytes of a write — the chunks and inline blobs it adds that
 * the store did not hold — joined and compressed as one row, of up to PACK_MAX bytes. A chunk or
 * an inline blob names its pack and its offset in the pack's bytes.
 *
 * Packs are made large because compression pays by the call and by the context: measured on
 * chat traffic (bench/chunks.bench.mjs), packs of 64 KiB deflate in less than half the time of a
 * pack per turn (~4 KiB), inflate in under half the time, and come to 0.22 of their size, not
 * 0.31 (each message compresses against the conversation around it). A whole save, or an
 * upgrade, fills packs as it goes. A recording commits each append on its own, so its appends
 * write their new bytes as *loose* packs, kept as they are (no compression on the append), and
 * once the loose packs of a recording add up to a pack's worth, the append that gets there joins
 * them into one compressed pack in its own transaction — moving the rows placed in them — and
 * finishing the recording joins the rest. A process killed at any instant leaves whole packs: at
 * worst, a recording's last loose packs stay as they are, uncompressed, and read as well.
 *
 * A pack holds at most PACK_MAX bytes (a chunk never exceeds it: see ../chunking/cdc.ts), so that
 * reading one chunk never decodes more than that.
 */
import type Database from 'better-sqlite3';
import { CDC_MAX } from '../chunking/cdc.js';
import { compress, decompress, STORED } from '../chunking/compression.js';
import { asBuffer } from './bytes.js';

export const PACK_MAX = CDC_MAX;

interface PackRow {
  id: number;
  size: number;
  method: number;
  data: Buffer;
}

/** What packs are written and joined with, prepared once per connection. */
export interface PackStatements {
  readonly nextId: Database.Statement<[], number>;
  readonly insert: Database.Statement<[number, number, number, Buffer]>;
  readonly rewrite: Database.Statement<[number, number, Buffer, number, number]>;
  readonly remove: Database.Statement<[number, number]>;
  readonly moveChunk: Database.Statement<[number, number, number]>;
  readonly moveBlob: Database.Statement<[number, number, number]>;
}

export function preparePackStatements(db: Database.Database): PackStatements {
  return {
    nextId: db.prepare<[], number>('SELECT coalesce(max(id), 0) + 1 FROM packs').pluck(),
    insert: db.prepare('INSERT INTO packs (id, size, method, data) VALUES (?, ?, ?, ?)'),
    // A loose pack is joined only as it was written (kept as it is, of its size): a recording
    // never rewrites or removes a pack that is no longer its own.
    rewrite: db.prepare(
      'UPDATE packs SET size = ?, method = ?, data = ? WHERE id = ? AND method = 0 AND size = ?',
    ),
    remove: db.prepare('DELETE FROM packs WHERE id = ? AND method = 0 AND size = ?'),
    moveChunk: db.prepare('UPDATE chunks SET pack = ?, offset = ? WHERE id = ?'),
    moveBlob: db.prepare('UPDATE blobs SET pack = ?, offset = ? WHERE id = ?'),
  };
}

/** Where some bytes were placed: the pack's id (the row it will have) and the offset in it. */
export interface Placement {
  readonly pack: number;
  readonly offset: number;
}

/** A row whose bytes were placed in a loose pack, and where in it. */
export interface PlacedRow {
  readonly table: 'chunks' | 'blobs';
  readonly id: number;
  readonly offset: number;
}

/** A pack a recording wrote as it is, with its bytes and the rows placed in it. */
export interface LoosePack {
  readonly id: number;
  readonly raw: Uint8Array;
  readonly rows: readonly PlacedRow[];
}

/**
 * The pack being filled by a write. Its id is the one its row will have (the next rowid; the
 * write holds the store's lock, so nothing else takes it), so that the rows placed in it can name
 * it before it is written; `flush` writes it — compressed, or, for a recording (`loose` given),
 * as it is, handed to `loose` with the rows placed in it, to be joined later (`joinPacks`).
 */
export class PackBuilder {
  readonly #statements: PackStatements;
  readonly #loose: ((pack: LoosePack) => void) | undefined;
  #id: number | undefined;
  #parts: Uint8Array[] = [];
  #rows: PlacedRow[] = [];
  #size = 0;

  constructor(statements: PackStatements, loose?: (pack: LoosePack) => void) {
    this.#statements = statements;
    this.#loose = loose;
  }

  /** Places `bytes` (at most PACK_MAX) in the pack, first writing it out if they do not fit. */
  place(bytes: Uint8Array): Placement {
    if (this.#size > 0 && this.#size + bytes.length > PACK_MAX) this.flush();
    this.#id ??= this.#statements.nextId.get() as number;
    const placement = { pack: this.#id, offset: this.#size };
    this.#parts.push(bytes);
    this.#size += bytes.length;
    return placement;
  }

  /** Notes the row that bytes placed at `offset` were given (a loose pack's rows move later). */
  placed(table: PlacedRow['table'], id: number, offset: number): void {
    if (this.#loose !== undefined) this.#rows.push({ table, id, offset });
  }

  /** Writes the pack, if anything was placed in it; the next placement starts another. */
  flush(): void {
    if (this.#id === undefined) return;
    // A loose pack is kept until it is joined, appends later: its bytes are copied (concat always
    // copies), never the caller's, which may be reused once the append returns.
    const raw =
      this.#parts.length === 1 && this.#loose === undefined
        ? (this.#parts[0] as Uint8Array)
        : Buffer.concat(this.#parts);
    if (this.#loose === undefined) {
      const { method, data } = compress(raw);
      this.#statements.insert.run(this.#id, raw.length, method, asBuffer(data));
    } else {
      this.#statements.insert.run(this.#id, raw.length, STORED, asBuffer(raw));
      this.#loose({ id: this.#id, raw, rows: this.#rows });
    }
    this.#id = undefined;
    this.#parts = [];
    this.#rows = [];
    this.#size = 0;
  }
}

/**
 * Joins loose packs, in order, into compressed packs of up to PACK_MAX bytes; returns the loose
 * packs left over: the last ones, under a pack's worth, unless `all`. A joined pack keeps the id
 * of the first loose pack in it (the rows placed there stay as they are); the rows placed in the
 * others are moved to it, and those packs removed. Packs whose bytes do not compress are left as
 * they are, loose for good: joining them would save nothing. Returns undefined, having changed
 * only what the caller's transaction then undoes, when a loose pack is not as it was written
 * (its tape was deleted meanwhile, and the id is another's).
 */
export function joinPacks(
  statements: PackStatements,
  loose: readonly LoosePack[],
  all: boolean,
): LoosePack[] | undefined {
  let group: LoosePack[] = [];
  let size = 0;
  const join = (): boolean => {
    const [first, ...rest] = group as [LoosePack, ...LoosePack[]];
    const raw = Buffer.concat(group.map((pack) => pack.raw));
    const { method, data } = compress(raw);
    group = [];
    size = 0;
    // Bytes that do not compress gain nothing from being joined: the loose packs stay as they are.
    if (method === STORED) return true;
    const written = (pack: LoosePack) => [pack.id, pack.raw.length] as const;
    if (statements.rewrite.run(raw.length, method, asBuffer(data), ...written(first)).changes !== 1)
      return false;
    let base = first.raw.length;
    for (const pack of rest) {
      if (statements.remove.run(...written(pack)).changes !== 1) return false;
      for (const row of pack.rows) {
        const move = row.table === 'chunks' ? statements.moveChunk : statements.moveBlob;
        move.run(first.id, base + row.offset, row.id);
      }
      base += pack.raw.length;
    }
    return true;
  };
  for (const pack of loose) {
    if (size > 0 && size + pack.raw.length > PACK_MAX && !join()) return undefined;
    group.push(pack);
    size += pack.raw.length;
  }
  if (group.length > 0 && (all || size >= PACK_MAX) && !join()) return undefined;
  return group;
}

/**
 * Decoded packs kept from one read to the next, up to a budget of bytes (the oldest dropped
 * first): `verify` decodes a pack once for all the chunks and blobs it takes from it.
 */
export class PackCache {
  readonly #packs = new Map<number, Buffer>();
  #bytes = 0;

  constructor(readonly budget = 64 * 1024 * 1024) {}

  get(id: number): Buffer | undefined {
    return this.#packs.get(id);
  }

  set(id: number, bytes: Buffer): void {
    if (this.#packs.has(id) || bytes.length > this.budget) return;
    this.#packs.set(id, bytes);
    this.#bytes += bytes.length;
    for (const [oldest, dropped] of this.#packs) {
      if (this.#bytes <= this.budget) break;
      this.#packs.delete(oldest);
      this.#bytes -= dropped.length;
    }
  }
}

export const EMPTY = Buffer.alloc(0);

/**
 * The packs `ids`, decoded: those `cache` holds from it, the others in one query (and kept in
 * it). A pack that is missing or cannot be decoded reads as no bytes, so what is placed in it
 * reads as missing: damage the reader refuses and `verify` locates, never a crash.
 */
export function readPacks(
  byIds: Database.Statement<[string], PackRow>,
  ids: Iterable<number>,
  cache?: PackCache,
): Map<number, Buffer> {
  const packs = new Map<number, Buffer>();
  const wanted: number[] = [];
  for (const id of ids) {
    const cached = cache?.get(id);
    if (cached === undefined) wanted.push(id);
    packs.set(id, cached ?? EMPTY);
  }
  if (wanted.length === 0) return packs;
  for (const row of byIds.iterate(JSON.stringify(wanted))) {
    const bytes = decodePack(row);
    packs.set(row.id, bytes);
    cache?.set(row.id, bytes);
  }
  return packs;
}

function decodePack(row: PackRow): Buffer {
  try {
    return asBuffer(decompress(row.method, row.data, row.size));
  } catch {
    return EMPTY;
  }
}

/** The statement `readPacks` runs: packs by a JSON array of ids. */
export function preparePacksByIds(db: Database.Database): Database.Statement<[string], PackRow> {
  return db.prepare('SELECT * FROM packs WHERE id IN (SELECT value FROM json_each(?))');
}
