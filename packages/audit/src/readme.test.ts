import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runQuickStart } from '@trace/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';

const BUILT = fileURLToPath(new URL('../dist/index.js', import.meta.url));

describe('README', () => {
  beforeAll(() => {
    if (!existsSync(BUILT))
      throw new Error(
        `${BUILT} is missing: build the package first (npx tsup); these tests run the built output.`,
      );
  });
  it('quick start runs as written against the built package and prints what it says', () => {
    const { printed } = runQuickStart(fileURLToPath(new URL('..', import.meta.url)));
    expect(printed).toEqual(['true 4 true true', 'adjust']);
  });
});
