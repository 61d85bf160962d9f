import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { fakeCredential } from '@trace/test-utils';
import { describe, expect, it } from 'vitest';
import { validateEnvelope } from './__tests__/test-support.js';
import type { ActionTrace } from './contract.js';
import type { ActionTraceDraft } from './draft.js';
import { exportActionTraces } from './export.js';
import { exportJsonl, readJsonl, writeJsonl } from './jsonl.js';

function* drafts(n: number, secret: string): Generator<ActionTraceDraft> {
  for (let i = 0; i < n; i++) {
    yield {
      runId: 'r',
      kind: 'tool_call',
      name: 'fetch',
      invokedAt: i * 1000,
      status: i % 7 === 0 ? 'failed' : 'succeeded',
      ...(i % 7 === 0 ? { error: `failed with ${secret}` } : {}),
      arguments: { i, auth: secret, text: `use ${secret}` },
    };
  }
}

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

describe('JSONL export', () => {
  it('writes a header and one redacted trace per line to a file, and reads them back', async () => {
    const secret = fakeCredential('anthropic_key').text;
    const dir = await mkdtemp(join(tmpdir(), 'trace-export-jsonl-'));
    const path = join(dir, 'traces.jsonl');
    const file = createWriteStream(path);
    const result = await writeJsonl(drafts(2500, secret), file);
    file.end();
    await finished(file);
    const text = await readFile(path, 'utf8');
    expect(text).not.toContain(secret);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(2501);
    expect(JSON.parse(lines[0]!)).toEqual({
      schema: 'trace.action-trace',
      version: 1,
      format: 'jsonl',
    });
    expect(result).toEqual({ traces: 2500, bytes: Buffer.byteLength(text) });
    const back = await collect(readJsonl(createReadStream(path)));
    const whole = exportActionTraces(drafts(2500, secret));
    expect(back).toEqual(JSON.parse(JSON.stringify(whole.traces)));
    expect(validateEnvelope({ schema: 'trace.action-trace', version: 1, traces: back })).toBe(true);
  });

  it('waits for a slow destination to drain instead of buffering', async () => {
    let drains = 0;
    let maxBuffered = 0;
    const slow = new Writable({
      highWaterMark: 1024,
      write(_chunk, _enc, done) {
        setImmediate(done);
      },
    });
    slow.on('drain', () => drains++);
    const original = slow.write.bind(slow);
    slow.write = ((chunk: string) => {
      const ok = original(chunk);
      maxBuffered = Math.max(maxBuffered, slow.writableLength);
      return ok;
    }) as typeof slow.write;
    const result = await writeJsonl(drafts(3000, 'x'), slow);
    expect(result.traces).toBe(3000);
    expect(drains).toBeGreaterThan(0);
    // Never more than one pending chunk (about 64 KiB) was held by the stream.
    expect(maxBuffered).toBeLessThan(200 * 1024);
  });

  it('streams lines lazily from an async source', async () => {
    async function* source(): AsyncGenerator<ActionTraceDraft> {
      yield* drafts(3, 's');
    }
    const lines = await collect(exportJsonl(source()));
    expect(lines).toHaveLength(4);
    expect(lines.every((l) => l.endsWith('\n'))).toBe(true);
  });

  it('refuses newer versions, damaged lines and empty sources', async () => {
    const header = (version: number) =>
      `${JSON.stringify({ schema: 'trace.action-trace', version, format: 'jsonl' })}\n`;
    await expect(collect(readJsonl([header(2)]))).rejects.toMatchObject({
      code: 'EXPORT_VERSION_UNSUPPORTED',
    });
    await expect(collect(readJsonl([header(1), '{"id":'] as string[]))).rejects.toMatchObject({
      code: 'EXPORT_NOT_AN_EXPORT',
      details: { line: 2 },
    });
    await expect(collect(readJsonl([]))).rejects.toMatchObject({ code: 'EXPORT_NOT_AN_EXPORT' });
    // An envelope written on one line is not a JSONL stream: refused, not read as a header
    // with its traces silently dropped.
    const envelope = exportActionTraces(drafts(2, 's'));
    await expect(collect(readJsonl([`${JSON.stringify(envelope)}\n`]))).rejects.toMatchObject({
      code: 'EXPORT_NOT_AN_EXPORT',
      details: { line: 1 },
    });
    // Every line is checked as a trace, as an envelope's traces are.
    await expect(
      collect(readJsonl([`${header(1)}${JSON.stringify({ id: 'a' })}\n`])),
    ).rejects.toMatchObject({
      code: 'EXPORT_NOT_AN_EXPORT',
      details: { index: 0, field: 'runId' },
    });
    const trace: ActionTrace = { ...envelope.traces[0]!, name: 'é' };
    // A line split across chunks (and a multi-byte character split across bytes) still parses.
    const bytes = new TextEncoder().encode(`${header(1)}${JSON.stringify(trace)}\n`);
    const parts = [
      bytes.slice(0, 70),
      bytes.slice(70, bytes.length - 4),
      bytes.slice(bytes.length - 4),
    ];
    expect(await collect(readJsonl(parts))).toEqual([trace]);
  });
});

describe('JSONL export to a failing destination', () => {
  it('reports as written only the traces the destination accepted', async () => {
    let acceptedText = '';
    let writes = 0;
    const failing = new Writable({
      write(chunk: Buffer, _enc, done) {
        writes++;
        // The disk fills on the third chunk.
        if (writes >= 3) {
          done(new Error('ENOSPC: no space left on device'));
          return;
        }
        acceptedText += chunk.toString();
        setImmediate(done);
      },
    });
    const error = await writeJsonl(drafts(5000, 'x'), failing).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'EXPORT_WRITE_FAILED' });
    const acceptedTraces = acceptedText.split('\n').length - 2; // minus header and final ''
    expect(acceptedTraces).toBeGreaterThan(0);
    // Resuming from details.traces must not skip a trace that never reached the destination.
    expect((error as { details: { traces: number } }).details.traces).toBe(acceptedTraces);
  });
});

describe('JSONL export to another process', () => {
  it('streams every line into a child process that reads them', async () => {
    const child = spawn(
      process.execPath,
      [
        '-e',
        "let n=0,b='';process.stdin.on('data',d=>{b+=d;const l=b.split('\\n');b=l.pop();n+=l.length});process.stdin.on('end',()=>console.log(n))",
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const result = await writeJsonl(drafts(20_000, 'x'), child.stdin);
    child.stdin.end();
    expect(await exited).toBe(0);
    expect(result.traces).toBe(20_000);
    expect(Number(out.trim())).toBe(20_001);
  });

  it('rejects with EXPORT_WRITE_FAILED, without hanging, when the reader dies part-way', async () => {
    const child = spawn(
      process.execPath,
      ['-e', "process.stdin.once('data',()=>process.kill(process.pid,'SIGKILL'))"],
      { stdio: ['pipe', 'ignore', 'inherit'] },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    const error = await writeJsonl(drafts(200_000, 'x'), child.stdin).catch((e: unknown) => e);
    expect(await exited).toBe('SIGKILL');
    expect(error).toMatchObject({ code: 'EXPORT_WRITE_FAILED' });
    expect((error as { details: { traces: number } }).details.traces).toBeLessThan(200_000);
  });
});
