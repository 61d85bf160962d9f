/**
 * The boundary of a multipart body (RFC 2046 §5.1.1), which form-data encoders choose at random
 * per request: found from the body itself — it opens with `--<boundary>` and closes with
 * `--<boundary>--` — so that matching needs no header, and replaced by a fixed one.
 */

/** What every boundary becomes for matching. */
const FIXED = 'trace-multipart-boundary';
const FIXED_BYTES = Buffer.from(FIXED, 'latin1');
/** RFC 2046's `bchars`; at most 70 of them. */
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{1,70}$/;

export class MultipartBoundary {
  readonly #boundary: Buffer;

  private constructor(boundary: Buffer) {
    this.#boundary = boundary;
  }

  /** The boundary of `body` when it is a multipart body, else undefined. */
  static of(body: Uint8Array | null): MultipartBoundary | undefined {
    if (body === null || body.length < 8 || body[0] !== 0x2d || body[1] !== 0x2d) return undefined;
    const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    const lineEnd = bytes.indexOf('\r\n', 2, 'latin1');
    if (lineEnd < 3 || lineEnd > 72) return undefined;
    const boundary = bytes.subarray(2, lineEnd);
    if (!BOUNDARY.test(boundary.toString('latin1'))) return undefined;
    const close = Buffer.concat([Buffer.from('\r\n--'), boundary, Buffer.from('--')]);
    if (bytes.lastIndexOf(close) < 0) return undefined;
    return new MultipartBoundary(Buffer.from(boundary));
  }

  /** The body with every occurrence of the boundary replaced by the fixed one. */
  normalise(body: Uint8Array): Uint8Array {
    const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    const parts: Buffer[] = [];
    let from = 0;
    for (
      let at = bytes.indexOf(this.#boundary);
      at >= 0;
      at = bytes.indexOf(this.#boundary, from)
    ) {
      parts.push(bytes.subarray(from, at), FIXED_BYTES);
      from = at + this.#boundary.length;
    }
    parts.push(bytes.subarray(from));
    return new Uint8Array(Buffer.concat(parts));
  }

  /** A `content-type` with this boundary as its `boundary` parameter replaced by the fixed one. */
  normaliseContentType(value: string): string {
    const boundary = this.#boundary.toString('latin1');
    return value.replace(
      /(;\s*boundary=)("?)([^";]*)\2/i,
      (whole, prefix: string, quote: string, given: string) =>
        given === boundary ? `${prefix}${quote}${FIXED}${quote}` : whole,
    );
  }
}
