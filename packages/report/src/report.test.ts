/** buildReport and writeReport against real stores: what they refuse, with which code. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { openSqliteStore } from '@trace/store-sqlite';
import { openMemoryStore } from '@trace/tape';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildReport,
  type ReportBlame,
  type ReportData,
  ReportError,
  writeReport,
} from './index.js';
import { bodyText } from './shared/bodies.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'trace-report-unit-'));
  dirs.push(dir);
  return dir;
}

function storeWithRun() {
  const store = openMemoryStore();
  const recorder = store.record({ id: 'r1' });
  recorder.append({ type: 'annotation', data: { hello: 'world' } });
  recorder.finish();
  return store;
}

/** `value` passed as `blame` the way a JavaScript caller can, past the option's type. */
const untypedBlame = (value: unknown) => value as ReportBlame;

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(ReportError.isInstance(error)).toBe(true);
  return (error as ReportError).code;
}

describe('buildReport', () => {
  it('builds a page holding the run', async () => {
    const html = await buildReport({ store: storeWithRun(), id: 'r1' });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('"hello":"world"');
  });

  it('refuses a missing run, bad options and a blame of another shape or run, each with its code', async () => {
    const store = storeWithRun();
    expect(await codeOf(buildReport({ store, id: 'nope' }))).toBe('REPORT_NO_RUN');
    expect(await codeOf(buildReport({ store, id: '' }))).toBe('REPORT_INVALID_OPTION');
    expect(await codeOf(buildReport({ store, path: 'x.db', id: 'r1' }))).toBe(
      'REPORT_INVALID_OPTION',
    );
    expect(await codeOf(buildReport({ id: 'r1' }))).toBe('REPORT_INVALID_OPTION');
    expect(
      await codeOf(buildReport({ store, id: 'r1', blame: untypedBlame({ version: 2 }) })),
    ).toBe('REPORT_INVALID_BLAME');
    const other = { version: 1, run: 'r2', steps: [], responsible: [], ranking: [] };
    expect(await codeOf(buildReport({ store, id: 'r1', blame: untypedBlame(other) }))).toBe(
      'REPORT_INVALID_BLAME',
    );
    const outOfRange = { ...other, run: 'r1', ranking: [3] };
    expect(await codeOf(buildReport({ store, id: 'r1', blame: untypedBlame(outOfRange) }))).toBe(
      'REPORT_INVALID_BLAME',
    );
  });

  it('reads the blame result stored beside the run, as @trace/blame stores it', async () => {
    const store = storeWithRun();
    const result = {
      version: 1,
      run: 'r1',
      oracle: 'stored oracle',
      steps: [],
      responsible: [],
      ranking: [],
    };
    store.record({ id: 'r1.blame', metadata: { user: { '@trace/blame': result } } }).finish();
    expect(await buildReport({ store, id: 'r1' })).toContain('stored oracle');
    expect(await buildReport({ store, id: 'r1', blame: false })).not.toContain('stored oracle');
  });

  it('refuses an audit log that cannot be read', async () => {
    const dir = tempDir();
    const file = join(dir, 'not-a-dir');
    writeFileSync(file, 'x');
    expect(
      await codeOf(buildReport({ store: storeWithRun(), id: 'r1', audit: { dir: file } })),
    ).toBe('REPORT_AUDIT_UNREADABLE');
  });
});

/** The data a page holds, read back as the page reads it. */
function pageData(html: string): ReportData {
  const match = html.match(
    /<script type="application\/octet-stream" id="trace-data" data-encoding="([^"]+)">([^<]*)<\/script>/,
  );
  expect(match).not.toBeNull();
  const [, encoding, payload] = match as RegExpMatchArray;
  const json =
    encoding === 'gzip+base64'
      ? gunzipSync(Buffer.from(payload as string, 'base64')).toString('utf8')
      : (payload as string);
  return JSON.parse(json) as ReportData;
}

describe('a store of format 7 (blobs kept in chunks and packs, streams kept whole)', () => {
  it('shows every body byte for byte: chat bodies cut at their messages, deflated chunks, a stream, bytes that are not text', async () => {
    const dir = tempDir();
    const path = join(dir, 'runs.tape.db');
    const store = openSqliteStore(path);
    const encode = (text: string) => new TextEncoder().encode(text);
    // Messages of 3 KiB and more, so the store cuts the body at each and compresses the packs;
    // the second request repeats the first conversation, so its chunks are shared.
    const long = (word: string) => `${word} `.repeat(700);
    const first = {
      model: 'claude-trace-demo',
      system: long('system'),
      messages: [{ role: 'user', content: long('question') }],
    };
    const second = {
      ...first,
      messages: [
        ...first.messages,
        { role: 'assistant', content: long('answer') },
        { role: 'user', content: 'and then?' },
      ],
    };
    const sse = [
      'event: message_start\ndata: {"type":"message_start"}\n\n',
      'event: content_block_delta\ndata: {"type":"content_block_delta","delta":{"text":"Oslo"}}\n\n',
      'event: message_stop\ndata: {"type":"message_stop"}\n\n',
    ];
    const binary = new Uint8Array(5000).map((_, i) => (i * 131 + (i >> 3)) % 256);
    const url = 'http://127.0.0.1:1/v1/messages';
    const headers = [['content-type', 'application/json']] as const;
    const recorder = store.record({ id: 'r6' });
    recorder.append({
      type: 'exchange',
      request: { method: 'POST', url, headers, body: encode(JSON.stringify(first)) },
      response: {
        status: 200,
        statusText: 'OK',
        headers,
        body: { kind: 'bytes', bytes: encode(long('reply')) },
      },
    });
    recorder.append({
      type: 'exchange',
      request: { method: 'POST', url, headers, body: encode(JSON.stringify(second)) },
      response: {
        status: 200,
        statusText: 'OK',
        headers: [['content-type', 'text/event-stream']],
        body: {
          kind: 'stream',
          chunks: sse.map((text, i) => ({ offsetMs: 10 * i, bytes: encode(text) })),
          end: { kind: 'complete' },
        },
      },
    });
    recorder.append({
      type: 'exchange',
      request: { method: 'GET', url: 'http://127.0.0.1:1/blob', headers: [], body: null },
      response: {
        status: 200,
        statusText: 'OK',
        headers: [['content-type', 'application/octet-stream']],
        body: { kind: 'bytes', bytes: binary },
      },
    });
    recorder.finish();
    store.close();

    // Opened read-only from its path, as `trace report` and the viewer open it.
    const data = pageData(await buildReport({ path, id: 'r6' }));
    const exchanges = data.events.filter((e) => e.type === 'exchange');
    expect(exchanges).toHaveLength(3);
    const [a, b, c] = exchanges;
    expect(bodyText(data.bodies, a?.request.body)).toBe(JSON.stringify(first));
    const aBody = a?.response?.body;
    expect(aBody?.kind === 'bytes' && bodyText(data.bodies, aBody.body)).toBe(long('reply'));
    expect(bodyText(data.bodies, b?.request.body)).toBe(JSON.stringify(second));
    const stream = b?.response?.body;
    expect(stream?.kind).toBe('stream');
    if (stream?.kind !== 'stream') return;
    expect(stream.chunks.map((chunk) => bodyText(data.bodies, chunk.body))).toEqual(sse);
    expect(stream.chunks.map((chunk) => chunk.offsetMs)).toEqual([0, 10, 20]);
    expect(stream.end.kind).toBe('complete');
    const blob = c?.response?.body;
    expect(blob?.kind === 'bytes' && data.bodies[blob.body]).toBe(
      `b:${Buffer.from(binary).toString('base64')}`,
    );
  });
});

describe('writeReport', () => {
  it('writes the page from an SQLite file and returns its absolute path; refuses a path it cannot write', async () => {
    const dir = tempDir();
    const path = join(dir, 'runs.tape.db');
    const store = openSqliteStore(path);
    store.record({ id: 'r1' }).finish();
    store.close();
    const out = await writeReport({ path, id: 'r1', out: join(dir, 'deep', 'r1.html') });
    expect(out).toBe(join(dir, 'deep', 'r1.html'));
    const blocker = join(dir, 'file');
    writeFileSync(blocker, '');
    expect(await codeOf(writeReport({ path, id: 'r1', out: join(blocker, 'r1.html') }))).toBe(
      'REPORT_WRITE_FAILED',
    );
    expect(await codeOf(writeReport({ path, id: 'r1', out: '' }))).toBe('REPORT_INVALID_OPTION');
  });
});
