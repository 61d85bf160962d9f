import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fakeCredentialArb, findLeak } from '@trace/test-utils';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { tempDir } from './__tests__/helpers.js';
import { openAuditLog } from './index.js';

/** Where an agent's payload can carry a credential: every place, in members and in texts. */
const placements = [
  (secret: string) => ({ note: secret }),
  (secret: string) => ({ note: `the tool said: ${secret} (and more)` }),
  (secret: string) => ({ call: { tool: 'http', args: [{ header: secret }] } }),
  (secret: string) => ({ [`key ${secret}`]: 1 }),
  (secret: string) => ({ config: JSON.stringify({ connection: secret }) }),
];

it('property: no credential of any supported format reaches an audit day file', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.record({
          credential: fakeCredentialArb(),
          place: fc.nat({ max: placements.length - 1 }),
          prefix: fc.string({ maxLength: 150 }),
        }),
        { minLength: 1, maxLength: 6 },
      ),
      async (items) => {
        const dir = await tempDir();
        const log = await openAuditLog(dir, { durability: 'none' });
        for (const { credential, place, prefix } of items) {
          await log.append('tool.output', placements[place]!(credential.text));
          // A loop event's error text is cut to 200 characters after it is redacted.
          await log.toolCall({
            tool: 'http',
            status: 'failed',
            durationMs: 1,
            fromScript: false,
            error: `${prefix} ${credential.text}`,
          });
        }
        await log.close();
        let written = '';
        for (const name of await readdir(dir)) written += await readFile(join(dir, name), 'latin1');
        for (const { credential } of items) {
          expect(findLeak(written, credential), credential.format).toBeUndefined();
        }
      },
    ),
    { numRuns: 60 },
  );
});
