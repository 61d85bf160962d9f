import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { runQuickStart } from '@trace/test-utils';
import { describe, expect, it } from 'vitest';

describe('README', () => {
  it('the quick start runs as written against the built package and prints what it says', () => {
    const stdout = runQuickStart(fileURLToPath(new URL('..', import.meta.url))).printed.join('\n');
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
