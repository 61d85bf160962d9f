/**
 * For any sequence of agent steps — reads of the globals, draws through the run's source of every
 * kind, calls through both SDKs (streamed or not) and annotations — recording then replaying gives
 * the same values, consumes everything recorded, proves the same fingerprint, and the tape holds
 * one event per step, in the order the steps ran. And a replay that departs from the recorded
 * steps at any one of them fails right there, with the divergence of that step's kind.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clients,
  counting,
  eventKinds,
  loadTape,
  startServer,
  storePath,
} from './__tests__/harness.js';
import { type AgentContext, openRun, runAgent } from './index.js';

type Step =
  | { readonly type: 'global'; readonly read: 'now' | 'date' | 'uuid' | 'random' | 'monotonic' }
  | { readonly type: 'int'; readonly min: number; readonly span: number }
  | { readonly type: 'bytes'; readonly length: number }
  | { readonly type: 'named'; readonly name: string; readonly value: string }
  | {
      readonly type: 'call';
      readonly sdk: 'anthropic' | 'openai';
      readonly stream: boolean;
      readonly text: string;
    }
  | { readonly type: 'annotate'; readonly data: { readonly note: string; readonly n: number } };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    type: fc.constant('global' as const),
    read: fc.constantFrom('now', 'date', 'uuid', 'random', 'monotonic'),
  }),
  fc.record({
    type: fc.constant('int' as const),
    min: fc.integer({ min: -1000, max: 1000 }),
    span: fc.nat(1000),
  }),
  fc.record({ type: fc.constant('bytes' as const), length: fc.nat(32) }),
  fc.record({
    type: fc.constant('named' as const),
    name: fc.constantFrom('env:HOME', 'tool:search'),
    value: fc.string({ maxLength: 20 }),
  }),
  fc.record({
    type: fc.constant('call' as const),
    sdk: fc.constantFrom('anthropic', 'openai'),
    stream: fc.boolean(),
    text: fc.string({ minLength: 1, maxLength: 30 }),
  }),
  fc.record({
    type: fc.constant('annotate' as const),
    data: fc.record({ note: fc.string({ maxLength: 10 }), n: fc.integer() }),
  }),
);

/** The tape event each step leaves: a draw's kind, `exchange` or `annotation`. */
const GLOBAL_KINDS = {
  now: 'clock.wall',
  date: 'clock.wall',
  uuid: 'uuid.v4',
  random: 'random.float',
  monotonic: 'clock.monotonic',
} as const;
function kindOf(s: Step): string {
  switch (s.type) {
    case 'global':
      return GLOBAL_KINDS[s.read];
    case 'int':
      return 'random.int';
    case 'bytes':
      return 'random.bytes';
    case 'named':
      return `source:${s.name}`;
    case 'call':
      return 'exchange';
    case 'annotate':
      return 'annotation';
  }
}

type Urls = { anthropicBaseURL: string; openaiBaseURL: string };

/** Runs the steps in order and returns what each gave the agent. */
async function stepsAgent(context: AgentContext, urls: Urls, steps: readonly Step[]) {
  const { anthropic, openai } = clients(urls, context.fetch);
  const values: unknown[] = [];
  for (const s of steps) {
    switch (s.type) {
      case 'global':
        values.push(readGlobal(s.read));
        break;
      case 'int':
        values.push(context.source.int(s.min, s.min + s.span));
        break;
      case 'bytes':
        values.push(Array.from(context.source.bytes(s.length)));
        break;
      case 'named':
        values.push(context.source.draw(s.name, () => s.value));
        break;
      case 'annotate':
        context.annotate(s.data);
        values.push(null);
        break;
      case 'call':
        values.push(await call(anthropic, openai, s));
        break;
    }
  }
  return values;
}

function readGlobal(read: Extract<Step, { type: 'global' }>['read']): unknown {
  switch (read) {
    case 'now':
      return Date.now();
    case 'date':
      return new Date().toISOString();
    case 'uuid':
      return crypto.randomUUID();
    case 'random':
      return Math.random();
    case 'monotonic':
      return performance.now();
  }
}

async function call(
  anthropic: ReturnType<typeof clients>['anthropic'],
  openai: ReturnType<typeof clients>['openai'],
  s: Extract<Step, { type: 'call' }>,
): Promise<unknown> {
  const messages = [{ role: 'user' as const, content: s.text }];
  if (s.sdk === 'anthropic') {
    const request = { model: 'claude-test', max_tokens: 32, messages };
    if (!s.stream) return (await anthropic.messages.create(request)).content;
    return (await anthropic.messages.stream(request).finalMessage()).content;
  }
  if (!s.stream) {
    return (await openai.chat.completions.create({ model: 'gpt-test', messages })).choices[0]
      ?.message;
  }
  const chunks = await openai.chat.completions.create({
    model: 'gpt-test',
    stream: true,
    messages,
  });
  let text = '';
  for await (const chunk of chunks) text += chunk.choices[0]?.delta.content ?? '';
  return text;
}

describe('record then replay, for any sequence of agent steps', () => {
  it('gives the same values, consumes everything, and tapes one event per step in order', async () => {
    const server = await startServer();
    const urls = { anthropicBaseURL: server.anthropicBaseURL, openaiBaseURL: server.openaiBaseURL };
    const path = storePath();
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 10 }), async (steps) => {
        const options = { path, id: `steps-${runs++}`, env: {} };
        const calls = steps.filter((s) => s.type === 'call').length;
        const annotations = steps.filter((s) => s.type === 'annotate').length;
        const draws = steps.length - calls - annotations;

        const before = server.requests.length;
        const recorded = await runAgent(options, (context) => stepsAgent(context, urls, steps));
        expect(server.requests.length - before).toBe(calls);
        expect(eventKinds(loadTape(path, options.id).events)).toEqual(steps.map(kindOf));

        const replayed = await runAgent(options, (context) => stepsAgent(context, urls, steps));
        expect(server.requests.length - before).toBe(calls);
        expect(replayed.value).toEqual(recorded.value);
        expect(replayed.report).toEqual({
          id: options.id,
          mode: 'replay',
          exchanges: { recorded: calls, matched: calls, unconsumed: [] },
          draws: { recorded: draws, consumed: draws, unconsumed: 0 },
          annotations,
          fingerprint: recorded.report.fingerprint,
          complete: true,
          divergence: undefined,
        });
      }),
      { numRuns: 50 },
    );
  });

  it('fails at the first step that departs from the tape, with that step’s divergence, after no further attempt', async () => {
    const server = await startServer();
    const urls = { anthropicBaseURL: server.anthropicBaseURL, openaiBaseURL: server.openaiBaseURL };
    const path = storePath();
    let runs = 0;
    const departing = fc
      .array(step, { minLength: 1, maxLength: 8 })
      .filter((steps) => steps.some((s) => s.type !== 'annotate'))
      .chain((steps) => {
        const candidates = steps.flatMap((s, i) => (s.type === 'annotate' ? [] : [i]));
        return fc.record({ steps: fc.constant(steps), at: fc.constantFrom(...candidates) });
      });
    await fc.assert(
      fc.asyncProperty(departing, async ({ steps, at }) => {
        const options = { path, id: `departs-${runs++}`, env: {} };
        await runAgent(options, (context) => stepsAgent(context, urls, steps));
        const before = server.requests.length;

        const changed = [...steps];
        changed[at] = departed(steps[at]!);
        const run = await openRun(options);
        const attempts = counting(run.fetch);
        const context: AgentContext = {
          id: run.id,
          mode: run.mode,
          fetch: attempts.fetch,
          source: run.source,
          annotate: (data) => run.annotate(data),
        };
        const error = await run
          .scope(() => stepsAgent(context, urls, changed))
          .then(
            () => undefined,
            (thrown: unknown) => thrown,
          );
        const exchange = steps[at]!.type === 'call';
        expect(error).toBe(run.divergence);
        expect(run.report().divergence).toMatchObject(
          exchange
            ? { kind: 'exchange', code: 'TRANSPORT_DIVERGED' }
            : { kind: 'draw', code: 'NONDET_DIVERGED' },
        );
        if (exchange) expect(run.divergence?.message).toContain('messages[0].content:');
        // One attempt per call up to the departing step, none after it, none at the server.
        expect(attempts.calls).toBe(steps.slice(0, at + 1).filter((s) => s.type === 'call').length);
        expect(server.requests.length).toBe(before);
        // The steps before it were served the recorded values.
        expect(run.report().draws.consumed).toBe(
          steps.slice(0, at).filter((s) => !['call', 'annotate'].includes(s.type)).length,
        );
        await expect(run.close()).rejects.toBe(run.divergence);
      }),
      { numRuns: 50 },
    );
  });
});

/** The step changed so that replay cannot serve it: another prompt, or a draw of another kind. */
function departed(s: Step): Step {
  if (s.type === 'call') return { ...s, text: `${s.text} (changed)` };
  return kindOf(s) === 'uuid.v4'
    ? { type: 'int', min: 0, span: 10 }
    : { type: 'global', read: 'uuid' };
}
