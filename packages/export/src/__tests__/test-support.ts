/**
 * Test helpers: schema validators and small tape builders. Fake credentials come from
 * `@trace/test-utils`, built at run time so nothing secret-looking is committed. Not part of the
 * public API.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import schema from '../../schema/action-trace-v1.schema.json' with { type: 'json' };

/** A string that embeds `secret` between random text, separated as real text separates words. */
export function embed(secret: string): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.string({ maxLength: 12 }),
      fc.constantFrom(' ', '\n', '"', '=', ': ', ',', '('),
      fc.constantFrom(' ', '\n', '"', ',', ')'),
      fc.string({ maxLength: 12 }),
    )
    .map(([before, open, close, after]) => `${before}${open}${secret}${close}${after}`);
}

/**
 * JSON Schema's `date-time` format (RFC 3339), checked here independently of the package's own
 * parser: the fields are read by a pattern and must come back unchanged from `Date.UTC`, so an
 * impossible date (`2026-02-30`) or a time without an offset is refused.
 */
export function isRfc3339DateTime(text: string): boolean {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/.exec(
      text,
    );
  if (m === null) return false;
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number) as number[];
  const date = new Date(0);
  date.setUTCFullYear(y!, mo! - 1, d!);
  date.setUTCHours(h!, mi!, se!);
  return (
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === mo! - 1 &&
    date.getUTCDate() === d &&
    date.getUTCHours() === h &&
    date.getUTCMinutes() === mi &&
    date.getUTCSeconds() === se &&
    (m[7] === undefined || (Number(m[7]) < 24 && Number(m[8]) < 60))
  );
}

function withFormats(ajv: Ajv2020): Ajv2020 {
  return ajv.addFormat('date-time', { type: 'string', validate: isRfc3339DateTime });
}

const ajv = withFormats(new Ajv2020({ allErrors: true, strict: false }));
/** The shipped schema, compiled with a real draft 2020-12 validator. */
export const validateEnvelope = ajv.compile(schema);

/**
 * The shipped schema under Ajv's full strict mode (`strictTypes`, `strictTuples`,
 * `strictRequired`): compiling it throws if the schema breaks any of their rules.
 */
export const compileFullStrict = () =>
  withFormats(
    new Ajv2020({
      allErrors: true,
      strict: true,
      strictTypes: true,
      strictTuples: true,
      strictRequired: true,
    }),
  ).compile(schema);

/** A stricter copy of the schema: every object with declared properties allows no others. */
export function strictSchema(): object {
  const copy = JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    if (
      record.type === 'object' &&
      record.properties !== undefined &&
      record.additionalProperties === undefined
    ) {
      record.unevaluatedProperties = false;
    }
    Object.values(record).forEach(visit);
  };
  visit(copy);
  copy.$id = 'https://trace.dev/schema/action-trace/v1-strict.json';
  return copy;
}
export const validateStrict = withFormats(new Ajv2020({ allErrors: true, strict: false })).compile(
  strictSchema(),
);

const encoder = new TextEncoder();
export const bytes = (text: string): Uint8Array => encoder.encode(text);
export const jsonBytes = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value));

/** An SSE body from `[event, data]` pairs. */
export function sse(events: readonly (readonly [string | undefined, unknown])[]): string {
  return events
    .map(
      ([event, data]) =>
        `${event !== undefined ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`,
    )
    .join('');
}

/** Splits text into stream chunks of `size` bytes with increasing offsets. */
export function chunked(
  text: string,
  size: number,
  stepMs = 5,
): { offsetMs: number; bytes: Uint8Array }[] {
  const all = bytes(text);
  const chunks: { offsetMs: number; bytes: Uint8Array }[] = [];
  for (let i = 0; i < all.length; i += size) {
    chunks.push({ offsetMs: (chunks.length + 1) * stepMs, bytes: all.slice(i, i + size) });
  }
  return chunks;
}
