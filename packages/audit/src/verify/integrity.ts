import { GENESIS_HASH, isCanonicalJsonText } from '@trace/spec';
import type { Checkpoint } from '../checkpoint.js';
import { canonicalBody, digest, entryLine, parseLine } from '../entry.js';
import type { LineBatch } from '../lines.js';
import { BODY_AT, CanonicalLineReader, HASH_AT } from './canonical-line.js';
import type { FirstProblem, LocatedProblem } from './report.js';
import type { LineVisitor } from './walk.js';

/** A run of seq numbers not (yet) seen: missing, or to be found later out of order. */
export interface Gap {
  readonly from: number;
  readonly to: number;
  readonly file: string;
  readonly fileIndex: number;
  readonly line: number;
}

/** Gaps kept at most: enough to locate the first problems, bounded for a log that is all holes. */
const MAX_GAPS = 64;

const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
/** Length of an entry time, `YYYY-MM-DDTHH:MM:SS.mmmZ`. */
const TS_LENGTH = 24;

/**
 * The integrity walk: every line read, checked for form and hash, and linked to the one before
 * (seq, prev, time, day file, and the heads signed checkpoints pin). It remembers what the
 * completeness check and the key judgement need: gaps, checkpoints seen, how many hashes failed.
 *
 * A line is first read as bytes (see canonical-line.ts): a canonical line — every line the writer
 * wrote — whose hash checks and whose `prev` is the hash before it is settled without being
 * parsed, and without a string being made of it. Anything else is parsed, and judged exactly as
 * it always was.
 */
export class IntegrityWalk implements LineVisitor {
  /** Entries read (lines that are entries, whatever else is wrong with them). */
  checked = 0;
  /** Entries whose hash did not check. */
  hashFailures = 0;
  /** The first entry's hash problem: it may turn out to be the key's. */
  firstEntryHashProblem: LocatedProblem | undefined;
  /** Seq numbers skipped, in order found. */
  readonly gaps: Gap[] = [];
  /** Seq numbers of trusted checkpoints whose head was found in the log. */
  readonly seenCheckpoints = new Set<number>();
  /** The seq the next entry should have. */
  expected = 1;

  private readonly key: Buffer | undefined;
  private readonly pinned: Map<number, Checkpoint>;
  private readonly problems: FirstProblem;
  private readonly reader = new CanonicalLineReader();
  /** The seq of the last entry read (0: none yet). */
  private headSeq = 0;
  /** The last entry's hash. */
  private lastHash = GENESIS_HASH;
  /**
   * The last entry's time, as bytes: times are compared as bytes (ISO times order as text), so a
   * line whose time is new — nearly every line — costs no string. All zeros before the first
   * entry, which any time follows.
   */
  private readonly lastTs = new Uint8Array(TS_LENGTH);
  /** A parsed entry's time, as bytes, for the same checks. */
  private readonly parsedTs = new Uint8Array(TS_LENGTH);
  /** Per line of a batch: read as bytes (1) or not; its seq, where its time and `prev` are; its hash. */
  private asBytes = new Uint8Array(0);
  private seqs = new Float64Array(0);
  private tsAts = new Int32Array(0);
  private prevAts = new Int32Array(0);
  private readonly hashes: string[] = [];
  private file = '';
  private fileIndex = 0;
  /** The day file's `YYYY-MM-DD`, as bytes. */
  private readonly day = new Uint8Array(10);

  /**
   * `pinned`: trusted checkpoints by seq, whose heads the log must hold. Problems go to
   * `problems`, which keeps the earliest.
   */
  constructor(key: Buffer | undefined, pinned: Map<number, Checkpoint>, problems: FirstProblem) {
    this.key = key;
    this.pinned = pinned;
    this.problems = problems;
  }

  /** The last entry read, or null when there was none. */
  get head(): { seq: number; hash: string } | null {
    return this.headSeq === 0 ? null : { seq: this.headSeq, hash: this.lastHash };
  }

  startFile(file: string, fileIndex: number, day: string): void {
    this.file = file;
    this.fileIndex = fileIndex;
    this.day.set(Buffer.from(day, 'latin1'));
  }

  /**
   * A batch of lines, in three passes: read each as bytes, hash the body of each one read, then
   * link them in order. Each pass runs one kind of code over many lines in a row — about a fifth
   * faster than all three per line, which keeps switching between this code and the native hash.
   */
  readonly lines = ({ bytes, starts, ends, count, firstLine }: LineBatch): undefined => {
    const reader = this.reader;
    if (this.asBytes.length < count) this.grow(count);
    const { asBytes, seqs, tsAts, prevAts, hashes } = this;
    for (let i = 0; i < count; i++) {
      if (reader.read(bytes, starts[i]!, ends[i]!)) {
        asBytes[i] = 1;
        seqs[i] = reader.seq;
        tsAts[i] = reader.tsAt;
        prevAts[i] = reader.prevAt;
      } else asBytes[i] = 0;
    }
    for (let i = 0; i < count; i++)
      if (asBytes[i] === 1) hashes[i] = this.hashBody(bytes, starts[i]!, ends[i]!);
    for (let i = 0; i < count; i++) {
      const start = starts[i]!;
      const line = firstLine + i;
      // The common case, settled on bytes: the stored hash is the hash of the body and `prev` is
      // the hash before it. Anything else (an edit, a gap, a wrong key) is rare: the full parse
      // judges it, and names it, exactly as it always has.
      if (
        asBytes[i] === 1 &&
        sameHex(bytes, start + HASH_AT, hashes[i]!) &&
        sameHex(bytes, prevAts[i]!, this.lastHash)
      ) {
        this.checked++;
        this.link(seqs[i]!, bytes, tsAts[i]!, hashes[i]!, true, true, line);
      } else {
        this.parsed(bytes.toString('utf8', start, ends[i]), bytes, start, ends[i]!, line);
      }
    }
    return undefined;
  };

  /** Room for what the passes of a batch of `count` lines pass on. */
  private grow(count: number): void {
    this.asBytes = new Uint8Array(count);
    this.seqs = new Float64Array(count);
    this.tsAts = new Int32Array(count);
    this.prevAts = new Int32Array(count);
  }

  /**
   * The hash of a stored line's body: `{` + the line after its `"hash":"…",` prefix. Hashed where
   * it is, with `{` written over the comma for the call. (A plain Uint8Array view: cheaper to make
   * than a Buffer, and all the hash needs.)
   */
  private hashBody(bytes: Buffer, start: number, end: number): string {
    const length = end - start - BODY_AT;
    bytes[start + BODY_AT] = OPEN_BRACE;
    const hash = digest(
      new Uint8Array(bytes.buffer, bytes.byteOffset + start + BODY_AT, length),
      this.key,
    );
    bytes[start + BODY_AT] = COMMA;
    return hash;
  }

  /** A line the byte reader did not settle: parsed, and judged as the parse finds it. */
  private parsed(text: string, bytes: Buffer, start: number, end: number, line: number): void {
    const parsed = parseLine(text);
    if (!parsed.ok) {
      this.flag(parsed.kind, null, parsed.message, line);
      return;
    }
    const entry = parsed.entry;
    this.checked++;
    let body: string | Buffer;
    // A canonical line the reader left to the parse (a lone surrogate, say): hash its own bytes.
    if (isCanonicalJsonText(entry, text) && bytes[start + BODY_AT] === COMMA) {
      body = Buffer.from(bytes.subarray(start + BODY_AT, end));
      body[0] = OPEN_BRACE;
    } else {
      try {
        body = canonicalBody(entry);
      } catch {
        this.flag('not_canonical', entry.seq, 'the payload cannot be canonically encoded', line);
        return;
      }
      if (entryLine(body, entry.hash) !== text) {
        this.flag(
          'not_canonical',
          entry.seq,
          'the line is not in canonical form (sorted keys, no whitespace, one encoding of each value)',
          line,
        );
      }
    }
    const computed = digest(body, this.key);
    // checkShape let through only 24-character ISO times.
    for (let k = 0; k < TS_LENGTH; k++) this.parsedTs[k] = entry.ts.charCodeAt(k);
    this.link(
      entry.seq,
      this.parsedTs,
      0,
      entry.hash,
      computed === entry.hash,
      entry.prev === this.lastHash,
      line,
    );
  }

  /**
   * The checks that link an entry to the one before, whichever way it was read. Its time is the
   * 24 bytes at `tsBytes[tsAt]`; `hash` is its stored hash.
   */
  private link(
    seq: number,
    tsBytes: Uint8Array,
    tsAt: number,
    hash: string,
    hashMatches: boolean,
    prevMatches: boolean,
    line: number,
  ): void {
    if (!hashMatches) {
      this.hashFailures++;
      const problem = this.problem(
        'hash_mismatch',
        seq,
        this.checked === 1
          ? 'the entry does not match its hash: it was edited (or the key is wrong)'
          : 'the entry does not match its hash: it was edited',
        line,
      );
      if (this.checked === 1) this.firstEntryHashProblem = problem;
      this.problems.flag(problem);
    }
    if (seq < this.expected) {
      this.outOfOrder(seq, line);
      return;
    }
    if (seq > this.expected) {
      if (this.gaps.length < MAX_GAPS)
        this.gaps.push({
          from: this.expected,
          to: seq - 1,
          file: this.file,
          fileIndex: this.fileIndex,
          line,
        });
    } else if (!prevMatches) {
      this.flag(
        'prev_mismatch',
        seq,
        `"prev" does not match the hash of seq ${seq - 1}: an entry before it was replaced, or this one was inserted`,
        line,
      );
    }
    const order = compareBytes(tsBytes, tsAt, this.lastTs, 0, TS_LENGTH);
    if (order < 0) {
      this.flag(
        'time_regressed',
        seq,
        `the time ${latin1(tsBytes, tsAt, TS_LENGTH)} is earlier than the entry before (${latin1(this.lastTs, 0, TS_LENGTH)})`,
        line,
      );
    }
    if (compareBytes(tsBytes, tsAt, this.day, 0, 10) !== 0) {
      this.flag(
        'misfiled',
        seq,
        `an entry of ${latin1(tsBytes, tsAt, 10)} is in the day file ${this.file}`,
        line,
      );
    }
    const checkpoint = this.pinned.get(seq);
    if (checkpoint) {
      if (checkpoint.head === hash) this.seenCheckpoints.add(seq);
      else
        this.flag(
          'checkpoint_mismatch',
          seq,
          `a signed checkpoint says seq ${seq} has hash ${checkpoint.head.slice(0, 12)}…, but the log holds another entry: history was rewritten`,
          line,
        );
    }
    this.expected = seq + 1;
    this.lastHash = hash;
    if (order !== 0) for (let k = 0; k < TS_LENGTH; k++) this.lastTs[k] = tsBytes[tsAt + k]!;
    this.headSeq = seq;
  }

  /** A seq at or below one already seen: either it fills a gap (found late), or it repeats. */
  private outOfOrder(seq: number, line: number): void {
    const gapIndex = this.gaps.findIndex((gap) => seq >= gap.from && seq <= gap.to);
    if (gapIndex !== -1) {
      const gap = this.gaps[gapIndex]!;
      this.gaps.splice(gapIndex, 1);
      this.problems.flag({
        kind: 'out_of_order',
        file: gap.file,
        line: gap.line,
        fileIndex: gap.fileIndex,
        seq: gap.from,
        message: `entries are out of order: seq ${gap.to + 1} appears before seq ${gap.from}`,
      });
    } else {
      this.flag(
        'out_of_order',
        seq,
        `seq ${seq} appears after seq ${this.expected - 1}: a line was inserted, duplicated or moved`,
        line,
      );
    }
  }

  private problem(
    kind: LocatedProblem['kind'],
    seq: number | null,
    message: string,
    line: number,
  ): LocatedProblem {
    return { kind, file: this.file, line, fileIndex: this.fileIndex, seq, message };
  }

  private flag(
    kind: LocatedProblem['kind'],
    seq: number | null,
    message: string,
    line: number,
  ): void {
    this.problems.flag(this.problem(kind, seq, message, line));
  }
}

/**
 * `bytes[at, at + 64)` spell `hex` (64 characters), without making a string of them. Two of these
 * run for every line, so eight characters are compared per step (about twice as fast as one).
 */
function sameHex(bytes: Uint8Array, at: number, hex: string): boolean {
  for (let k = 0; k < 64; k += 8) {
    const i = at + k;
    if (
      bytes[i] !== hex.charCodeAt(k) ||
      bytes[i + 1] !== hex.charCodeAt(k + 1) ||
      bytes[i + 2] !== hex.charCodeAt(k + 2) ||
      bytes[i + 3] !== hex.charCodeAt(k + 3) ||
      bytes[i + 4] !== hex.charCodeAt(k + 4) ||
      bytes[i + 5] !== hex.charCodeAt(k + 5) ||
      bytes[i + 6] !== hex.charCodeAt(k + 6) ||
      bytes[i + 7] !== hex.charCodeAt(k + 7)
    )
      return false;
  }
  return true;
}

/** Byte order of `a[aAt, aAt + n)` against `b[bAt, bAt + n)`: negative, zero or positive. */
function compareBytes(a: Uint8Array, aAt: number, b: Uint8Array, bAt: number, n: number): number {
  for (let k = 0; k < n; k++) {
    const d = a[aAt + k]! - b[bAt + k]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** Some ASCII bytes as a string, for messages. */
function latin1(bytes: Uint8Array, at: number, n: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + at, n).toString('latin1');
}
