import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keys, tempDir } from '../__tests__/helpers.js';
import { openAuditLog } from '../index.js';
import { verifyAuditLog, verifyWith } from './verify-audit-log.js';

/**
 * The walk reads files in chunks, and a line that crosses a chunk boundary is put together in a
 * buffer of its own, at whatever offset and alignment the allocator gives. None of that may change
 * a verdict: small chunks put most lines across boundaries.
 */
describe('verify across chunk boundaries', () => {
  it('property: the report does not depend on the chunk size, damaged log or not', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }), {
            maxKeys: 4,
          }),
          { minLength: 1, maxLength: 10 },
        ),
        fc.option(fc.tuple(fc.nat(), fc.constantFrom(0x20, 0x22, 0x30, 0x5c, 0x7b, 0xc3)), {
          nil: undefined,
        }),
        fc.integer({ min: 16, max: 700 }),
        async (payloads, damage, chunkBytes) => {
          const dir = await tempDir('trace-audit-chunks-');
          const log = await openAuditLog(dir, { signingKey: keys.privateKey, durability: 'none' });
          for (const payload of payloads) await log.append('n', payload, { session: 's' });
          await log.close();
          if (damage) {
            const name = (await readdir(dir)).find((n) => /^\d{4}-\d\d-\d\d\.jsonl$/.test(n))!;
            const bytes = await readFile(join(dir, name));
            bytes[damage[0] % bytes.length] = damage[1];
            await writeFile(join(dir, name), bytes);
          }
          const options = { publicKey: keys.publicKey };
          const whole = await verifyAuditLog(dir, options);
          expect(await verifyWith(dir, options, { chunkBytes })).toEqual(whole);
          if (!damage) expect(whole).toMatchObject({ ok: true, checked: payloads.length });
        },
      ),
      { numRuns: 120 },
    );
  }, 60_000);
});
