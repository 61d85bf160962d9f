// The round trip runs as a test: as a user runs it, in a child process, through the packages'
// built output — with TRACE_MODE and CI set, which must not change what it does.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { openSqliteStore } from '@trace/store-sqlite';
import { afterAll, expect, it } from 'vitest';

const run = promisify(execFile);
const demo = fileURLToPath(new URL('./demo.mjs', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'trace-roundtrip-test-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

it('records a run into a tape, reopens and verifies it, and replays it with the server stopped', async () => {
  const { stdout } = await run(process.execPath, [demo, '--out', out], {
    env: { ...process.env, TRACE_MODE: 'replay', CI: 'true' },
  });
  const lines = stdout.trim().split('\n');
  expect(lines.filter((line) => /^ {2}(PASS|FAIL) /.test(line))).toEqual([
    '  PASS  the file reopens and holds every event, in the order they happened',
    '  PASS  the clock and the random number are draws, as a nondeterminism source made them',
    '  PASS  fingerprint after reopen equals the recorded one',
    '  PASS  the streamed response kept its chunk boundaries',
    '  PASS  the refused connection was kept as a transport error',
    '  PASS  verify: every blob re-hashed, the chain recomputed',
    '  PASS  replayed with the server stopped: the same output',
    '  PASS  replay: every exchange matched by hash and every draw consumed, fingerprint unchanged',
  ]);
  expect(lines.at(-1)).toBe('all checks passed');
  expect(stdout).not.toContain('replay failed');

  // The tape it names is there, finished, and holds what the receipt says.
  const path = join(out, 'run.tape.db');
  expect(stdout).toContain(`  tape file:    ${path}\n`);
  const store = openSqliteStore(path, { readonly: true });
  const [summary] = store.list();
  const tape = store.load(summary.id);
  store.close();
  expect(summary.complete).toBe(true);
  expect(stdout).toContain(`  run id:       ${summary.id}\n`);
  expect(stdout).toContain(`  fingerprint:  ${summary.fingerprint}\n`);
  expect(stdout).toContain('  events:       {"draw":2,"exchange":3,"annotation":1}\n');
  expect(tape.events.filter((e) => e.type === 'draw').map((e) => e.kind)).toEqual([
    'clock.wall',
    'random.float',
  ]);
});
