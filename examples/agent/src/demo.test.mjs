// The demo is the repository's main job, so it runs as a test: as a user runs it, in a child
// process, through the packages' built output and exports maps.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { openSqliteStore } from '@trace/store-sqlite';
import { afterAll, expect, it } from 'vitest';

const run = promisify(execFile);
const demo = fileURLToPath(new URL('./demo.mjs', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'trace-demo-test-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

it('records, replays offline, proves, audits, exports, forks, blames and reports, and every check passes', async () => {
  const { stdout } = await run(process.execPath, [demo, '--out', out, '--iterations', '2'], {
    env: { ...process.env, TRACE_MODE: 'replay' },
  });
  const lines = stdout.trim().split('\n');
  const checks = lines.filter((line) => /^ {2}(PASS|FAIL) /.test(line));
  expect(checks.length).toBe(16);
  expect(checks.filter((line) => line.startsWith('  FAIL'))).toEqual([]);
  expect(lines.at(-1)).toBe('all 16 checks passed');
  expect(stdout).toContain('replay reached it 0 times');

  // The files it says it wrote are there, and hold what it says.
  for (const name of [
    'run.tape.db',
    'audit',
    'audit-public-key.pem',
    'actions.json',
    'otlp.json',
    'report.html',
    'run-report.html',
  ])
    expect(existsSync(join(out, name))).toBe(true);
  const store = openSqliteStore(join(out, 'run.tape.db'), { readonly: true });
  const tapes = store.list();
  store.close();
  // The run, its branch with the planted fault, and the blame result stored beside the branch.
  expect(tapes.map((tape) => tape.id).sort()).toEqual([
    'agent-run',
    'agent-run.faulty-tool',
    'agent-run.faulty-tool.blame',
  ]);
  const summary = tapes.find((tape) => tape.id === 'agent-run');
  expect(stdout).toContain(summary.fingerprint);
  expect(summary).toMatchObject({ id: 'agent-run', complete: true });
  expect(summary.counts.exchange).toBe(6); // 2 iterations x 2 Anthropic calls, and 2 OpenAI calls
  expect(summary.counts.annotation).toBe(2); // each iteration's verdict
  expect(stdout).toContain('  verdicts annotated:    2\n');
  const envelope = JSON.parse(readFileSync(join(out, 'actions.json'), 'utf8'));
  expect(envelope.schema).toBe('trace.action-trace');
  // The demo's fake key never reaches an artefact.
  for (const name of ['run.tape.db', 'actions.json', 'otlp.json', 'report.html', 'run-report.html'])
    expect(readFileSync(join(out, name)).includes(`demo-key-`)).toBe(false);
});
