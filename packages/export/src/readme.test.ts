import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('README', () => {
  it('the quick start runs as written against the built package and prints what it says', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const code = /## Quick start\n\n```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    const dist = new URL('../dist/index.js', import.meta.url).href;
    const dir = await mkdtemp(join(tmpdir(), 'trace-export-readme-'));
    const file = join(dir, 'quick-start.mjs');
    await writeFile(file, code!.replace("from '@trace/export'", `from '${dist}'`));
    const { stdout } = await run(process.execPath, [file]);
    expect(stdout).toContain('trace.action-trace 1 2');
    expect(stdout).toContain('GET https://api.example.com?api_key=[REDACTED:api_key] failed: 401');
    expect(stdout).toContain("'invoke_agent my-agent'");
    expect(stdout).not.toContain('abc123');
  });

  it('the schema is reachable by its package path', () => {
    const schema = createRequire(import.meta.url)('@trace/export/schema/v1.json') as {
      $schema: string;
    };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });
});
