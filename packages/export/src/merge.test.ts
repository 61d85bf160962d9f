import { type AuditEntry, DrawKind, type ExchangeEvent, type TapeContent } from '@trace/spec';
import { describe, expect, it } from 'vitest';
import { jsonBytes } from './__tests__/test-support.js';
import { tracesFromAudit } from './builders/audit.js';
import { tracesFromTape } from './builders/tape.js';
import type { ActionTraceDraft } from './draft.js';
import { exportActionTraces } from './export.js';
import { mergeTraces } from './merge.js';
import { toOtlp } from './otlp/convert.js';
import type { OtlpSpan } from './otlp/types.js';

const FP = 'cd'.repeat(32);
const URL_ = 'https://api.anthropic.com/v1/messages';
const T0 = Date.UTC(2026, 0, 1, 9, 0, 0);
const RUN = 'trip';

const wall = (ms: number) => ({ type: 'draw' as const, kind: DrawKind.wallClock, value: ms });

function message(id: string, content: unknown[], stop: string) {
  return {
    id,
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5',
    content,
    stop_reason: stop,
    usage: { input_tokens: 10, output_tokens: 5 },
  };
}

function exchange(
  request: unknown,
  response: unknown,
  timing?: { headersMs: number; endMs: number },
) {
  const event: ExchangeEvent = {
    type: 'exchange',
    request: { method: 'POST', url: URL_, headers: [], body: jsonBytes(request) },
    response: {
      status: 200,
      statusText: 'OK',
      headers: [],
      body: { kind: 'bytes', bytes: jsonBytes(response) },
    },
    ...(timing !== undefined ? { timing } : {}),
  };
  return event;
}

/** Two iterations: each asks for a tool, runs it, then sends its result back. */
function runTape(timed: boolean): TapeContent {
  const events = [];
  for (let i = 0; i < 2; i++) {
    const at = T0 + i * 10_000;
    const toolUse = {
      type: 'tool_use',
      id: `toolu_${i}`,
      name: 'get_weather',
      input: { city: `c${i}` },
    };
    events.push(
      wall(at),
      exchange(
        { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: `day ${i}` }] },
        message(`msg_${i}a`, [toolUse], 'tool_use'),
        timed ? { headersMs: 300, endMs: 800 } : undefined,
      ),
      // The tool runs between these two draws; the second dates the follow-up request.
      wall(at + 900),
      wall(at + 1_500),
      exchange(
        {
          model: 'claude-sonnet-4-5',
          messages: [
            { role: 'assistant', content: [toolUse] },
            {
              role: 'user',
              content: [{ type: 'tool_result', tool_use_id: `toolu_${i}`, content: 'sunny' }],
            },
          ],
        },
        message(`msg_${i}b`, [{ type: 'text', text: 'Go.' }], 'end_turn'),
        timed ? { headersMs: 200, endMs: 450 } : undefined,
      ),
    );
  }
  return { fingerprint: FP, events, metadata: { createdAt: new Date(T0).toISOString() } };
}

function entry(
  seq: number,
  type: string,
  ms: number,
  payload: Record<string, unknown>,
): AuditEntry {
  return {
    v: 1,
    seq,
    ts: new Date(ms).toISOString(),
    type,
    session: RUN,
    payload: payload as never,
    prev: '0'.repeat(64),
    hash: seq.toString(16).padStart(64, '0'),
  };
}

/** The audit log of the same run: sampling per model call, the tool calls, a verdict, a decision. */
function runAudit(): AuditEntry[] {
  const entries: AuditEntry[] = [];
  let seq = 1;
  for (let i = 0; i < 2; i++) {
    const at = T0 + i * 10_000;
    const sampling = (purpose: string, ms: number) =>
      entry(seq++, 'sampling', ms, {
        purpose,
        status: 'used',
        backend: 'anthropic',
        modelId: 'claude-sonnet-4-5',
        outputBytes: 40,
        inputTokens: 10,
        outputTokens: 5,
        iteration: i,
      });
    entries.push(sampling('propose', at + 800));
    entries.push(
      entry(seq++, 'tool_call', at + 1_200, {
        tool: 'get_weather',
        status: 'ok',
        durationMs: 250,
        fromScript: false,
        iteration: i,
      }),
    );
    entries.push(sampling('observe', at + 1_950));
    entries.push(
      entry(seq++, 'verdict', at + 2_000, {
        iteration: i,
        verdict: 'accept',
        reason: 'covers the city',
      }),
    );
  }
  entries.push(
    entry(seq++, 'decision', T0 + 30_000, {
      action: 'promote_plan',
      approved: false,
      votes: [
        { voter: 'budget', passed: true, reason: 'within budget' },
        { voter: 'safety', passed: false, reason: 'no insurance' },
      ],
      subject: { plan: 'two days' },
      reason: 'one voter refused',
    }),
  );
  entries.push(
    entry(seq++, 'sampling', T0 + 31_000, {
      purpose: 'summary',
      status: 'rejected',
      backend: 'anthropic',
      validationError: 'not JSON',
    }),
  );
  return entries;
}

const spansOf = (drafts: ActionTraceDraft[]): OtlpSpan[] =>
  toOtlp(exportActionTraces(drafts)).resourceSpans[0]!.scopeSpans[0]!.spans as OtlpSpan[];
const attr = (span: OtlpSpan, key: string) => {
  const value = span.attributes.find((a) => a.key === key)?.value;
  return value === undefined ? undefined : Object.values(value)[0];
};

describe('one action, one trace: the tape and the audit log of one run, merged', () => {
  const tape = () => tracesFromTape(runTape(true), { runId: RUN });
  const audit = () => tracesFromAudit(runAudit(), { runId: RUN });

  it('without merging, every tool execution appears twice (the problem the merge solves)', () => {
    const spans = spansOf([...tape(), ...audit()]);
    expect(spans.filter((s) => s.name === 'execute_tool get_weather')).toHaveLength(4);
  });

  it('gives one trace per tool execution, with the arguments from the tape and the time from the audit log', () => {
    const merged = mergeTraces(tape(), audit());
    const tools = merged.filter((d) => d.kind === 'tool_call');
    expect(tools).toHaveLength(2);
    tools.forEach((tool, i) => {
      expect(tool).toMatchObject({
        name: 'get_weather',
        callId: `toolu_${i}`,
        arguments: { city: `c${i}` },
        result: 'sunny',
        durationMs: 250,
        iteration: i,
        invokedAt: new Date(T0 + i * 10_000 + 1_200 - 250).toISOString(),
        evidence: {
          tape: { fingerprint: FP, exchangeIndex: 2 * i, toolCallIndex: 0 },
          audit: { seq: 4 * i + 2, session: RUN },
        },
      });
    });
    const spans = spansOf(merged);
    expect(spans.filter((s) => s.name.startsWith('execute_tool'))).toHaveLength(2);
  });

  it('folds each used sampling entry into the model call it describes', () => {
    const merged = mergeTraces(tape(), audit());
    const calls = merged.filter((d) => d.kind === 'model_call');
    expect(calls).toHaveLength(4);
    expect(calls.map((c) => [c.sampling?.purpose, c.iteration])).toEqual([
      ['propose', 0],
      ['observe', 0],
      ['propose', 1],
      ['observe', 1],
    ]);
    expect(
      calls.every((c) => c.evidence?.tape !== undefined && c.evidence.audit !== undefined),
    ).toBe(true);
    // The rejected one describes no recorded call: it stays a trace of its own.
    const rest = merged.filter((d) => d.kind === 'sampling');
    expect(rest).toHaveLength(1);
    expect(rest[0]).toMatchObject({
      name: 'summary',
      status: 'failed',
      error: { type: 'sampling_rejected', message: 'not JSON' },
    });
  });

  it('exports audited decisions and verdicts, as traces and as OTLP spans with their votes', () => {
    const merged = mergeTraces(tape(), audit());
    const envelope = exportActionTraces(merged);
    const decisions = envelope.traces.filter((t) => t.kind === 'decision');
    expect(decisions.map((d) => d.name)).toEqual(['verdict', 'verdict', 'promote_plan']);
    expect(decisions[2]).toMatchObject({
      status: 'succeeded',
      arguments: { plan: 'two days' },
      decision: {
        approved: false,
        reason: 'one voter refused',
        votes: [
          { voter: 'budget', passed: true, reason: 'within budget' },
          { voter: 'safety', passed: false, reason: 'no insurance' },
        ],
      },
    });
    expect(decisions[0]).toMatchObject({
      iteration: 0,
      decision: { verdict: 'accept', reason: 'covers the city' },
    });
    const span = toOtlp(envelope).resourceSpans[0]!.scopeSpans[0]!.spans.find(
      (s) => s.name === 'decision promote_plan',
    ) as OtlpSpan;
    expect(attr(span, 'trace.decision.approved')).toBe(false);
    expect(attr(span, 'trace.decision.votes')).toBe(2);
    expect(attr(span, 'trace.decision.votes_passed')).toBe(1);
    expect(span.events.map((e) => e.name)).toEqual(['trace.decision.vote', 'trace.decision.vote']);
    const chat = toOtlp(envelope).resourceSpans[0]!.scopeSpans[0]!.spans.find((s) =>
      s.name.startsWith('chat'),
    ) as OtlpSpan;
    expect(attr(chat, 'trace.sampling.purpose')).toBe('propose');
  });

  it('never merges drafts of different runs', () => {
    const merged = mergeTraces(tape(), tracesFromAudit(runAudit(), { runId: 'other' }));
    expect(merged.filter((d) => d.kind === 'tool_call')).toHaveLength(4);
  });
});

describe('recorded timing', () => {
  it('a whole (not streamed) model call lasts as the transport recorded, not 0 ms', () => {
    const calls = tracesFromTape(runTape(true)).filter((d) => d.kind === 'model_call');
    expect(calls.map((c) => c.durationMs)).toEqual([800, 450, 800, 450]);
  });

  it('a tape-derived tool call lasts from the asking call’s end to the request that carried its result', () => {
    const tools = tracesFromTape(runTape(true)).filter((d) => d.kind === 'tool_call');
    // Asked at T0 + 800 (the call's recorded end); the result went out at T0 + 1500.
    expect(tools.map((t) => [t.invokedAt, t.durationMs])).toEqual([
      [new Date(T0 + 800).toISOString(), 700],
      [new Date(T0 + 10_800).toISOString(), 700],
    ]);
  });

  it('an older tape without timings keeps what it can say', () => {
    const calls = tracesFromTape(runTape(false)).filter((d) => d.kind === 'model_call');
    expect(calls.map((c) => c.durationMs)).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe('ids unique within a run, whatever the timing', () => {
  const same: ActionTraceDraft = {
    runId: 'r',
    kind: 'tool_call',
    name: 'search',
    invokedAt: '2026-01-01T00:00:00.000Z',
    status: 'succeeded',
  };

  it('two actions with the same run, kind, name and millisecond get different ids and span ids', () => {
    const envelope = exportActionTraces([same, same, same]);
    const ids = envelope.traces.map((t) => t.id);
    expect(new Set(ids).size).toBe(3);
    const spans = toOtlp(envelope).resourceSpans[0]!.scopeSpans[0]!.spans;
    expect(new Set(spans.map((s) => s.spanId)).size).toBe(4);
    // The same evidence twice (a log read twice) gives two ids too.
    const twice = { ...same, evidence: { audit: { seq: 3 } } };
    expect(new Set(exportActionTraces([twice, twice]).traces.map((t) => t.id)).size).toBe(2);
    // Stable: exporting again gives the same ids.
    expect(exportActionTraces([same, same, same]).traces.map((t) => t.id)).toEqual(ids);
  });

  it('an export that names one id twice in a run is refused; OTLP of such traces still has unique span ids', () => {
    expect(() =>
      exportActionTraces([
        { ...same, id: 'a' },
        { ...same, id: 'a' },
      ]),
    ).toThrowError(
      expect.objectContaining({ code: 'EXPORT_INVALID_TRACE', details: { index: 1, field: 'id' } }),
    );
    const trace = exportActionTraces([{ ...same, id: 'a' }]).traces[0]!;
    const spans = toOtlp([trace, trace]).resourceSpans[0]!.scopeSpans[0]!.spans;
    expect(new Set(spans.map((s) => s.spanId)).size).toBe(3);
  });
});
