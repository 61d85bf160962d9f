/**
 * Modes and the environment around them: `TRACE_MODE` over the code, `CI` turning `auto` into
 * strict replay, `new-episodes`, `passthrough`; the store path; what `close()` checks; a closed
 * run; annotations in order with exchanges and draws.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { LlmServer } from '@trace/llm-server';
import { TraceError } from '@trace/spec';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  clients,
  eventKinds,
  listTapes,
  loadTape,
  rejection,
  startServer,
  storePath,
  tempDir,
} from './__tests__/harness.js';
import { type AgentContext, openRun, RUN_MODES, RunError, runAgent } from './index.js';

type Urls = Pick<LlmServer, 'anthropicBaseURL' | 'openaiBaseURL'>;

function expectRunError(error: unknown, code: RunError['code']): RunError {
  expect(RunError.isInstance(error), String(error)).toBe(true);
  expect((error as RunError).code).toBe(code);
  return error as RunError;
}

/** Draws an id, then asks one question per entry of `questions` through the Anthropic SDK. */
async function askingAgent(context: AgentContext, urls: Urls, questions: readonly string[]) {
  const client = clients(urls, context.fetch).anthropic;
  const userId = context.source.uuidV4();
  const answers: unknown[] = [];
  for (const question of questions) {
    const reply = await client.messages.create({
      model: 'claude-test',
      max_tokens: 32,
      metadata: { user_id: userId },
      messages: [{ role: 'user', content: question }],
    });
    answers.push(reply.content);
  }
  return { userId, answers };
}

async function serverAndUrls() {
  const server = await startServer();
  const urls: Urls = {
    anthropicBaseURL: server.anthropicBaseURL,
    openaiBaseURL: server.openaiBaseURL,
  };
  return { server, urls };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('TRACE_MODE and CI', () => {
  it('TRACE_MODE wins over the code: replay where the code says record, record where it says replay', async () => {
    const { server, urls } = await serverAndUrls();
    const path = storePath();

    const refused = await rejection(
      runAgent({ path, id: 'a', mode: 'record', env: { TRACE_MODE: 'replay' } }, (context) =>
        askingAgent(context, urls, ['one']),
      ),
    );
    expect(expectRunError(refused, 'RUN_NO_TAPE').message).toContain('TRACE_MODE=record');
    expect(server.requests).toHaveLength(0);

    await runAgent({ path, id: 'a', env: {} }, (context) => askingAgent(context, urls, ['one']));
    expect(server.requests).toHaveLength(1);
    const again = await runAgent(
      { path, id: 'a', mode: 'replay', env: { TRACE_MODE: 'record' } },
      (context) => askingAgent(context, urls, ['one']),
    );
    expect(again.report.mode).toBe('record');
    expect(server.requests).toHaveLength(2);
  });

  it('TRACE_MODE is read from process.env by default', async () => {
    const { server, urls } = await serverAndUrls();
    vi.stubEnv('TRACE_MODE', 'replay');
    vi.stubEnv('CI', '');
    const refused = await rejection(
      runAgent({ path: storePath(), id: 'a', mode: 'record' }, (context) =>
        askingAgent(context, urls, ['one']),
      ),
    );
    expectRunError(refused, 'RUN_NO_TAPE');
    expect(server.requests).toHaveLength(0);
  });

  for (const ci of ['true', '1', 'yes']) {
    it(`CI=${ci} without TRACE_MODE makes auto a strict replay: no tape is RUN_NO_TAPE, nothing reaches the network`, async () => {
      const { server, urls } = await serverAndUrls();
      const path = storePath();
      let agentRan = false;
      const refused = await rejection(
        runAgent({ path, id: 'ci-run', env: { CI: ci } }, (context) => {
          agentRan = true;
          return askingAgent(context, urls, ['one']);
        }),
      );
      const error = expectRunError(refused, 'RUN_NO_TAPE');
      expect(error.message).toContain('ci-run');
      expect(error.message).toContain('CI is set');
      expect(agentRan).toBe(false);
      expect(server.requests).toHaveLength(0);

      // With a tape, CI replays it; a request it does not hold fails instead of going live.
      await runAgent({ path, id: 'ci-run', env: {} }, (context) =>
        askingAgent(context, urls, ['one']),
      );
      expect(server.requests).toHaveLength(1);
      const replayed = await runAgent({ path, id: 'ci-run', env: { CI: ci } }, (context) =>
        askingAgent(context, urls, ['one']),
      );
      expect(replayed.report.mode).toBe('replay');
      const missed = await rejection(
        runAgent({ path, id: 'ci-run', env: { CI: ci } }, (context) =>
          askingAgent(context, urls, ['two']),
        ),
      );
      expect(missed).toMatchObject({ code: 'TRANSPORT_DIVERGED' });
      expect(server.requests).toHaveLength(1);

      // TRACE_MODE still wins over CI.
      const recorded = await runAgent(
        { path, id: 'ci-run', env: { CI: ci, TRACE_MODE: 'record' } },
        (context) => askingAgent(context, urls, ['two']),
      );
      expect(recorded.report.mode).toBe('record');
      expect(server.requests).toHaveLength(2);
    });
  }

  for (const ci of ['', '0', 'false']) {
    it(`CI=${JSON.stringify(ci)} is not CI: auto records`, async () => {
      const { server, urls } = await serverAndUrls();
      const { report } = await runAgent(
        { path: storePath(), id: 'a', env: { CI: ci } },
        (context) => askingAgent(context, urls, ['one']),
      );
      expect(report.mode).toBe('record');
      expect(server.requests).toHaveLength(1);
    });
  }

  it('an invalid TRACE_MODE, or mode, is RUN_INVALID_OPTION, and nothing is created', async () => {
    const path = join(tempDir(), 'never', 'runs.tape.db');
    const fromEnv = expectRunError(
      await rejection(openRun({ path, id: 'a', env: { TRACE_MODE: 'replay-all' } })),
      'RUN_INVALID_OPTION',
    );
    expect(fromEnv.message).toContain('TRACE_MODE');
    expect(fromEnv.message).toContain('"replay-all"');
    for (const mode of RUN_MODES) expect(fromEnv.message).toContain(mode);
    expect(fromEnv.details).toEqual({ option: 'TRACE_MODE', value: 'replay-all' });

    const fromCode = expectRunError(
      await rejection(openRun({ path, id: 'a', mode: 'Record' as never, env: {} })),
      'RUN_INVALID_OPTION',
    );
    expect(fromCode.details).toEqual({ option: 'mode', value: 'Record' });
    expect(existsSync(join(path, '..'))).toBe(false);
  });
});

describe('new-episodes', () => {
  it('reuses matching exchanges and draws, goes live for new ones, and replaces the tape so auto replays it', async () => {
    const { server, urls } = await serverAndUrls();
    const options = { path: storePath(), id: 'episodes', env: {} };
    const v1 = await runAgent(options, (context) =>
      askingAgent(context, urls, ['Where to?', 'When?']),
    );
    expect(server.requests).toHaveLength(2);

    // The same first question and draw, then a new question and a draw past the old log.
    const agent = async (context: AgentContext) => {
      const asked = await askingAgent(context, urls, ['Where to?', 'How long?']);
      return { ...asked, nights: context.source.int(1, 14) };
    };
    const episodes = await runAgent({ ...options, mode: 'new-episodes' }, agent);
    expect(episodes.report).toMatchObject({
      mode: 'new-episodes',
      exchanges: { recorded: 2, matched: 1 },
      draws: { recorded: 2, consumed: 1 },
      complete: true,
    });
    // The old draw was served back (so the matching request matched), only the new call went live.
    expect(episodes.value.userId).toBe(v1.value.userId);
    expect(episodes.value.answers[0]).toEqual(v1.value.answers[0]);
    expect(server.requests).toHaveLength(3);
    expect(server.requests[2]?.json).toMatchObject({ messages: [{ content: 'How long?' }] });

    // The tape under the id is now what this run used, and nothing else.
    const tape = loadTape(options.path, options.id);
    expect(tape.fingerprint).toBe(episodes.report.fingerprint);
    expect(eventKinds(tape.events)).toEqual(['uuid.v4', 'exchange', 'exchange', 'random.int']);
    // Each exchange numbered by its place among the requests this run issued, reused or new.
    expect(tape.events.flatMap((e) => (e.type === 'exchange' ? [e.issueIndex] : []))).toEqual([
      0, 1,
    ]);
    const bodies = tape.events.flatMap((event) =>
      event.type === 'exchange' ? [new TextDecoder().decode(event.request.body as Uint8Array)] : [],
    );
    expect(bodies.some((body) => body.includes('When?'))).toBe(false);
    expect(listTapes(options.path).map((summary) => summary.id)).toEqual([options.id]);

    await server.close();
    const replayed = await runAgent(options, agent);
    expect(replayed.value).toEqual(episodes.value);
    expect(replayed.report).toMatchObject({
      mode: 'replay',
      exchanges: { recorded: 2, matched: 2, unconsumed: [] },
      draws: { recorded: 2, consumed: 2, unconsumed: 0 },
      fingerprint: episodes.report.fingerprint,
    });
  });
});

describe('passthrough', () => {
  it('goes live, records nothing and creates no file', async () => {
    const { server, urls } = await serverAndUrls();
    const folder = join(tempDir(), 'not-made');
    const path = join(folder, 'runs.tape.db');
    for (const options of [
      { path, id: 'live', mode: 'passthrough' as const, env: {} },
      { path, id: 'live', mode: 'replay' as const, env: { TRACE_MODE: 'passthrough' } },
    ]) {
      const { value, report } = await runAgent(options, (context) => {
        context.annotate({ note: 'not kept' });
        return askingAgent(context, urls, ['Live?']);
      });
      expect(value.answers).toEqual([[{ type: 'text', text: 'echo: Live?', citations: null }]]);
      expect(report).toEqual({
        id: 'live',
        mode: 'passthrough',
        exchanges: { recorded: 0, matched: 0, unconsumed: [] },
        draws: { recorded: 0, consumed: 0, unconsumed: 0 },
        annotations: 1,
        fingerprint: undefined,
        complete: false,
        divergence: undefined,
      });
    }
    expect(server.requests).toHaveLength(2);
    expect(existsSync(folder)).toBe(false);
  });
});

describe('the store path', () => {
  it('creates a folder that does not exist, several levels deep', async () => {
    const { urls } = await serverAndUrls();
    const path = join(tempDir(), 'a', 'b', 'c', 'runs.tape.db');
    const recorded = await runAgent({ path, id: 'deep', env: {} }, (context) =>
      askingAgent(context, urls, ['Deep?']),
    );
    expect(existsSync(path)).toBe(true);
    expect(loadTape(path, 'deep').fingerprint).toBe(recorded.report.fingerprint);
  });

  it('a replay leaves the tape file byte for byte as it was, with nothing beside it, even in auto', async () => {
    const { urls } = await serverAndUrls();
    const path = join(tempDir(), 'committed', 'runs.tape.db');
    const agent = (context: AgentContext) => askingAgent(context, urls, ['Same bytes?']);
    await runAgent({ path, id: 'kept', env: {} }, agent);
    const before = readFileSync(path);
    for (const mode of ['replay', 'auto'] as const) {
      const run = await openRun({ path, id: 'kept', mode, env: {} });
      expect(run.mode).toBe('replay');
      // While the replay is open, too: no write-ahead log is started beside the file.
      expect(readdirSync(dirname(path))).toEqual(['runs.tape.db']);
      const { id, fetch, source } = run;
      await run.scope(() =>
        agent({ id, mode: run.mode, fetch, source, annotate: (data) => run.annotate(data) }),
      );
      await run.close();
      expect(readFileSync(path).equals(before)).toBe(true);
    }
    // A replay of a missing tape creates no file either.
    const missing = join(tempDir(), 'none', 'runs.tape.db');
    const refused = await rejection(openRun({ path: missing, id: 'x', mode: 'replay', env: {} }));
    expect(refused).toMatchObject({ code: 'RUN_NO_TAPE' });
    expect(existsSync(dirname(missing))).toBe(false);
  });

  it('under a regular file is RUN_STORE_UNAVAILABLE naming the path, not a driver TypeError', async () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, 'not a folder');
    const path = join(file, 'runs.tape.db');
    for (const open of [
      () => openRun({ path, id: 'x', env: {} }),
      () => runAgent({ path, id: 'x', env: {} }, () => 1),
    ]) {
      const error = expectRunError(await rejection(open()), 'RUN_STORE_UNAVAILABLE');
      expect(error).not.toBeInstanceOf(TypeError);
      expect(error.message).toContain(path);
      expect(error.details).toMatchObject({ path });
    }
  });

  it('that is a folder, or a file that is no store, is refused with a typed error naming it', async () => {
    const dir = tempDir();
    const notSqlite = join(dir, 'notes.db');
    writeFileSync(notSqlite, 'These are notes, not a database. '.repeat(20));
    for (const path of [dir, notSqlite]) {
      const error = await rejection(openRun({ path, id: 'x', env: {} }));
      expect(TraceError.isInstance(error), String(error)).toBe(true);
      expect((error as TraceError).message).toContain(path);
    }
  });
});

describe('close() and a closed run', () => {
  it('replay rejects with RUN_UNCONSUMED when the agent made fewer calls, or fewer draws, than it recorded', async () => {
    const { server, urls } = await serverAndUrls();
    const options = { path: storePath(), id: 'fewer', env: {} };
    await runAgent(options, async (context) => {
      const asked = await askingAgent(context, urls, ['one', 'two']);
      return { ...asked, extra: context.source.float() };
    });
    await server.close();

    const fewerCalls = expectRunError(
      await rejection(runAgent(options, (context) => askingAgent(context, urls, ['one']))),
      'RUN_UNCONSUMED',
    );
    expect(fewerCalls.message).toContain('1 recorded exchange(s) and 1 recorded draw(s)');
    expect(fewerCalls.message).toContain('TRACE_MODE=record');
    // The unused exchange by its place in issue order, its tape seq (after the uuid draw) and URL.
    const unused = {
      position: 1,
      seq: 2,
      method: 'POST',
      url: `${urls.anthropicBaseURL}/v1/messages`,
    };
    expect(fewerCalls.details).toMatchObject({ id: 'fewer', exchanges: [unused], draws: 1 });
    expect(fewerCalls.message).toContain(`exchange 1 (tape seq 2): POST ${unused.url}`);

    const run = await openRun(options);
    expect(run.mode).toBe('replay');
    await askingAgent(run, urls, ['one', 'two']);
    const fewerDraws = expectRunError(await rejection(run.close()), 'RUN_UNCONSUMED');
    expect(fewerDraws.details).toMatchObject({ exchanges: [], draws: 1 });
  });

  /** A run in `mode`, closed, over a tape with more draws and calls than the run used. */
  async function closedRun(mode: 'record' | 'replay' | 'passthrough') {
    const { urls } = await serverAndUrls();
    const path = storePath();
    await runAgent({ path, id: 'closed', mode: 'record', env: {} }, async (context) => {
      await askingAgent(context, urls, ['one']);
      return [context.source.uuidV4(), context.source.now()];
    });
    const run = await openRun({ path, id: 'closed', mode, env: {} });
    const closing = await run.close().then(
      () => 'resolved',
      () => 'rejected',
    );
    return { run, urls, closing };
  }

  for (const mode of ['record', 'replay', 'passthrough'] as const) {
    it(`a closed ${mode} run refuses fetch, annotate and scope with RUN_CLOSED`, async () => {
      const { run, urls, closing } = await closedRun(mode);
      // Only the replay has recorded work it never used.
      expect(closing).toBe(mode === 'replay' ? 'rejected' : 'resolved');
      const fetched = await rejection(run.fetch(`${urls.anthropicBaseURL}/v1/messages`));
      expect(expectRunError(fetched, 'RUN_CLOSED').message).toContain('closed');
      expect(() => run.annotate({ late: true })).toThrow(
        expect.objectContaining({ code: 'RUN_CLOSED' }),
      );
      expect(() => run.scope(() => 1)).toThrow(expect.objectContaining({ code: 'RUN_CLOSED' }));
      // Closing again gives the first close's outcome.
      await expect(
        run.close().then(
          () => 'resolved',
          () => 'rejected',
        ),
      ).resolves.toBe(closing);
    });

    it(`a closed ${mode} run refuses draws from its source with RUN_CLOSED`, async () => {
      const { run } = await closedRun(mode);
      const atClose = run.report();
      // Not a recorder's TAPE_CLOSED, not a leftover recorded value served after the run ended,
      // not a live value: "nothing more can be drawn" (RunErrorCode.CLOSED).
      expect(() => run.source.uuidV4()).toThrow(expect.objectContaining({ code: 'RUN_CLOSED' }));
      expect(() => run.source.now()).toThrow(expect.objectContaining({ code: 'RUN_CLOSED' }));
      expect(() => run.source.stream('worker').float()).toThrow(
        expect.objectContaining({ code: 'RUN_CLOSED' }),
      );
      // And a closed run's report no longer changes.
      expect(run.report()).toEqual(atClose);
    });
  }
  it('a replay that closed cleanly still reports no divergence after a late draw', async () => {
    const options = { path: storePath(), id: 'clean', env: {} };
    await runAgent(options, (context) => context.source.uuidV4());
    const run = await openRun(options);
    run.source.uuidV4();
    const report = await run.close();
    expect(report.divergence).toBeUndefined();
    expect(() => run.source.uuidV4()).toThrow(expect.objectContaining({ code: 'RUN_CLOSED' }));
    expect(run.divergence).toBeUndefined();
    expect(run.report()).toEqual(report);
  });
});

describe('annotations', () => {
  it('land in the tape in order between exchanges and draws, and are counted in replay', async () => {
    const { server, urls } = await serverAndUrls();
    const options = { path: storePath(), id: 'annotated', env: {} };
    const agent = async (context: AgentContext) => {
      const client = clients(urls, context.fetch).anthropic;
      context.annotate({ step: 'start' });
      const id = context.source.uuidV4();
      const reply = await client.messages.create({
        model: 'claude-test',
        max_tokens: 32,
        messages: [{ role: 'user', content: `plan ${id}` }],
      });
      context.annotate({ step: 'planned', stop: reply.stop_reason });
      const at = Date.now();
      context.annotate({ step: 'done', ok: true, tags: ['a', 'b'] });
      return { id, at, reply: reply.content };
    };
    const recorded = await runAgent(options, agent);
    expect(recorded.report.annotations).toBe(3);
    const tape = loadTape(options.path, options.id);
    expect(eventKinds(tape.events)).toEqual([
      'annotation',
      'uuid.v4',
      'exchange',
      'annotation',
      'clock.wall',
      'annotation',
    ]);
    expect(
      tape.events.flatMap((event) => (event.type === 'annotation' ? [event.data] : [])),
    ).toEqual([
      { step: 'start' },
      { step: 'planned', stop: 'end_turn' },
      { step: 'done', ok: true, tags: ['a', 'b'] },
    ]);

    await server.close();
    const replayed = await runAgent(options, agent);
    expect(replayed.value).toEqual(recorded.value);
    expect(replayed.report).toMatchObject({ mode: 'replay', annotations: 3 });
  });
});
