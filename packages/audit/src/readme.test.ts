import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './__fixtures__/helpers.js';

const BUILT = fileURLToPath(new URL('../dist/index.js', import.meta.url));

describe('README', () => {
  beforeAll(() => {
    if (!existsSync(BUILT))
      throw new Error(
        `${BUILT} is missing: build the package first (npx tsup); these tests run the built output.`,
      );
  });
  it('quick start runs as written against the built package and prints what it says', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const code = /## Quick start\s+```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    const script = code!.replace(
      "from '@trace/audit'",
      `from ${JSON.stringify(pathToFileURL(BUILT).href)}`,
    );
    const path = join(await tempDir('trace-audit-readme-'), 'quickstart.mjs');
    await writeFile(path, script);
    const { stdout } = await promisify(execFile)(process.execPath, [path]);
    expect(stdout.trim().split('\n')).toEqual(['true 4 true true', 'adjust']);
  });
});
