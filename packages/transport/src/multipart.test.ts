/**
 * File uploads and audio transcription send multipart bodies with a boundary chosen at random
 * per request: matching replaces it with a fixed one, so they replay; a real difference in a part
 * is still a divergence, shown in context.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Tape } from '@trace/tape';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordFetch, replayFetch, TransportError } from './index.js';

const apiKey = ['test', 'key', Math.random().toString(36).slice(2)].join('-');

/** Answers an upload with a file object, a transcription with text; counts what it received. */
async function startUploadServer(): Promise<{
  url: string;
  bodies: string[];
  close(): Promise<void>;
}> {
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('latin1'));
      res.writeHead(200, { 'content-type': 'application/json' });
      if (req.url?.startsWith('/v1/audio/transcriptions')) {
        res.end(JSON.stringify({ text: `heard ${bodies.length}` }));
        return;
      }
      res.end(
        JSON.stringify({
          id: `file-${bodies.length}`,
          object: 'file',
          bytes: 12,
          created_at: 1700000000,
          filename: 'notes.jsonl',
          purpose: 'batch',
          status: 'processed',
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    bodies,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('multipart uploads with the official OpenAI SDK', () => {
  let server: Awaited<ReturnType<typeof startUploadServer>>;
  beforeAll(async () => {
    server = await startUploadServer();
  });
  afterAll(() => server.close());

  const upload = async (f: typeof fetch, content: string) => {
    const client = new OpenAI({ apiKey, baseURL: server.url, fetch: f, maxRetries: 0 });
    const file = await client.files.create({
      file: await toFile(Buffer.from(content), 'notes.jsonl'),
      purpose: 'batch',
    });
    const heard = await client.audio.transcriptions.create({
      file: await toFile(Buffer.from('RIFF fake wave'), 'talk.wav'),
      model: 'whisper-1',
    });
    return [file.id, heard.text];
  };

  it('replay files.create and audio transcription though each request has a new boundary', async () => {
    const tape = Tape.create();
    const recording = recordFetch({ sink: tape });
    const live = await upload(recording.fetch, '{"a":1}\n');
    await recording.close();
    // The SDK's boundaries are random: two uploads of the same file differ in their bytes.
    const sent = server.bodies.length;
    await upload(fetch, '{"a":1}\n');
    expect(server.bodies[sent]).not.toBe(server.bodies[sent - 2]);

    const replay = replayFetch({ tape });
    expect(await upload(replay.fetch, '{"a":1}\n')).toEqual(live);
    expect(replay.report()).toMatchObject({ matched: 2, diverged: 0, unconsumed: [] });
  });

  it('still diverge on a different file, showing the bytes around the difference', async () => {
    const tape = Tape.create();
    const recording = recordFetch({ sink: tape });
    await upload(recording.fetch, '{"question":"recorded"}\n');
    await recording.close();

    const replay = replayFetch({ tape });
    const error = await upload(replay.fetch, '{"question":"changed!"}\n').catch((e: unknown) => e);
    const divergence = TransportError.isInstance(error)
      ? error
      : (error as { cause?: unknown }).cause;
    expect(TransportError.isInstance(divergence) && divergence.code).toBe('TRANSPORT_DIVERGED');
    const message = (divergence as Error).message;
    expect(message).toMatch(/body byte \d+: recorded \(\d+ bytes\) "…/);
    expect(message).toContain('{\\"question\\":\\"recorded\\"}');
    expect(message).toContain('{\\"question\\":\\"changed!\\"}');
    // The boundary is shown as matching saw it, not as either request happened to draw it.
    expect(message).toContain('trace-multipart-boundary');
  });

  it('compare the boundary as sent when asked to', async () => {
    const tape = Tape.create();
    const recording = recordFetch({ sink: tape });
    await upload(recording.fetch, 'x');
    await recording.close();
    const replay = replayFetch({ tape, match: { normalizeMultipartBoundary: false } });
    const error = await upload(replay.fetch, 'x').catch((e: unknown) => e);
    expect(TransportError.isInstance((error as { cause?: unknown }).cause ?? error)).toBe(true);
  });
});
