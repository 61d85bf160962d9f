/**
 * A recording killed mid-run (a real child process, a real SIGKILL, mid-stream) leaves an
 * incomplete tape that is never replayed silently: `auto`, `replay` and `new-episodes` refuse it
 * with RUN_TAPE_INCOMPLETE and say how to re-record; `record` re-records it, and `auto` then
 * replays.
 */
import { describe, expect, it } from 'vitest';
import {
  eventKinds,
  listTapes,
  loadTape,
  manyWords,
  spawnRecordingChild,
  startServer,
  storePath,
} from './__tests__/harness.js';
import { streamingAgent } from './__tests__/streaming-agent.mjs';
import { openRun, RunError, runAgent } from './index.js';

describe('a recording killed mid-run', () => {
  it('is refused by auto, replay and new-episodes with RUN_TAPE_INCOMPLETE, then re-recorded and replayed', async () => {
    const server = await startServer([
      { text: 'A plan in three steps.' },
      // About 10 s of stream: the child is killed long before it ends.
      { text: manyWords(200), chunkDelayMs: 50 },
    ]);
    const path = storePath();
    const id = 'killed-run';
    const prompt = 'a long essay';

    const child = spawnRecordingChild({ path, id, baseURL: server.anthropicBaseURL, prompt });
    await child.printed('streaming');
    expect(await child.kill()).toBe('SIGKILL');
    expect(server.requests).toHaveLength(2);

    // What the child appended before it died is on disk, whole, and marked incomplete.
    const [summary] = listTapes(path);
    expect(summary).toMatchObject({ id, complete: false });
    const partial = loadTape(path, id);
    expect(eventKinds(partial.events)).toEqual(['uuid.v4', 'clock.wall', 'annotation', 'exchange']);

    for (const mode of ['auto', 'replay', 'new-episodes'] as const) {
      const refused = await openRun({ path, id, mode, env: {} }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(RunError.isInstance(refused), `${mode}: ${String(refused)}`).toBe(true);
      const error = refused as RunError;
      expect(error.code).toBe('RUN_TAPE_INCOMPLETE');
      expect(error.message).toContain(id);
      expect(error.message).toContain('never finished');
      expect(error.message).toContain('TRACE_MODE=record');
      expect(error.details).toMatchObject({ id, events: 4 });
    }
    // runAgent refuses it the same way, before the agent runs.
    let agentRan = false;
    await expect(
      runAgent({ path, id, env: {} }, () => {
        agentRan = true;
      }),
    ).rejects.toMatchObject({ code: 'RUN_TAPE_INCOMPLETE' });
    expect(agentRan).toBe(false);
    expect(server.requests).toHaveLength(2);

    // Re-recording replaces it; then auto replays, with the server gone.
    server.enqueue({ text: 'A plan in three steps.' }, { text: 'A short essay.' });
    const urls = { baseURL: server.anthropicBaseURL, prompt };
    const rerecorded = await runAgent({ path, id, mode: 'record', env: {} }, (context) =>
      streamingAgent(context, urls),
    );
    expect(rerecorded.report).toMatchObject({ mode: 'record', complete: true });
    expect(listTapes(path)).toEqual([expect.objectContaining({ id, complete: true })]);
    expect(loadTape(path, id).fingerprint).toBe(rerecorded.report.fingerprint);

    await server.close();
    const replayed = await runAgent({ path, id, env: {} }, (context) =>
      streamingAgent(context, urls),
    );
    expect(replayed.value).toEqual(rerecorded.value);
    expect(replayed.report).toMatchObject({
      mode: 'replay',
      exchanges: { recorded: 2, matched: 2, unconsumed: [] },
      draws: { recorded: 2, consumed: 2, unconsumed: 0 },
      fingerprint: rerecorded.report.fingerprint,
    });
  });
});
