/**
 * An agent that reads the globals directly — `Date.now()`, `new Date()`, `crypto.randomUUID()`,
 * `Math.random()`, `performance.now()` — between calls to both official SDKs, streamed and not,
 * several calls per client over kept-alive connections. Only the agent's own reads are drawn: not
 * the SDKs', not the transport's, not Node's fetch's. The control shows the SDKs do read them.
 */
import type { LlmServer } from '@trace/llm-server';
import { live, recording, withGlobals } from '@trace/nondet';
import { describe, expect, it } from 'vitest';
import {
  clients,
  countConnections,
  doubleOf,
  eventKinds,
  loadTape,
  startServer,
  storePath,
} from './__tests__/harness.js';
import { runAgent, SDK_LIBRARIES } from './index.js';

type Urls = Pick<LlmServer, 'anthropicBaseURL' | 'openaiBaseURL'>;

/**
 * Five reads of the globals, spread between `rounds` rounds of four SDK calls on one client
 * each: Anthropic create and stream, OpenAI create and create with `stream: true`.
 */
async function globalsAgent(urls: Urls, rounds: number, fetch?: typeof globalThis.fetch) {
  const { anthropic, openai } = clients(urls, fetch);
  const reads: { wall: number; date: string; uuid: string; random: number; monotonic: number } = {
    wall: Date.now(),
    date: '',
    uuid: '',
    random: 0,
    monotonic: 0,
  };
  const texts: unknown[] = [];
  for (let round = 0; round < rounds; round++) {
    const created = await anthropic.messages.create({
      model: 'claude-test',
      max_tokens: 32,
      messages: [{ role: 'user', content: `create ${round}` }],
    });
    texts.push(created.content);
    if (round === 0) reads.date = new Date().toISOString();
    const streamed = await anthropic.messages
      .stream({
        model: 'claude-test',
        max_tokens: 32,
        messages: [{ role: 'user', content: `stream ${round}` }],
      })
      .finalMessage();
    texts.push(streamed.content);
    if (round === 0) reads.uuid = crypto.randomUUID();
    const completion = await openai.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: `complete ${round}` }],
    });
    texts.push(completion.choices[0]?.message.content);
    if (round === rounds - 1) reads.random = Math.random();
    const chunks = await openai.chat.completions.create({
      model: 'gpt-test',
      stream: true,
      messages: [{ role: 'user', content: `chunks ${round}` }],
    });
    let text = '';
    for await (const chunk of chunks) text += chunk.choices[0]?.delta.content ?? '';
    texts.push(text);
  }
  reads.monotonic = performance.now();
  return { reads, texts };
}

/** The agent's five reads, in the order it made them. */
const AGENT_KINDS = ['clock.wall', 'clock.wall', 'uuid.v4', 'random.float', 'clock.monotonic'];

/** The tape `globalsAgent` should leave: its reads where it made them among its exchanges. */
function expectedKinds(rounds: number): string[] {
  const kinds = ['clock.wall'];
  for (let round = 0; round < rounds; round++) {
    kinds.push('exchange', ...(round === 0 ? ['clock.wall'] : []));
    kinds.push('exchange', ...(round === 0 ? ['uuid.v4'] : []));
    kinds.push('exchange', ...(round === rounds - 1 ? ['random.float'] : []));
    kinds.push('exchange');
  }
  kinds.push('clock.monotonic');
  return kinds;
}

describe('an agent reading the globals directly, inside runAgent', () => {
  for (const rounds of [1, 3]) {
    it(`draws exactly its own 5 reads over ${rounds * 4} SDK calls on kept-alive sockets, and replays them`, async () => {
      const server = await startServer();
      const urls = {
        anthropicBaseURL: server.anthropicBaseURL,
        openaiBaseURL: server.openaiBaseURL,
      };
      const options = { path: storePath(), id: `globals-${rounds}`, env: {} };

      const { value: recorded, connections } = await countConnections(() =>
        runAgent(options, (context) => globalsAgent(urls, rounds, context.fetch)),
      );
      const calls = rounds * 4;
      expect(server.requests).toHaveLength(calls);
      // Several calls per client went over a socket Node's fetch kept alive and reused.
      expect(connections).toBeGreaterThan(0);
      expect(connections).toBeLessThan(calls);
      expect(recorded.report.draws.recorded).toBe(5);
      expect(recorded.report.exchanges.recorded).toBe(calls);

      const tape = loadTape(options.path, options.id);
      const draws = tape.events.filter((event) => event.type === 'draw');
      expect(draws.map((draw) => draw.kind)).toEqual(AGENT_KINDS);
      // The tape holds the values the agent read, in the order it read them among its calls.
      const { reads } = recorded.value;
      expect(draws.map((draw) => draw.value)).toEqual([
        reads.wall,
        Date.parse(reads.date),
        reads.uuid,
        expect.any(String),
        expect.any(String),
      ]);
      expect(doubleOf(draws[3]?.value)).toBe(reads.random);
      expect(doubleOf(draws[4]?.value)).toBe(reads.monotonic);
      expect(eventKinds(tape.events)).toEqual(expectedKinds(rounds));

      await server.close();
      const replayed = await runAgent(options, (context) =>
        globalsAgent(urls, rounds, context.fetch),
      );
      expect(replayed.value).toEqual(recorded.value);
      expect(replayed.report).toMatchObject({
        mode: 'replay',
        exchanges: { recorded: calls, matched: calls, unconsumed: [] },
        draws: { recorded: 5, consumed: 5, unconsumed: 0 },
        fingerprint: recorded.report.fingerprint,
      });
    });
  }

  it('control: the same agent under bare withGlobals, without `libraries`, draws the SDKs’ reads too', async () => {
    const server = await startServer();
    const urls = { anthropicBaseURL: server.anthropicBaseURL, openaiBaseURL: server.openaiBaseURL };
    const drawn = async (rounds: number, libraries?: readonly string[]) => {
      const source = recording(live());
      await withGlobals(
        source,
        () => globalsAgent(urls, rounds),
        libraries === undefined ? {} : { libraries },
      );
      return source.size;
    };
    const [one, three] = [await drawn(1), await drawn(3)];
    // Without the mechanism, the SDKs' (and Node's fetch's) reads are drawn, more with more calls.
    expect(one).toBeGreaterThan(5);
    expect(three).toBeGreaterThan(one);
    // With it, only the agent's: the number the run records.
    expect(await drawn(3, SDK_LIBRARIES)).toBe(5);
  });
});
