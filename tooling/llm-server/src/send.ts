import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { brotliCompressSync, createBrotliCompress, createGzip, gzipSync } from 'node:zlib';
import type { Reply } from './reply.js';
import type { ScriptStep } from './types.js';

/** Where body chunks go: straight to the socket, or through a compressor flushed per chunk. */
interface Sink {
  write(chunk: Buffer): Promise<void>;
  end(): Promise<void>;
  destroy(): void;
}

/**
 * Writes one chunk and waits until it has left for the socket (or the client went away). Waiting
 * matters for aborts: destroying the socket would otherwise drop chunks still in its buffer.
 */
function writeRaw(res: ServerResponse, chunk: Buffer): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('close', done);
      resolve();
    };
    res.once('close', done);
    res.write(chunk, done);
  });
}

function directSink(res: ServerResponse): Sink {
  return {
    write: (chunk) => writeRaw(res, chunk),
    end: async () => {
      res.end();
    },
    destroy: () => res.destroy(),
  };
}

/**
 * A compressing sink for streamed replies. Each chunk is flushed through the compressor so the
 * client can decode every SSE event as it arrives, as a real compressed stream would allow.
 */
function compressingSink(res: ServerResponse, encoding: 'gzip' | 'br'): Sink {
  const zip = encoding === 'gzip' ? createGzip() : createBrotliCompress();
  let pending: Buffer[] = [];
  zip.on('data', (data: Buffer) => pending.push(data));
  const drainPending = () => {
    const out = Buffer.concat(pending);
    pending = [];
    return out.length === 0 ? Promise.resolve() : writeRaw(res, out);
  };
  return {
    write: (chunk) =>
      new Promise<void>((resolve) => {
        zip.write(chunk);
        zip.flush(() => resolve());
      }).then(drainPending),
    end: () =>
      new Promise<void>((resolve) => {
        zip.once('end', () => resolve());
        zip.end();
      })
        .then(drainPending)
        .then(() => {
          res.end();
        }),
    destroy: () => {
      zip.destroy();
      res.destroy();
    },
  };
}

/** Waits `ms`; rejects with an AbortError when the server closes meanwhile. */
async function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (ms > 0) await sleep(ms, undefined, { signal });
}

/**
 * Writes `reply` to `res`, applying the step's delays, compression, extra headers and abort.
 * Rejects with an AbortError when `signal` fires (the server is closing).
 */
export async function sendReply(
  res: ServerResponse,
  reply: Reply,
  baseHeaders: Record<string, string>,
  step: ScriptStep,
  signal: AbortSignal,
): Promise<void> {
  await pause(step.delayMs ?? 0, signal);
  const streamed = reply.kind === 'sse';
  const headers: Record<string, string> = streamed
    ? { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' }
    : { 'content-type': 'application/json' };
  Object.assign(headers, baseHeaders);
  let chunks = streamed
    ? reply.frames.map((frame) => Buffer.from(frame))
    : [Buffer.from(JSON.stringify(reply.body))];
  if (step.encoding !== undefined) headers['content-encoding'] = step.encoding;
  if (!streamed) {
    if (step.encoding === 'gzip') chunks = chunks.map((c) => gzipSync(c));
    if (step.encoding === 'br') chunks = chunks.map((c) => brotliCompressSync(c));
    headers['content-length'] = String(chunks[0]?.length ?? 0);
  }
  for (const [name, value] of Object.entries(step.headers ?? {})) {
    headers[name.toLowerCase()] = value;
  }
  if (res.destroyed) return;
  res.writeHead(reply.kind === 'json' ? reply.status : 200, headers);
  res.flushHeaders();

  const sink =
    streamed && step.encoding !== undefined ? compressingSink(res, step.encoding) : directSink(res);
  const abortAfter = step.abortAfterChunks;
  for (const [index, chunk] of chunks.entries()) {
    if (index === abortAfter) break;
    if (index > 0) await pause(step.chunkDelayMs ?? 0, signal);
    if (res.destroyed) return;
    await sink.write(chunk);
  }
  // An abort drops the connection without ending the body, so the client sees a broken reply.
  if (abortAfter !== undefined) sink.destroy();
  else await sink.end();
}
