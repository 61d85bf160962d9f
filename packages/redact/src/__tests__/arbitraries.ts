/**
 * Test support: fast-check arbitraries of text and JSON that carry a fake credential (every
 * format `@trace/test-utils` builds), and of clean text and JSON that must come back unchanged.
 */
import fc from 'fast-check';

/** Any text, multi-byte characters included (well-formed, so it survives UTF-8). */
export const anyText = (maxLength = 12): fc.Arbitrary<string> =>
  fc.oneof(fc.string({ maxLength }), fc.string({ unit: 'grapheme', maxLength }));

/** `text` inside random text, separated from it as words are separated. */
export function embed(text: string): fc.Arbitrary<string> {
  return fc
    .tuple(
      anyText(),
      fc.constantFrom(' ', '\n', '\t', '"', '=', ': ', ',', '(', '日本 ', 'é '),
      fc.constantFrom(' ', '\n', '"', ',', ')', ' 日本', ' é'),
      anyText(),
    )
    .map(([before, open, close, after]) => `${before}${open}${text}${close}${after}`);
}

/** JSON holding `text` in string values and keys, at any depth (and as JSON inside a string). */
export function jsonWith(text: string): fc.Arbitrary<unknown> {
  const carrier = fc.oneof({ arbitrary: embed(text), weight: 2 }, fc.constant(text));
  const key = fc.oneof(
    { arbitrary: fc.string({ maxLength: 8 }), weight: 4 },
    { arbitrary: carrier, weight: 1 },
    {
      arbitrary: fc.constantFrom('token', 'api_key', 'Authorization', 'password', 'note', 'value'),
      weight: 1,
    },
  );
  return fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      carrier,
      anyText(),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(key, tie('value'), { maxKeys: 4 }),
      tie('value').map((inner) => JSON.stringify(inner)),
    ),
  })).value;
}

/**
 * Words that trigger no detector, and some that nearly do (`max_tokens`, `tokenizer`, `Basic`,
 * `skeleton`, `author`): text made of them must come back unchanged.
 */
const CLEAN_WORDS = [
  'the',
  'model',
  'answered',
  'max_tokens',
  'input_tokens',
  'tokenizer',
  'Basic',
  'understanding',
  'skeleton',
  'author',
  'inside',
  'eyes',
  'résumé',
  '日本語',
  '🙂',
  '42',
  '3.14',
  'user_id',
  'msg_01',
  'a/b',
  '(x)',
  'stream',
  'content_block_delta',
  'tool_use',
];

export const cleanText: fc.Arbitrary<string> = fc
  .array(fc.tuple(fc.constantFrom(...CLEAN_WORDS), fc.constantFrom(' ', '\n', ', ', '. ', ' — ')), {
    maxLength: 30,
  })
  .map((parts) => parts.map(([word, sep]) => word + sep).join(''));

const cleanKey = fc.constantFrom('model', 'max_tokens', 'role', 'content', 'type', 'index', 'id');

export const cleanJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    cleanText,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(cleanKey, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** Cut points for `length` bytes: any number, anywhere (inside multi-byte characters too). */
export const cutsOf = (length: number): fc.Arbitrary<number[]> =>
  fc
    .uniqueArray(fc.integer({ min: 1, max: Math.max(1, length - 1) }), { maxLength: 8 })
    .map((cuts) => cuts.filter((c) => c < length).sort((a, b) => a - b));

/** `bytes` split at `cuts`, with increasing offsets. */
export function chunksOf(
  bytes: Uint8Array,
  cuts: readonly number[],
): { offsetMs: number; bytes: Uint8Array }[] {
  const bounds = [0, ...cuts, bytes.length];
  return bounds
    .slice(1)
    .map((end, i) => ({ offsetMs: 5 * (i + 1), bytes: bytes.slice(bounds[i], end) }));
}
