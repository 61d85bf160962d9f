import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { dayFiles, tempDir } from './__tests__/helpers.js';
import { canonicalJson } from './canonical.js';
import { digest } from './entry.js';
import { openAuditLog, verifyAuditLog } from './index.js';

interface Vector {
  description: string;
  entry: Record<string, unknown> & {
    ts: string;
    type: string;
    session?: string;
    payload: Record<string, unknown>;
  };
  canonical: string;
  key?: string;
  hash: string;
  line: string;
}

const { vectors } = JSON.parse(
  await readFile(new URL('./__tests__/vectors.json', import.meta.url), 'utf8'),
) as { vectors: Vector[] };

describe('format test vectors (computed independently, in Python)', () => {
  it.each(vectors.map((v) => [v.description, v] as const))('%s', (_d, vector) => {
    expect(canonicalJson(vector.entry)).toBe(vector.canonical);
    expect(
      digest(vector.canonical, vector.key === undefined ? undefined : Buffer.from(vector.key)),
    ).toBe(vector.hash);
  });

  it('the writer, given the same events and clock, writes exactly the vector lines', async () => {
    const dir = await tempDir();
    const unkeyed = vectors.filter((v) => v.key === undefined);
    let i = 0;
    const log = await openAuditLog(dir, {
      now: () => Date.parse(unkeyed[i]!.entry.ts),
      durability: 'none',
    });
    for (; i < unkeyed.length; i++) {
      const v = unkeyed[i]!;
      await log.append(
        v.entry.type,
        v.entry.payload,
        v.entry.session === undefined ? {} : { session: v.entry.session },
      );
    }
    await log.close();
    expect([...(await dayFiles(dir)).values()].flat()).toEqual(unkeyed.map((v) => v.line));
    expect((await verifyAuditLog(dir)).integrity.ok).toBe(true);
  });
});
