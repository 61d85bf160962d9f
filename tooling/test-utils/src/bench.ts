/**
 * What the benchmarks and tests of the tape and its stores build alike: bodies of any size that
 * never repeat, an exchange event holding them, and the line a benchmark prints per figure.
 */

/** `size` bytes from a 32-bit LCG seeded with `seed`: every seed gives a distinct body. */
export function seededBytes(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let x = (seed * 2654435761 + 1) >>> 0;
  for (let i = 0; i < size; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

/** A whole (not streamed) JSON exchange event, shaped as `@trace/spec`'s `ExchangeEvent`. */
export function jsonExchange(
  requestBody: Uint8Array,
  responseBody: Uint8Array,
  url = 'http://127.0.0.1/v1/messages',
) {
  const json: [string, string] = ['content-type', 'application/json'];
  return {
    type: 'exchange' as const,
    request: { method: 'POST', url, headers: [json], body: requestBody },
    response: {
      status: 200,
      statusText: 'OK',
      headers: [json],
      body: { kind: 'bytes' as const, bytes: responseBody },
    },
  };
}

/** One benchmark figure, as a row of the results a benchmark prints. */
export interface BenchFigure {
  readonly name: string;
  readonly value: string | number;
  readonly unit: string;
  readonly target?: string | undefined;
  /** Whether the target is met; undefined for a figure without one. */
  readonly met?: boolean | undefined;
}

/** Prints one figure as an aligned line, `MET` or `NOT MET` after its target, and returns it. */
export function printFigure(figure: BenchFigure): BenchFigure {
  const verdict = figure.met === undefined ? '' : figure.met ? '  MET' : '  NOT MET';
  console.log(
    `${figure.name.padEnd(58)} ${String(figure.value).padStart(12)} ${figure.unit.padEnd(12)} ${figure.target ?? ''}${verdict}`,
  );
  return figure;
}
