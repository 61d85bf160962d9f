import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GENESIS_HASH } from '@trace/spec';
import { fakeCredential } from '@trace/test-utils';
import { describe, expect, it } from 'vitest';
import { dayFiles, keys, steppingClock, tempDir } from './__tests__/helpers.js';
import { AuditError } from './errors.js';
import { type AuditEntry, createCollector, openAuditLog, verifyAuditLog } from './index.js';

const phase = (iteration: number, name = 'propose') => ({
  iteration,
  phase: name as 'propose',
  status: 'succeeded' as const,
  startedAt: '2026-03-01T12:00:00.000Z',
  endedAt: '2026-03-01T12:00:01.000Z',
});

describe('openAuditLog / append', () => {
  it('chains entries: seq from 1, prev is the previous hash, genesis is 64 zeros', async () => {
    const dir = await tempDir();
    const log = await openAuditLog(dir, { now: steppingClock().now, signingKey: keys.privateKey });
    const a = await log.append('note', { n: 1 }, { session: 's' });
    const b = await log.phase(phase(0), { session: 's' });
    expect(a.seq).toBe(1);
    expect(a.prev).toBe(GENESIS_HASH);
    expect(b.seq).toBe(2);
    expect(b.prev).toBe(a.hash);
    expect(log.head).toEqual({ seq: 2, hash: b.hash });
    await log.close();
    const files = await dayFiles(dir);
    expect([...files.keys()]).toEqual(['2026-03-01.jsonl']);
    const lines = files.get('2026-03-01.jsonl')!;
    expect(lines.map((l) => JSON.parse(l).seq)).toEqual([1, 2]);
    expect(JSON.parse(lines[0]!)).toEqual({ ...a });
  });

  it('keeps one consistent chain under many concurrent appends', async () => {
    const dir = await tempDir();
    const log = await openAuditLog(dir, { durability: 'none', signingKey: keys.privateKey });
    const results = await Promise.all(
      Array.from({ length: 2000 }, (_, i) => log.append('n', { i })),
    );
    expect(results.map((e) => e.seq)).toEqual(Array.from({ length: 2000 }, (_, i) => i + 1));
    for (let i = 1; i < results.length; i++) expect(results[i]!.prev).toBe(results[i - 1]!.hash);
    // Call order is log order.
    expect(results.map((e) => e.payload.i)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    await log.close();
    const report = await verifyAuditLog(dir, { publicKey: keys.publicKey });
    expect(report.ok).toBe(true);
    expect(report.checked).toBe(2000);
  });

  it('rotates by UTC day of the injected clock, continues the chain, and checkpoints each rotation', async () => {
    const dir = await tempDir();
    const clock = steppingClock('2026-03-01T23:59:58.000Z', 1000);
    const checkpoints: number[] = [];
    const log = await openAuditLog(dir, {
      now: clock.now,
      signingKey: keys.privateKey,
      onCheckpoint: (cp) => checkpoints.push(cp.seq),
    });
    for (let i = 0; i < 3; i++) await log.append('n', { i }); // 23:59:58, 23:59:59, 00:00:00
    clock.set('2026-03-04T08:00:00.000Z');
    const last = await log.append('n', { i: 3 });
    await log.close();
    const files = await dayFiles(dir);
    expect([...files.keys()]).toEqual(['2026-03-01.jsonl', '2026-03-02.jsonl', '2026-03-04.jsonl']);
    expect(files.get('2026-03-02.jsonl')!.map((l) => JSON.parse(l).prev)).toEqual([
      JSON.parse(files.get('2026-03-01.jsonl')![1]!).hash,
    ]);
    expect(last.seq).toBe(4);
    expect(checkpoints).toEqual([2, 3, 4]); // two rotations, then close
    const report = await verifyAuditLog(dir, { publicKey: keys.publicKey });
    expect(report).toMatchObject({
      ok: true,
      checked: 4,
      completeness: { provenThrough: 4, checkpoints: 3 },
    });
  });

  it('never lets timestamps run backwards, even when the injected clock does', async () => {
    const dir = await tempDir();
    const times = [
      '2026-03-02T10:00:00.000Z',
      '2026-03-01T09:00:00.000Z',
      '2026-03-02T11:00:00.000Z',
    ];
    let i = 0;
    const log = await openAuditLog(dir, { now: () => new Date(times[i++]!) });
    const entries = [
      await log.append('n', {}),
      await log.append('n', {}),
      await log.append('n', {}),
    ];
    await log.close();
    expect(entries.map((e) => e.ts)).toEqual([times[0], times[0], times[2]]);
    expect([...(await dayFiles(dir)).keys()]).toEqual(['2026-03-02.jsonl']);
  });

  it('continues the chain when reopened, and refuses the wrong HMAC key', async () => {
    const dir = await tempDir();
    const key = 'k'.repeat(32);
    const first = await openAuditLog(dir, { key, signingKey: keys.privateKey });
    const a = await first.append('n', { i: 1 });
    await first.close();
    const second = await openAuditLog(dir, { key, signingKey: keys.privateKey });
    const b = await second.append('n', { i: 2 });
    await second.close();
    expect(b.prev).toBe(a.hash);
    expect(b.seq).toBe(2);
    await expect(
      openAuditLog(dir, { key: 'w'.repeat(32), signingKey: keys.privateKey }),
    ).rejects.toMatchObject({ code: 'AUDIT_KEY_MISMATCH' });
    await expect(openAuditLog(dir, {})).rejects.toMatchObject({ code: 'AUDIT_KEY_MISMATCH' });
    expect((await verifyAuditLog(dir, { key, publicKey: keys.publicKey })).ok).toBe(true);
  });

  it('refuses invalid events with AUDIT_INVALID_EVENT, without touching the chain', async () => {
    const dir = await tempDir();
    const log = await openAuditLog(dir, {});
    await expect(log.append('audit.repair', {})).rejects.toMatchObject({
      code: 'AUDIT_INVALID_EVENT',
    });
    await expect(log.append('', {})).rejects.toMatchObject({ code: 'AUDIT_INVALID_EVENT' });
    await expect(log.append('n', [] as never)).rejects.toMatchObject({
      code: 'AUDIT_INVALID_EVENT',
    });
    await expect(log.append('n', { x: Number.NaN })).rejects.toMatchObject({
      code: 'AUDIT_INVALID_EVENT',
    });
    await expect(log.append('phase', { iteration: true } as never)).rejects.toMatchObject({
      code: 'AUDIT_INVALID_EVENT',
    });
    await expect(log.append('n', { big: 'x'.repeat(2_000_000) })).rejects.toMatchObject({
      code: 'AUDIT_INVALID_EVENT',
    });
    const ok = await log.append('n', {});
    expect(ok.seq).toBe(1);
    await log.close();
    await expect(log.append('n', {})).rejects.toMatchObject({ code: 'AUDIT_CLOSED' });
  });

  it('treats event types named like Object.prototype members as plain custom types', async () => {
    const dir = await tempDir();
    const log = await openAuditLog(dir, { signingKey: keys.privateKey });
    const types = ['toString', 'valueOf', 'hasOwnProperty', '__proto__', 'constructor'];
    for (const type of types) {
      const entry = await log.append(type, { a: 1 });
      expect(entry.type).toBe(type);
      expect(entry.payload).toEqual({ a: 1 });
    }
    await log.close();
    const report = await verifyAuditLog(dir, { publicKey: keys.publicKey });
    expect(report).toMatchObject({ ok: true, checked: types.length });
    // The log can still be continued: its newest entry is a valid one.
    const again = await openAuditLog(dir, { signingKey: keys.privateKey });
    expect((await again.append('n', {})).seq).toBe(types.length + 1);
    await again.close();
  });

  it('redacts credentials before they reach disk', async () => {
    const dir = await tempDir();
    const log = await openAuditLog(dir, {});
    const secret = fakeCredential('anthropic_key').text;
    const entry = await log.append('n', {
      headers: { Authorization: `Bearer ${secret}` },
      note: `used ${secret} here`,
      apiKey: secret,
      inputTokens: 12,
    });
    // A credential that the 200-character cut of an error text would cut short is still caught,
    // and the cut never splits the placeholder that replaced it.
    const failed = await log.phase({
      ...phase(0, 'execute'),
      status: 'failed',
      error: `${'e'.repeat(199 - 'sk-'.length - 12)}${secret}`,
    });
    expect(failed.payload.error).toBe(`${'e'.repeat(184)}…`);
    const short = await log.phase({
      ...phase(0, 'execute'),
      status: 'failed',
      error: `${'e'.repeat(150)}${secret}`,
    });
    expect(short.payload.error).toBe(`${'e'.repeat(150)}[REDACTED:anthropic_key]`);
    await log.close();
    const text = [...(await dayFiles(dir)).values()].flat().join('\n');
    expect(text).not.toContain(secret);
    expect(text).not.toContain(secret.slice(0, 15));
    expect(entry.payload).toEqual({
      headers: { Authorization: '[REDACTED:authorization]' },
      note: 'used [REDACTED:anthropic_key] here',
      apiKey: '[REDACTED:api_key]',
      inputTokens: 12,
    });
  });

  it('surfaces a failed write as a typed error, then recovers and keeps the chain whole', async () => {
    const dir = await tempDir();
    const clock = steppingClock('2026-03-01T23:59:59.000Z', 1000);
    const log = await openAuditLog(dir, { now: clock.now, signingKey: keys.privateKey });
    // The next day's file name is taken by a directory: opening it for append fails for real.
    await mkdir(join(dir, '2026-03-02.jsonl'));
    await log.append('n', { i: 1 });
    const failed = log.append('n', { i: 2 });
    await expect(failed).rejects.toSatisfy(
      (error: unknown) =>
        AuditError.isInstance(error) &&
        (error as AuditError).code === 'AUDIT_WRITE_FAILED' &&
        (error as AuditError).cause !== undefined,
    );
    expect(log.head.seq).toBe(1);
    clock.set('2026-03-03T00:00:00.000Z');
    const next = await log.append('n', { i: 3 });
    expect(next.seq).toBe(2);
    await log.close();
    await rm(join(dir, '2026-03-02.jsonl'), { recursive: true });
    const report = await verifyAuditLog(dir, { publicKey: keys.publicKey });
    expect(report.ok).toBe(true);
    expect(report.checked).toBe(2);
  });

  it('a directory in place of a day file makes open fail with a typed error, not a raw one', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, '2026-03-02.jsonl'));
    await expect(openAuditLog(dir, {})).rejects.toMatchObject({ code: 'AUDIT_READ_FAILED' });
  });

  it('in warn mode resolves false and warns instead of throwing', async () => {
    const dir = await tempDir();
    const clock = steppingClock('2026-03-01T23:59:59.000Z', 1000);
    const warnings: string[] = [];
    const log = await openAuditLog(dir, {
      now: clock.now,
      onError: 'warn',
      warn: (message) => warnings.push(message),
    });
    await mkdir(join(dir, '2026-03-02.jsonl'));
    expect(await log.append('n', {})).not.toBe(false);
    expect(await log.append('n', {})).toBe(false);
    expect(await log.append('n', { bad: Number.NaN })).toBe(false);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/not written/);
    await log.close();
  });

  it('calls listeners after the write; a throwing listener breaks neither the caller nor the log', async () => {
    const dir = await tempDir();
    const warnings: string[] = [];
    const log = await openAuditLog(dir, { warn: (m) => warnings.push(m) });
    const seen: AuditEntry[] = [];
    log.subscribe(() => {
      throw new Error('listener bug');
    });
    log.subscribe(async () => {
      throw new Error('async listener bug');
    });
    const off = log.subscribe((entry) => {
      seen.push(entry);
    });
    const entry = await log.append('n', { i: 1 });
    off();
    await log.append('n', { i: 2 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([entry]);
    expect(warnings.filter((w) => w.includes('listener'))).toHaveLength(4);
    await log.close();
    expect((await verifyAuditLog(dir)).integrity.ok).toBe(true);
  });

  it('an entry written and reported written stays written even when summarising it for listeners fails', async () => {
    const dir = await tempDir();
    const warnings: string[] = [];
    const log = await openAuditLog(dir, {
      signingKey: keys.privateKey,
      warn: (message) => warnings.push(message),
    });
    const seen: number[] = [];
    log.subscribe((entry) => {
      seen.push(entry.seq);
    });
    // A subject that encodes fine when appended but throws on any later look (a revoked proxy):
    // building the listeners' summary fails after the entry is on disk.
    const { proxy, revoke } = Proxy.revocable({ id: 'cand-1' }, {});
    const pending = log.decision({
      action: 'promote',
      approved: true,
      votes: [],
      subject: proxy,
      reason: 'r',
    });
    revoke();
    expect((await pending).seq).toBe(1);
    expect((await log.append('n', { i: 2 })).seq).toBe(2);
    await log.close();
    expect(seen).toEqual([2]);
    expect(warnings.some((w) => w.includes('listener'))).toBe(true);
    const lines = [...(await dayFiles(dir)).values()].flat().map((l) => JSON.parse(l));
    expect(lines.map((e) => [e.seq, e.type])).toEqual([
      [1, 'decision'],
      [2, 'n'],
    ]);
    expect(await verifyAuditLog(dir, { publicKey: keys.publicKey })).toMatchObject({
      ok: true,
      checked: 2,
    });
  });

  it('an onCheckpoint callback that throws (with a warn that throws too) fails neither rotation nor close', async () => {
    const dir = await tempDir();
    const clock = steppingClock('2026-03-01T23:59:59.000Z', 1000);
    const log = await openAuditLog(dir, {
      now: clock.now,
      signingKey: keys.privateKey,
      onCheckpoint: () => {
        throw new Error('shipping failed');
      },
      warn: () => {
        throw new Error('warn failed too');
      },
    });
    await log.append('n', { i: 1 });
    expect((await log.append('n', { i: 2 })).seq).toBe(2); // rotates: a checkpoint is written
    await log.close(); // writes the close checkpoint
    expect(await verifyAuditLog(dir, { publicKey: keys.publicKey })).toMatchObject({
      ok: true,
      checked: 2,
      completeness: { checkpoints: 2, provenThrough: 2 },
    });
  });

  it('shows listeners only a whitelisted summary of a decision subject, and stores it whole', async () => {
    const dir = await tempDir();
    const log = await openAuditLog(dir, {});
    const collector = createCollector();
    collector.attach(log);
    const subject = {
      id: 'cand-7',
      kind: 'prompt',
      body: 'the full prompt text',
      nested: { score: 1 },
    };
    const stored = await log.decision({
      action: 'promote',
      approved: true,
      votes: [{ voter: 'eval', passed: true, reason: 'beats baseline' }],
      subject,
      reason: '2 of 2',
    });
    await log.close();
    expect(stored.payload.subject).toEqual(subject);
    expect(collector.entries()[0]!.payload).toMatchObject({
      subject: { id: 'cand-7', kind: 'prompt' },
    });
    expect(JSON.stringify(collector.entries()[0])).not.toContain('full prompt');
  });

  it('writes checkpoints on demand and refuses them without a signing key', async () => {
    const dir = await tempDir();
    const log = await openAuditLog(dir, { signingKey: keys.privateKey, origin: 'test-log' });
    await log.append('n', {});
    const cp = await log.checkpoint();
    expect(cp).toMatchObject({
      v: 1,
      origin: 'test-log',
      seq: 1,
      count: 1,
      reason: 'manual',
      prev: GENESIS_HASH,
      keyId: null,
    });
    await log.close();
    const lines = (await readFile(join(dir, 'checkpoints.jsonl'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(1); // close adds none: nothing new since the manual one
    const plain = await openAuditLog(await tempDir(), {});
    await expect(plain.checkpoint()).rejects.toMatchObject({ code: 'AUDIT_INVALID_OPTIONS' });
    await plain.close();
  });

  it('repairs a torn checkpoints.jsonl line on open and logs that repair in the chain', async () => {
    const dir = await tempDir();
    const first = await openAuditLog(dir, { signingKey: keys.privateKey });
    await first.append('n', {});
    await first.close();
    await writeFile(
      join(dir, 'checkpoints.jsonl'),
      `${await readFile(join(dir, 'checkpoints.jsonl'), 'utf8')}{"v":1,"orig`,
    );
    const second = await openAuditLog(dir, { signingKey: keys.privateKey });
    expect(second.repairs).toEqual([
      {
        file: 'checkpoints.jsonl',
        reason: 'torn_last_line',
        offset: expect.any(Number),
        bytes: 12,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    ]);
    await second.close();
    const lines = [...(await dayFiles(dir)).values()].flat().map((l) => JSON.parse(l));
    expect(lines.map((e) => e.type)).toEqual(['n', 'audit.repair']);
    expect(await verifyAuditLog(dir, { publicKey: keys.publicKey })).toMatchObject({
      ok: true,
      crashArtefacts: [],
    });
  });

  it('refuses to continue a log shorter than its latest checkpoint', async () => {
    const dir = await tempDir();
    const log = await openAuditLog(dir, { signingKey: keys.privateKey, now: steppingClock().now });
    await log.append('n', { i: 1 });
    await log.append('n', { i: 2 });
    await log.close();
    const path = join(dir, '2026-03-01.jsonl');
    const lines = (await readFile(path, 'utf8')).split('\n');
    await writeFile(path, `${lines[0]}\n`);
    await expect(openAuditLog(dir, { signingKey: keys.privateKey })).rejects.toMatchObject({
      code: 'AUDIT_CHECKPOINT_AHEAD',
    });
  });

  it('rejects bad options with AUDIT_INVALID_OPTIONS', async () => {
    const dir = await tempDir();
    await expect(openAuditLog(dir, { durability: 'sometimes' as never })).rejects.toMatchObject({
      code: 'AUDIT_INVALID_OPTIONS',
    });
    await expect(openAuditLog(dir, { key: 'short' })).rejects.toMatchObject({
      code: 'AUDIT_INVALID_OPTIONS',
    });
    await expect(openAuditLog(dir, { signingKey: 'not a key' })).rejects.toMatchObject({
      code: 'AUDIT_INVALID_OPTIONS',
    });
    await expect(openAuditLog(dir, { signingKey: keys.publicKey })).rejects.toMatchObject({
      code: 'AUDIT_INVALID_OPTIONS',
    });
    for (const bad of [
      { now: 'not a clock' },
      { origin: 5 },
      { origin: '' },
      { maxPayloadChars: Number.NaN },
      { maxPayloadChars: -1 },
      { subjectWhitelist: 'id' },
      { warn: 1 },
      { onCheckpoint: 'ship it' },
      { redact: 'no' },
    ]) {
      await expect(
        openAuditLog(dir, { ...bad, signingKey: keys.privateKey } as never),
        JSON.stringify(bad),
      ).rejects.toMatchObject({ code: 'AUDIT_INVALID_OPTIONS' });
    }
    // None of them left anything behind: the log opens and continues normally.
    const fine = await openAuditLog(dir, { signingKey: keys.privateKey });
    await fine.append('n', {});
    await fine.close();
    expect((await verifyAuditLog(dir, { publicKey: keys.publicKey })).ok).toBe(true);
    const log = await openAuditLog(dir, { now: () => Number.NaN, signingKey: keys.privateKey });
    await expect(log.append('n', {})).rejects.toMatchObject({ code: 'AUDIT_INVALID_OPTIONS' });
    await log.close();
  });

  it('fsyncs at an interval in interval mode and on flush', async () => {
    const dir = await tempDir();
    const log = await openAuditLog(dir, { durability: 'interval', fsyncIntervalMs: 10 });
    await log.append('n', {});
    await log.flush();
    await new Promise((resolve) => setTimeout(resolve, 30));
    await log.close();
    expect((await verifyAuditLog(dir)).integrity.ok).toBe(true);
  });
});
