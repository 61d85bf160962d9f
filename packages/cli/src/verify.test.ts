import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { openAuditLog } from '@trace/audit';
import { describe, expect, inject, it } from 'vitest';
import { trace } from './__tests__/trace.js';

/** better-sqlite3, as the store uses it: to change a store file behind its back. */
const Database = createRequire(
  createRequire(import.meta.url).resolve('@trace/store-sqlite/package.json'),
)('better-sqlite3') as new (
  path: string,
) => { exec(sql: string): void; close(): void };

describe('trace verify', () => {
  it('a sound store: its full report, exit 0', () => {
    const { demo1 } = inject('fixtures');
    const run = trace(['verify', join(demo1, 'run.tape.db')]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /^ok +agent-run · 89 events · [0-9a-f]{12}\nverified: 1 tape, \d+ blobs \([\d.]+ KB\), 0 problems · /,
    );
  });

  it('stored counts that disagree with the events: the tape-summary problem, rendered, exit 1', () => {
    const { demo1, dir } = inject('fixtures');
    const path = join(dir, 'summary.tape.db');
    copyFileSync(join(demo1, 'run.tape.db'), path);
    const db = new Database(path);
    db.exec("UPDATE tapes SET draw_count = 999 WHERE id = 'agent-run'");
    db.close();
    const run = trace(['verify', path]);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(
      /^problem: tape agent-run: what the store keeps beside its events disagrees with them: the stored counts say 999 draw; its events hold \d+ draw$/m,
    );
    expect(run.stdout).toMatch(/^FAILED: 1 tape, \d+ blobs \([\d.]+ KB\), 1 problem · /m);
    expect(JSON.parse(trace(['verify', path, '--json']).stdout).problems).toEqual([
      expect.objectContaining({ kind: 'tape-summary', tapeId: 'agent-run' }),
    ]);
  });
});

describe('trace audit verify', () => {
  it('the example agent’s log with its public key: integrity and completeness, exit 0', () => {
    const { demo1 } = inject('fixtures');
    const run = trace([
      'audit',
      'verify',
      join(demo1, 'audit'),
      '--key',
      join(demo1, 'audit-public-key.pem'),
    ]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /^30 entries in 1 file, head seq 30 [0-9a-f]{12}\nok +integrity\nok +completeness: proven through seq 30/,
    );
  });

  it('an edited entry: exit 1, and --json locates it', () => {
    const { demo1, dir } = inject('fixtures');
    const copy = join(dir, 'audit-edited');
    cpSync(join(demo1, 'audit'), copy, { recursive: true });
    const day = readdirSync(copy).find((name) => /^\d{4}-\d{2}-\d{2}\.jsonl$/.test(name)) as string;
    const text = readFileSync(join(copy, day), 'utf8');
    expect(text).toMatch(/"inputTokens":\d+/);
    writeFileSync(
      join(copy, day),
      text.replace(/"inputTokens":(\d+)/, (_, n) => `"inputTokens":${Number(n) + 1}`),
    );
    const run = trace([
      'audit',
      'verify',
      copy,
      '--key',
      join(demo1, 'audit-public-key.pem'),
      '--json',
    ]);
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.ok).toBe(false);
    expect(report.integrity.problem.file).toBe(day);
  });

  it('entries after the last signed checkpoint: verified, and said plainly to be unproven', async () => {
    const { demo1, dir } = inject('fixtures');
    const copy = join(dir, 'audit-tail');
    cpSync(join(demo1, 'audit'), copy, { recursive: true });
    // A writer without the signing key appends two entries no checkpoint covers.
    const log = await openAuditLog(copy, {});
    const session = log.forSession('trip-planner');
    for (const tool of ['get_weather', 'get_weather'])
      await session.toolCall({ tool, status: 'ok', durationMs: 1, fromScript: false });
    await log.close();
    const key = join(demo1, 'audit-public-key.pem');
    const run = trace(['audit', 'verify', copy, '--key', key]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(
      'ok     completeness: proven through seq 30 by 1 signed checkpoint\nUNPROVEN: 2 entries (seq 31 to 32), after the last signed checkpoint: removing them would not show\n',
    );
    // The verifier's own verdict, in words, is the last line.
    const last = run.stdout.trimEnd().split('\n').at(-1);
    expect(last).toMatch(
      /^verified\. 32 entries are intact, .* UNPROVEN: 2 entries \(seq 31 to 32\) after the last signed checkpoint/,
    );
    const report = JSON.parse(trace(['audit', 'verify', copy, '--key', key, '--json']).stdout);
    expect(report.completeness).toMatchObject({ ok: true, unanchored: 2, unanchoredFrom: 31 });
    expect(report.summary).toBe(last);
  });

  it('an empty folder proves nothing: empty_unproven, exit 1', () => {
    const { demo1, dir } = inject('fixtures');
    const empty = join(dir, 'audit-empty');
    mkdirSync(empty, { recursive: true });
    const run = trace(['audit', 'verify', empty, '--key', join(demo1, 'audit-public-key.pem')]);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^FAILED completeness: empty_unproven: the log holds no entries/m);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toMatch(/^FAILED\. .*empty_unproven/);
  });

  it('a missing key file is one line, exit 2', () => {
    const { demo1 } = inject('fixtures');
    const run = trace(['audit', 'verify', join(demo1, 'audit'), '--key', 'nope.pem']);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      'trace: Cannot read the public key nope.pem: check the path. [CLI_FILE_NOT_FOUND]\n',
    );
  });
});

describe('trace rm, gc, stats', () => {
  it('rm deletes a tape; an unknown id deletes nothing, exit 2', () => {
    const { fixtureStore, dir } = inject('fixtures');
    const path = join(dir, 'rm.tape.db');
    copyFileSync(fixtureStore, path);
    expect(trace(['rm', path, 'fixture', 'nope']).status).toBe(2);
    expect(JSON.parse(trace(['ls', path, '--json']).stdout)).toHaveLength(1);
    const run = trace(['rm', path, 'fixture']);
    // Two request bodies, one whole response body, and two streams each kept as one blob (store
    // formats 6 and 7; their seven chunks were seven blobs before): five blobs.
    expect(run.stdout).toBe('deleted fixture (5 blobs freed)\n');
    expect(trace(['ls', path]).stdout).toBe('no tapes\n');
  });

  it('stats counts each distinct body once', () => {
    const { fixtureStore } = inject('fixtures');
    const stats = JSON.parse(trace(['stats', fixtureStore, '--json']).stdout);
    expect(stats).toMatchObject({
      tapes: 1,
      perTape: [{ id: 'fixture', events: 7, sharedBytes: 0 }],
    });
    expect(stats.perTape[0].bytes).toBe(stats.contentBytes);
  });

  it('gc on a store of complete tapes removes nothing', () => {
    const { fixtureStore } = inject('fixtures');
    expect(trace(['gc', fixtureStore, '--dry-run']).stdout).toBe(
      'nothing to collect: every tape is complete\n',
    );
  });
});
