/**
 * Re-recording over an id replaces its tape atomically: the old tape stays whole until the new
 * recording finishes. A re-record killed mid-way (a real child, a real SIGKILL) loses nothing —
 * the old tape still replays — and leaves only a staged tape, listed as incomplete.
 */
import { describe, expect, it } from 'vitest';
import {
  listTapes,
  loadTape,
  manyWords,
  spawnRecordingChild,
  startServer,
  storePath,
} from './__tests__/harness.js';
import { streamingAgent } from './__tests__/streaming-agent.mjs';
import { runAgent } from './index.js';

describe('re-recording a tape', () => {
  it('a killed re-record leaves v1 whole and replayable; a finished one replaces it with v2', async () => {
    const server = await startServer([
      { text: 'Plan v1.' },
      { text: 'Essay v1.' },
      // The re-record that is killed: a stream of about 10 s.
      { text: 'Plan v2.' },
      { text: manyWords(200), chunkDelayMs: 50 },
      // The re-record that finishes.
      { text: 'Plan v2.' },
      { text: 'Essay v2.' },
    ]);
    const path = storePath();
    const id = 'essay';
    const options = { path, id, env: {} };
    const agent = { baseURL: server.anthropicBaseURL, prompt: 'an essay' };

    const v1 = await runAgent({ ...options, mode: 'record' }, (context) =>
      streamingAgent(context, agent),
    );
    expect(v1.report).toMatchObject({ mode: 'record', complete: true });

    const child = spawnRecordingChild({ path, id, ...agent });
    await child.printed('streaming');
    expect(await child.kill()).toBe('SIGKILL');
    expect(server.requests).toHaveLength(4);

    // v1 is still the tape under the id, whole; the killed re-record is a staged tape, unfinished.
    const tapes = listTapes(path);
    expect(tapes).toHaveLength(2);
    expect(tapes.find((tape) => tape.id === id)).toMatchObject({
      complete: true,
      fingerprint: v1.report.fingerprint,
    });
    const staged = tapes.find((tape) => tape.id !== id);
    expect(staged?.id).toMatch(/^essay~next-[0-9a-f]+$/);
    expect(staged).toMatchObject({ complete: false, counts: { exchange: 1, draw: 2 } });
    const replayedV1 = await runAgent(options, (context) => streamingAgent(context, agent));
    expect(replayedV1.value).toEqual(v1.value);
    expect(replayedV1.report).toMatchObject({
      mode: 'replay',
      exchanges: { matched: 2, unconsumed: [] },
      fingerprint: v1.report.fingerprint,
    });
    expect(server.requests).toHaveLength(4);

    const v2 = await runAgent({ ...options, mode: 'record' }, (context) =>
      streamingAgent(context, agent),
    );
    expect(v2.report.fingerprint).not.toBe(v1.report.fingerprint);
    expect(loadTape(path, id).fingerprint).toBe(v2.report.fingerprint);
    expect(listTapes(path).find((tape) => tape.id === id)?.fingerprint).toBe(v2.report.fingerprint);

    await server.close();
    const replayedV2 = await runAgent(options, (context) => streamingAgent(context, agent));
    expect(replayedV2.value).toEqual(v2.value);
    expect(replayedV2.value.text).toEqual([{ type: 'text', text: 'Essay v2.', citations: null }]);
    expect(replayedV2.report).toMatchObject({
      mode: 'replay',
      exchanges: { recorded: 2, matched: 2, unconsumed: [] },
      draws: { recorded: 2, consumed: 2, unconsumed: 0 },
      fingerprint: v2.report.fingerprint,
    });
  });
});
