/** A plain Uint8Array over the same memory, so callers never see Buffer's extra surface. */
export function plainBytes(bytes: Uint8Array): Uint8Array {
  return bytes.constructor === Uint8Array
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Appends the big-endian primitives of the tape's canonical encoding to a growing buffer. */
export class ByteWriter {
  private buffer = Buffer.allocUnsafe(256);
  private length = 0;

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + extra));
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }

  u8(value: number): void {
    this.reserve(1);
    this.buffer.writeUInt8(value, this.length);
    this.length += 1;
  }

  u16(value: number): void {
    this.reserve(2);
    this.buffer.writeUInt16BE(value, this.length);
    this.length += 2;
  }

  u32(value: number): void {
    this.reserve(4);
    this.buffer.writeUInt32BE(value, this.length);
    this.length += 4;
  }

  u64(value: number): void {
    this.reserve(8);
    this.buffer.writeBigUInt64BE(BigInt(value), this.length);
    this.length += 8;
  }

  f64(value: number): void {
    this.reserve(8);
    this.buffer.writeDoubleBE(value, this.length);
    this.length += 8;
  }

  raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** A UTF-8 string prefixed by its byte length. */
  str(value: string): void {
    const byteLength = Buffer.byteLength(value, 'utf8');
    this.u32(byteLength);
    this.reserve(byteLength);
    this.buffer.write(value, this.length, 'utf8');
    this.length += byteLength;
  }

  finish(): Uint8Array {
    return new Uint8Array(this.buffer.subarray(0, this.length));
  }
}

/** Thrown by ByteReader when a record ends early or holds an impossible value. */
export class MalformedRecord extends Error {}

/** Reads what ByteWriter wrote, refusing to run past the end. */
export class ByteReader {
  private offset = 0;
  private readonly view: Buffer;

  constructor(bytes: Uint8Array) {
    this.view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private take(size: number): number {
    const at = this.offset;
    if (at + size > this.view.length) throw new MalformedRecord(`record ends early at byte ${at}`);
    this.offset += size;
    return at;
  }

  u8(): number {
    return this.view.readUInt8(this.take(1));
  }

  u16(): number {
    return this.view.readUInt16BE(this.take(2));
  }

  u32(): number {
    return this.view.readUInt32BE(this.take(4));
  }

  u64(): number {
    const value = this.view.readBigUInt64BE(this.take(8));
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new MalformedRecord('size out of range');
    return Number(value);
  }

  f64(): number {
    return this.view.readDoubleBE(this.take(8));
  }

  raw(size: number): Buffer {
    const at = this.take(size);
    return this.view.subarray(at, at + size);
  }

  str(): string {
    const size = this.u32();
    const at = this.take(size);
    return this.view.toString('utf8', at, at + size);
  }

  /** Steps over `size` bytes, returning the offset they start at in `buffer`. */
  skip(size: number): number {
    return this.take(size);
  }

  /** The bytes being read, as a Buffer over the same memory. */
  get buffer(): Buffer {
    return this.view;
  }

  atEnd(): boolean {
    return this.offset === this.view.length;
  }
}
