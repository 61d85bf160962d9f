import { appendFile, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dayFiles, keys, tempDir } from './__tests__/helpers.js';
import { canonicalJson } from './canonical.js';
import { generateCheckpointKeys, openAuditLog, verifyAuditLog } from './index.js';

const KEY = 'test-hmac-key-'.padEnd(32, 'x');
const DAY_MS = 86_400_000;

/** Writes `days.length` entries; entry i is stamped on day `days[i]` (non-decreasing). */
async function buildLog(dir: string, days: number[], key: string | null = KEY): Promise<void> {
  let i = 0;
  const base = Date.parse('2026-05-01T10:00:00.000Z');
  const log = await openAuditLog(dir, {
    ...(key ? { key } : {}),
    signingKey: keys.privateKey,
    durability: 'none',
    now: () => base + (days[Math.min(i, days.length - 1)] ?? 0) * DAY_MS + i * 1000,
  });
  for (; i < days.length; i++)
    await log.append('note', { i, text: `entry ${i}` }, { session: 's' });
  await log.close();
}

interface Layout {
  names: string[];
  files: string[][];
}

async function readLayout(dir: string): Promise<Layout> {
  const map = await dayFiles(dir);
  return { names: [...map.keys()], files: [...map.values()] };
}

async function writeLayout(dir: string, layout: Layout): Promise<void> {
  for (let f = 0; f < layout.names.length; f++) {
    await writeFile(join(dir, layout.names[f]!), layout.files[f]!.map((l) => `${l}\n`).join(''));
  }
}

/** Global index -> [file index, line index]. */
function positions(layout: Layout): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  layout.files.forEach((lines, f) => {
    lines.forEach((_, l) => {
      out.push([f, l]);
    });
  });
  return out;
}

function editPayload(line: string): string {
  const entry = JSON.parse(line);
  entry.payload.text = `${entry.payload.text} (edited)`;
  return canonicalJson(entry);
}

describe('verifyAuditLog', () => {
  it('passes an untouched log and reports what it checked', async () => {
    const dir = await tempDir();
    await buildLog(dir, [0, 0, 1, 2]);
    const report = await verifyAuditLog(dir, { key: KEY, publicKey: keys.publicKey });
    expect(report).toMatchObject({
      ok: true,
      checked: 4,
      integrity: { ok: true },
      completeness: { ok: true, provenThrough: 4, unanchored: 0 },
      crashArtefacts: [],
    });
    expect(report.head?.seq).toBe(4);
  });

  it('refuses a path that is not a directory rather than call it an intact empty log', async () => {
    await expect(verifyAuditLog(join(await tempDir(), 'nope'))).rejects.toMatchObject({
      code: 'AUDIT_READ_FAILED',
    });
  });

  it('catches an edited entry where it is', async () => {
    const dir = await tempDir();
    await buildLog(dir, [0, 0, 0]);
    const layout = await readLayout(dir);
    layout.files[0]![1] = editPayload(layout.files[0]![1]!);
    await writeLayout(dir, layout);
    const report = await verifyAuditLog(dir, { key: KEY, publicKey: keys.publicKey });
    expect(report.ok).toBe(false);
    expect(report.integrity.problem).toMatchObject({
      kind: 'hash_mismatch',
      file: '2026-05-01.jsonl',
      line: 2,
      seq: 2,
    });
    expect(report.completeness.ok).toBe(true);
  });

  it('without a key catches accidents but not a recomputed chain; with a key catches both', async () => {
    const dir = await tempDir();
    await buildLog(dir, [0, 0], null);
    const layout = await readLayout(dir);
    // A forger without a key recomputes hash and the next prev: an unkeyed chain cannot see it.
    const { createHash } = await import('node:crypto');
    const first = JSON.parse(layout.files[0]![0]!);
    first.payload.text = 'forged';
    const { hash: _h, ...body } = first;
    first.hash = createHash('sha256').update(canonicalJson(body)).digest('hex');
    const second = JSON.parse(layout.files[0]![1]!);
    second.prev = first.hash;
    const { hash: _h2, ...body2 } = second;
    second.hash = createHash('sha256').update(canonicalJson(body2)).digest('hex');
    layout.files[0] = [canonicalJson(first), canonicalJson(second)];
    await writeLayout(dir, layout);
    const report = await verifyAuditLog(dir, { publicKey: keys.publicKey });
    expect(report.integrity.ok).toBe(false); // the signed checkpoint still pins the old head
    expect(report.integrity.problem).toMatchObject({
      kind: 'checkpoint_mismatch',
      line: 2,
      seq: 2,
    });
    expect((await verifyAuditLog(dir)).integrity.ok).toBe(true); // no checkpoint, no key: invisible
  });

  it('reports a wrong key and a missing key as such', async () => {
    const dir = await tempDir();
    await buildLog(dir, [0, 0, 0]);
    expect(
      (await verifyAuditLog(dir, { key: 'another-key'.padEnd(32, 'y'), publicKey: keys.publicKey }))
        .integrity.problem?.kind,
    ).toBe('wrong_key');
    expect((await verifyAuditLog(dir, { publicKey: keys.publicKey })).integrity.problem?.kind).toBe(
      'key_required',
    );
    // Without checkpoints the key problem is still told apart from an edit.
    expect(
      (await verifyAuditLog(dir, { key: 'another-key'.padEnd(32, 'y') })).integrity.problem?.kind,
    ).toBe('wrong_key');
    expect((await verifyAuditLog(dir)).integrity.problem?.kind).toBe('key_required');
  });

  it('does not blame the key when only some entries fail, even the first two', async () => {
    for (const key of [null, KEY]) {
      const dir = await tempDir();
      await buildLog(dir, [0, 0, 0, 0], key);
      const layout = await readLayout(dir);
      layout.files[0]![0] = editPayload(layout.files[0]![0]!);
      layout.files[0]![1] = editPayload(layout.files[0]![1]!);
      await writeLayout(dir, layout);
      const report = await verifyAuditLog(dir, key ? { key } : {});
      expect(report.integrity.problem, String(key)).toMatchObject({
        kind: 'hash_mismatch',
        file: '2026-05-01.jsonl',
        line: 1,
        seq: 1,
      });
    }
  });

  it('reports a torn last line as a crash artefact, not tampering', async () => {
    const dir = await tempDir();
    await buildLog(dir, [0, 0]);
    await appendFile(join(dir, '2026-05-01.jsonl'), '{"hash":"abc');
    const report = await verifyAuditLog(dir, { key: KEY, publicKey: keys.publicKey });
    expect(report.ok).toBe(true);
    expect(report.crashArtefacts).toEqual([
      { file: '2026-05-01.jsonl', line: 3, offset: expect.any(Number), bytes: 12 },
    ]);
  });

  it('flags a torn line that is not at the end of the log as an integrity problem', async () => {
    const dir = await tempDir();
    await buildLog(dir, [0, 1]);
    await appendFile(join(dir, '2026-05-01.jsonl'), '{"hash":"abc');
    const report = await verifyAuditLog(dir, { key: KEY, publicKey: keys.publicKey });
    expect(report.integrity.problem).toMatchObject({
      kind: 'torn_line_mid_log',
      file: '2026-05-01.jsonl',
      line: 2,
    });
  });

  it('proves completeness only with a public key and a checkpoint', async () => {
    const dir = await tempDir();
    await buildLog(dir, [0]);
    expect((await verifyAuditLog(dir, { key: KEY })).completeness.problem?.kind).toBe(
      'no_checkpoint',
    );
    const other = generateCheckpointKeys();
    const report = await verifyAuditLog(dir, { key: KEY, publicKey: other.publicKey });
    expect(report.completeness.problem?.kind).toBe('checkpoint_invalid');
  });

  it('detects a tampered or removed checkpoint line', async () => {
    const dir = await tempDir();
    await buildLog(dir, [0, 1, 2]);
    const path = join(dir, 'checkpoints.jsonl');
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(3);
    await writeFile(path, `${lines[0]}\n${lines[2]}\n`);
    expect(
      (await verifyAuditLog(dir, { key: KEY, publicKey: keys.publicKey })).completeness.problem,
    ).toMatchObject({ kind: 'checkpoint_invalid', line: 2 });
    const forged = JSON.parse(lines[2]!);
    forged.seq = 99;
    forged.count = 99;
    await writeFile(path, `${lines[0]}\n${lines[1]}\n${canonicalJson(forged)}\n`);
    expect(
      (await verifyAuditLog(dir, { key: KEY, publicKey: keys.publicKey })).completeness.problem,
    ).toMatchObject({ kind: 'checkpoint_invalid', line: 3 });
    await writeFile(path, `${lines.join('\n')}\n`);
    const elsewhere = await verifyAuditLog(dir, {
      key: KEY,
      publicKey: keys.publicKey,
      origin: 'another-log',
    });
    expect(elsewhere.completeness.problem).toMatchObject({ kind: 'checkpoint_invalid', line: 1 });
    expect(elsewhere.completeness.problem?.message).toMatch(/another-log/);
  });

  it('accepts several public keys after a signing-key rotation', async () => {
    const dir = await tempDir();
    const newer = generateCheckpointKeys();
    const first = await openAuditLog(dir, { key: KEY, signingKey: keys.privateKey });
    await first.append('n', {});
    await first.close();
    const second = await openAuditLog(dir, { key: KEY, signingKey: newer.privateKey });
    await second.append('n', {});
    await second.close();
    const both = await verifyAuditLog(dir, {
      key: KEY,
      publicKey: [keys.publicKey, newer.publicKey],
    });
    expect(both).toMatchObject({ ok: true, completeness: { checkpoints: 2, provenThrough: 2 } });
    const oldOnly = await verifyAuditLog(dir, { key: KEY, publicKey: [keys.publicKey] });
    expect(oldOnly.completeness.problem).toMatchObject({ kind: 'checkpoint_invalid', line: 2 });
  });

  it('uses checkpoints kept elsewhere to catch a log and checkpoint file truncated together', async () => {
    const dir = await tempDir();
    let kept: unknown;
    const log = await openAuditLog(dir, {
      key: KEY,
      signingKey: keys.privateKey,
      onCheckpoint: (cp) => (kept = cp),
    });
    await log.append('n', {});
    await log.append('n', {});
    await log.close();
    const name = (await readLayout(dir)).names[0]!;
    const path = join(dir, name);
    await writeFile(path, `${(await readFile(path, 'utf8')).split('\n')[0]}\n`);
    await rm(join(dir, 'checkpoints.jsonl'));
    expect(
      (await verifyAuditLog(dir, { key: KEY, publicKey: keys.publicKey })).completeness.problem
        ?.kind,
    ).toBe('no_checkpoint');
    const report = await verifyAuditLog(dir, {
      key: KEY,
      publicKey: keys.publicKey,
      checkpoints: [kept as never],
    });
    expect(report.completeness.problem).toMatchObject({ kind: 'truncated', seq: 2, file: name });
  });

  it('names each kind of damage to a line, at that line', async () => {
    const dir = await tempDir();
    await buildLog(dir, [0, 0, 0], null);
    const { names, files } = await readLayout(dir);
    const original = files[0]!;
    const { createHash } = await import('node:crypto');
    /** Edits entry 2 and recomputes the chain after it: only the edit itself can show. */
    const rechained = (edit: (entry: Record<string, unknown>) => void) => {
      const entries = original.map((line) => JSON.parse(line));
      edit(entries[1]);
      for (let i = 1; i < entries.length; i++) {
        entries[i].prev = entries[i - 1].hash;
        const { hash: _h, ...body } = entries[i];
        entries[i].hash = createHash('sha256').update(canonicalJson(body)).digest('hex');
      }
      return entries.map((entry) => canonicalJson(entry));
    };
    const secondLine = (text: (line: string) => string) =>
      original.map((line, i) => (i === 1 ? text(line) : line));
    const cases: Array<[string, string[]]> = [
      ['not_canonical', secondLine((l) => l.replace('"i":1', '"i": 1'))],
      [
        'not_canonical',
        secondLine((l) => l.replace('"i":1,"text":"entry 1"', '"text":"entry 1","i":1')),
      ],
      ['not_canonical', secondLine((l) => l.replace('"i":1', '"i":1.0'))],
      ['not_canonical', secondLine((l) => l.replace('"entry 1"', '"entr\\u0079 1"'))],
      ['malformed_line', secondLine((l) => l.slice(0, 120))],
      ['malformed_line', secondLine((l) => l.replace(',"v":1}', ',"v":1,"extra":true}'))],
      ['unsupported_version', secondLine((l) => l.replace('"v":1', '"v":2'))],
      ['time_regressed', rechained((e) => (e.ts = '2026-05-01T09:59:59.000Z'))],
      ['misfiled', rechained((e) => (e.ts = '2026-05-02T10:00:01.000Z'))],
      ['hash_mismatch', secondLine((l) => l.replace('"entry 1"', '"entry 9"'))],
      // Nested past what the platform's serializer can write back: a damaged line, not a read error.
      [
        'not_canonical',
        secondLine((l) => l.replace('"entry 1"', `${'['.repeat(20_000)}1${']'.repeat(20_000)}`)),
      ],
    ];
    for (const [kind, lines] of cases) {
      await writeLayout(dir, { names, files: [lines] });
      const report = await verifyAuditLog(dir);
      expect(report.integrity.problem, `${kind}: ${lines[1]}`).toMatchObject({
        kind,
        file: names[0],
        line: 2,
      });
    }
    await writeLayout(dir, { names, files: [original] });
    expect((await verifyAuditLog(dir)).integrity.ok).toBe(true);
  });

  type Corruption =
    | { kind: 'edit'; at: number }
    | { kind: 'delete'; at: number }
    | { kind: 'insert'; copy: number; before: number }
    | { kind: 'reorder'; at: number }
    | { kind: 'truncate'; drop: number; partial: boolean }
    | { kind: 'remove_file'; file: number }
    | { kind: 'wrong_key' };

  const logArb = fc
    .array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 25 })
    .map((steps) => {
      let day = 0;
      return steps.map((step) => (day += step === 2 ? 1 : 0));
    });

  it('property: a single random corruption is reported at the right place and in the right category', async () => {
    await fc.assert(
      fc.asyncProperty(
        logArb,
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0, max: 6 }),
        fc.boolean(),
        async (days, r1, r2, which, flag) => {
          const dir = await tempDir('trace-audit-prop-');
          await buildLog(dir, days);
          const layout = await readLayout(dir);
          const pos = positions(layout);
          const n = pos.length;
          const kinds: Corruption['kind'][] = [
            'edit',
            'delete',
            'insert',
            'reorder',
            'truncate',
            'remove_file',
            'wrong_key',
          ];
          let kind = kinds[which]!;
          if ((kind === 'reorder' || kind === 'insert') && n < 3) kind = 'edit';
          let expectation: {
            category: 'integrity' | 'completeness';
            kind?: string;
            file?: string | null;
            line?: number | null;
            seq?: number | null;
          };
          let key = KEY;
          const nameOf = (g: number) => layout.names[pos[g]![0]]!;
          const lineOf = (g: number) => pos[g]![1] + 1;
          switch (kind) {
            case 'edit': {
              const g = r1 % n;
              const [f, l] = pos[g]!;
              layout.files[f]![l] = editPayload(layout.files[f]![l]!);
              expectation = {
                category: 'integrity',
                kind: 'hash_mismatch',
                file: nameOf(g),
                line: lineOf(g),
                seq: g + 1,
              };
              break;
            }
            case 'delete': {
              const g = r1 % n;
              const [f, l] = pos[g]!;
              layout.files[f]!.splice(l, 1);
              if (g === n - 1)
                expectation = {
                  category: 'completeness',
                  kind: 'truncated',
                  file: nameOf(g),
                  line: null,
                  seq: g + 1,
                };
              else
                expectation = {
                  category: 'completeness',
                  kind: 'missing_entries',
                  file: nameOf(g + 1),
                  line: pos[g + 1]![0] === f ? l + 1 : 1,
                  seq: g + 1,
                };
              break;
            }
            case 'insert': {
              const j = r1 % n;
              const options = Array.from({ length: n + 1 }, (_, p) => p).filter(
                (p) => p !== j && p !== j + 1,
              );
              const p = options[r2 % options.length]!;
              const copy = layout.files[pos[j]![0]]![pos[j]![1]]!;
              const [f, l] =
                p < n
                  ? pos[p]!
                  : [layout.files.length - 1, layout.files[layout.files.length - 1]!.length];
              layout.files[f]!.splice(l, 0, copy);
              expectation = { category: 'integrity', file: layout.names[f]!, line: l + 1 };
              break;
            }
            case 'reorder': {
              const g = r1 % (n - 1);
              const [f1, l1] = pos[g]!;
              const [f2, l2] = pos[g + 1]!;
              const a = layout.files[f1]![l1]!;
              layout.files[f1]![l1] = layout.files[f2]![l2]!;
              layout.files[f2]![l2] = a;
              expectation = { category: 'integrity', file: nameOf(g), line: lineOf(g) };
              break;
            }
            case 'truncate': {
              const last = layout.files.length - 1;
              const lines = layout.files[last]!;
              const drop = 1 + (r1 % lines.length);
              const firstDropped = n - drop;
              const partialText = flag ? lines[lines.length - drop]!.slice(0, 1 + (r2 % 40)) : '';
              layout.files[last] = lines.slice(0, lines.length - drop);
              await writeLayout(dir, layout);
              if (partialText) await appendFile(join(dir, layout.names[last]!), partialText);
              const report = await verifyAuditLog(dir, { key, publicKey: keys.publicKey });
              expect(report.integrity.ok).toBe(true);
              expect(report.completeness.problem).toMatchObject({
                kind: 'truncated',
                file: layout.names[last],
                seq: firstDropped + 1,
              });
              expect(report.crashArtefacts).toHaveLength(partialText ? 1 : 0);
              return;
            }
            case 'remove_file': {
              const f = r1 % layout.names.length;
              await rm(join(dir, layout.names[f]!));
              const report = await verifyAuditLog(dir, { key, publicKey: keys.publicKey });
              expect(report.ok).toBe(false);
              expect(report.integrity.ok).toBe(true);
              expect(report.completeness.problem).toMatchObject({
                kind: 'missing_file',
                file: layout.names[f],
              });
              return;
            }
            case 'wrong_key': {
              key = 'not-the-right-key'.padEnd(32, 'z');
              expectation = {
                category: 'integrity',
                kind: 'wrong_key',
                file: layout.names[0]!,
                line: 1,
              };
              break;
            }
          }
          await writeLayout(dir, layout);
          const report = await verifyAuditLog(dir, { key, publicKey: keys.publicKey });
          expect(report.ok).toBe(false);
          const problem =
            expectation.category === 'integrity'
              ? report.integrity.problem
              : report.completeness.problem;
          expect(problem, JSON.stringify({ kind, report })).toBeDefined();
          const { category: _c, ...fields } = expectation;
          expect(problem).toMatchObject(fields);
          if (expectation.category === 'completeness') expect(report.integrity.ok).toBe(true);
        },
      ),
      { numRuns: 70 },
    );
  }, 60_000);
});
