import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';

it('the README quick start runs as written against the built package and prints what it says', async () => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Quick start'));
  const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  expect(code).toBeDefined();
  const dist = pathToFileURL(fileURLToPath(new URL('../dist/index.js', import.meta.url))).href;
  const dir = await mkdtemp(join(tmpdir(), 'trace-nondet-readme-'));
  try {
    const file = join(dir, 'quickstart.mjs');
    await writeFile(file, code!.replace("from '@trace/nondet'", `from ${JSON.stringify(dist)}`));
    const result = spawnSync(process.execPath, [file], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    // Every `console.log(...); // expected` line in the README prints exactly its comment.
    const expected = code!
      .split('\n')
      .filter((line) => line.includes('console.log(') && line.includes('); // '))
      .map((line) => line.slice(line.indexOf('); // ') + 6));
    expect(result.stdout.trim().split('\n')).toEqual(expected);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
