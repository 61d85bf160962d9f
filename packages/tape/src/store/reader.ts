/**
 * The read side of the store kit: a tape rebuilt from its stored records and blobs, proving on
 * the way that they are what was written — each record chained onto the one before
 * (SHA-256(head ‖ record), over the stored bytes, nothing re-encoded), each blob hashed once and
 * found under the digest its record names. Whatever does not hold is TAPE_DAMAGED.
 *
 * The blobs are copied into a few large buffers, and a streamed body's chunks are built when
 * they are read, from a compact table: a tape of tens of thousands of chunks holds little more
 * memory than its bytes.
 */
import type { Chunk, RecordedBody, StreamEnd, TapeEvent } from '@trace/spec';
import { toHex } from '@trace/spec';
import {
  type BlobLookup,
  type BlobResolver,
  type ChunkRefs,
  decodeWith,
  MissingBlob,
  UndecodableRecord,
} from '../decoding.js';
import { FINGERPRINT_SEED, nextHead } from '../fingerprint.js';
import { Tape } from '../tape.js';
import { BlobArena } from './blob-arena.js';
import type { StoreRefusals } from './refusals.js';
import type { StoredEventRecord, StoredTapeHeader } from './stored.js';

/** Every stream's chunks of one tape: each one's offset and arena entry. */
class ChunkTable {
  offsets: number[] | Float64Array = [];
  entries: number[] | Uint32Array = [];

  add(offsetMs: number, entry: number): void {
    (this.offsets as number[]).push(offsetMs);
    (this.entries as number[]).push(entry);
  }

  get size(): number {
    return this.offsets.length;
  }

  /** Done adding: the columns become typed arrays, without their growth slack. */
  seal(): void {
    this.offsets = Float64Array.from(this.offsets);
    this.entries = Uint32Array.from(this.entries);
  }
}

export class TapeReader {
  readonly #header: StoredTapeHeader;
  readonly #refusals: StoreRefusals;
  readonly #blobs = new BlobArena();
  readonly #chunks = new ChunkTable();
  readonly #bodyDigests = new WeakMap<Uint8Array, string>();

  constructor(header: StoredTapeHeader, refusals: StoreRefusals) {
    this.#header = header;
    this.#refusals = refusals;
  }

  /**
   * Hands the reader blobs of the tape, read in bulk in any order: each is hashed once and
   * copied into the tape's buffers under the digest it hashes to (a blob given as its parts in
   * order is joined there). A blob no record refers to is simply not used.
   */
  addBlobs(blobs: readonly (Uint8Array | readonly Uint8Array[])[]): void {
    this.#blobs.add(blobs);
  }

  /**
   * Hands the reader blobs laid end to end in `bytes`, `sizes[i]` bytes each, in order: kept as
   * they are, without a copy (a store that reads blobs into one buffer of its own making), each
   * hashed once. The caller must not change `bytes` afterwards.
   */
  addJoinedBlobs(bytes: Uint8Array, sizes: readonly number[]): void {
    this.#blobs.adopt(bytes, sizes);
  }

  /**
   * Rebuilds the tape from its records, in seq order. A blob the reader was not given is asked
   * of `lookup` (and hashed like the rest); one that is still missing, a record that does not
   * chain, and a fingerprint that differs from the stored one are TAPE_DAMAGED.
   */
  read(records: Iterable<StoredEventRecord>, lookup?: BlobLookup): Tape {
    const { id } = this.#header;
    const resolver = this.#resolver(lookup);
    const events: TapeEvent[] = [];
    let head = FINGERPRINT_SEED;
    for (const row of records) {
      const seq = events.length;
      if (row.seq !== seq) {
        throw this.#refusals.damaged(
          id,
          `event ${seq} is missing (the next stored event is ${row.seq})`,
          seq,
        );
      }
      head = nextHead(head, row.record);
      if (!head.equals(row.chain)) {
        throw this.#refusals.damaged(
          id,
          `event ${seq}'s record does not chain from the event before it`,
          seq,
        );
      }
      events.push(this.#decode(row, resolver));
    }
    const stored = toHex(this.#header.head);
    if (events.length !== this.#header.eventCount || toHex(head) !== stored) {
      throw this.#refusals.damaged(
        id,
        `its ${events.length} events hash to ${toHex(head)}, not the stored fingerprint ${stored} of ${this.#header.eventCount} events`,
      );
    }
    this.#blobs.seal();
    this.#chunks.seal();
    return Tape.fromStore(
      id,
      this.#header.metadata,
      this.#header.complete,
      events,
      head,
      this.#bodyDigests,
    );
  }

  #decode(row: StoredEventRecord, resolver: BlobResolver): TapeEvent {
    try {
      return decodeWith(row.record, resolver);
    } catch (error) {
      if (error instanceof MissingBlob || error instanceof UndecodableRecord) {
        throw this.#refusals.damaged(
          this.#header.id,
          `event ${row.seq} cannot be read (${error.message})`,
          row.seq,
        );
      }
      throw error;
    }
  }

  #resolver(lookup: BlobLookup | undefined): BlobResolver {
    const blobs = this.#blobs;
    /** The arena entry of the digest at `at` in `view`, asked of `lookup` if the reader lacks it. */
    const find = (view: Buffer, at: number, size: number): number => {
      let entry = blobs.find(view, at);
      if (entry === -1) {
        const digest = Buffer.from(view.subarray(at, at + 32));
        const found = lookup?.(digest, size);
        if (found === undefined) throw new MissingBlob(digest);
        blobs.add([found]);
        entry = blobs.find(view, at);
        // What the store gave under that digest hashes to another.
        if (entry === -1) throw new MissingBlob(digest, 'its bytes no longer hash to its digest');
      }
      if (blobs.size(entry) !== size) {
        throw new UndecodableRecord(
          `blob ${view.toString('hex', at, at + 32)} holds ${blobs.size(entry)} bytes, not the ${size} its record says`,
        );
      }
      return entry;
    };
    return {
      bytes: (digest, size) => {
        const view = blobs.view(find(digest, 0, size));
        this.#bodyDigests.set(view, digest.toString('hex'));
        return view;
      },
      stream: (refs: ChunkRefs, end: StreamEnd): RecordedBody => {
        const first = this.#chunks.size;
        for (let i = 0; i < refs.count; i++) {
          const entry = find(refs.buffer, refs.digestAt(i), refs.size(i));
          this.#chunks.add(refs.offsetMs(i), entry);
        }
        return lazyStreamBody(end, this.#chunks, blobs, first, refs.count);
      },
    };
  }
}

/**
 * A frozen streamed body whose `chunks` are built when read: one object per chunk costs more
 * memory than the chunk's own bytes, and a tape is mostly read a few streams at a time. The built
 * array is held weakly: the same array while anyone holds it, rebuilt (equal) once nobody does, so
 * a tape replayed in full holds no more than a tape just loaded. Made here, away from the reader,
 * so that what it keeps alive is the table and the buffers only (a closure keeps its scope).
 */
function lazyStreamBody(
  end: StreamEnd,
  table: ChunkTable,
  blobs: BlobArena,
  first: number,
  count: number,
): RecordedBody {
  let built: WeakRef<readonly Chunk[]> | undefined;
  const build = (): readonly Chunk[] => {
    const chunks: Chunk[] = [];
    for (let k = first; k < first + count; k++) {
      const bytes = blobs.view(table.entries[k]!);
      chunks.push(Object.freeze({ offsetMs: table.offsets[k]!, bytes }));
    }
    return Object.freeze(chunks);
  };
  const body: Record<string, unknown> = { kind: 'stream' };
  Object.defineProperty(body, 'chunks', {
    enumerable: true,
    get: () => {
      let chunks = built?.deref();
      if (chunks === undefined) {
        chunks = build();
        built = new WeakRef(chunks);
      }
      return chunks;
    },
  });
  body.end = end;
  return Object.freeze(body) as unknown as RecordedBody;
}
