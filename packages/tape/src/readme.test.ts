import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('the README quick start runs as written against the built package and prints what it says', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const quickStart = readme.split('## Quick start')[1]?.match(/```js\n([\s\S]*?)```/)?.[1];
  expect(quickStart).toBeDefined();
  // Inside the package, so that `@trace/tape` resolves to this package's exports map.
  const dir = fileURLToPath(new URL('../.readme-check/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}quick-start-${process.pid}.mjs`;
  writeFileSync(file, quickStart as string);
  try {
    const output = execFileSync(process.execPath, [file], { encoding: 'utf8' });
    const expected = [...(quickStart as string).matchAll(/\/\/ (.+)$/gm)]
      .map((m) => m[1] as string)
      .filter((comment) => /^[[\d'{]|^true|^false/.test(comment));
    expect(output.trim().split('\n')).toEqual(expected);
  } finally {
    rmSync(file, { force: true });
  }
});
