import { describe, expect, it } from 'vitest';
import type { ActionTraceDraft } from '../draft.js';
import { exportActionTraces } from '../export.js';
import { type OtlpOptions, toOtlp } from './convert.js';
import type { OtlpAnyValue, OtlpSpan } from './types.js';

const T0 = Date.UTC(2026, 2, 1, 12, 0, 0);
const at = (ms: number) => new Date(T0 + ms).toISOString();

/** A run: a phase holding a streamed Anthropic call that asks for a tool, the tool, a correction. */
function runDrafts(): ActionTraceDraft[] {
  return [
    {
      id: 'phase-1',
      runId: 'run-7',
      kind: 'phase',
      name: 'propose',
      invokedAt: at(0),
      durationMs: 5_000,
      status: 'succeeded',
      iteration: 0,
      principal: { kind: 'user', id: 'alice' },
    },
    {
      id: 'call-1',
      runId: 'run-7',
      kind: 'model_call',
      name: 'anthropic.messages',
      invokedAt: at(100),
      durationMs: 900,
      status: 'succeeded',
      iteration: 0,
      principal: { kind: 'user', id: 'alice' },
      arguments: {
        model: 'claude-sonnet-4-5',
        system: 'You plan trips.',
        temperature: 1,
        top_p: 1,
        tools: [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object' } }],
        messages: [
          { role: 'user', content: 'Weather in Oslo?' },
          {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: 'toolu_0', content: 'cold' }],
          },
        ],
      },
      result: {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Oslo' } },
        ],
        stop_reason: 'tool_use',
      },
      model: {
        provider: 'anthropic',
        requestModel: 'claude-sonnet-4-5',
        streamed: true,
        temperature: 1,
        topP: 1,
        inputTokens: 100,
        cacheReadInputTokens: 50,
        cacheCreationInputTokens: 25,
        outputTokens: 30,
        serverAddress: 'api.anthropic.com',
        serverPort: 443,
        finishReasons: ['tool_use'],
      },
    },
    {
      id: 'tool-1',
      runId: 'run-7',
      kind: 'tool_call',
      name: 'get_weather',
      invokedAt: at(1_200),
      durationMs: 300,
      status: 'succeeded',
      iteration: 0,
      principal: { kind: 'user', id: 'alice' },
      callId: 'toolu_1',
      parentId: 'call-1',
      arguments: { city: 'Oslo' },
      result: 'cold',
      correction: { by: 'reviewer-9', note: 'Should have asked for the date.', at: at(60_000) },
    },
  ];
}

function spans(options: OtlpOptions = {}, drafts = runDrafts()): OtlpSpan[] {
  const envelope = exportActionTraces(drafts, { allowRawResults: true });
  return toOtlp(envelope, { serviceName: 'planner', ...options }).resourceSpans[0]!.scopeSpans[0]!
    .spans as OtlpSpan[];
}
const value = (span: OtlpSpan, key: string): OtlpAnyValue | undefined =>
  span.attributes.find((a) => a.key === key)?.value;
const plain = (span: OtlpSpan, key: string): unknown => {
  const v = value(span, key);
  return v === undefined ? undefined : Object.values(v)[0];
};
const byName = (list: OtlpSpan[], prefix: string) => list.find((s) => s.name.startsWith(prefix))!;

describe('GenAI semantic conventions', () => {
  it('the invoke_agent span names its provider and conversation; the chat span its request', () => {
    const list = spans();
    const root = byName(list, 'invoke_agent');
    expect(plain(root, 'gen_ai.provider.name')).toBe('anthropic');
    expect(plain(root, 'gen_ai.conversation.id')).toBe('run-7');
    expect(plain(root, 'session.id')).toBe('run-7');
    expect(plain(root, 'user.id')).toBe('alice');
    const chat = byName(list, 'chat');
    // Doubles even when integral, as the conventions type them.
    expect(value(chat, 'gen_ai.request.temperature')).toEqual({ doubleValue: 1 });
    expect(value(chat, 'gen_ai.request.top_p')).toEqual({ doubleValue: 1 });
    // Anthropic's input_tokens exclude cached input; the convention adds it back.
    expect(plain(chat, 'gen_ai.usage.input_tokens')).toBe(175);
    expect(plain(chat, 'gen_ai.usage.cache_read.input_tokens')).toBe(50);
    expect(plain(chat, 'gen_ai.usage.cache_creation.input_tokens')).toBe(25);
    expect(plain(chat, 'gen_ai.request.stream')).toBe(true);
    expect(plain(chat, 'server.address')).toBe('api.anthropic.com');
    expect(plain(chat, 'server.port')).toBe(443);
    expect(plain(chat, 'gen_ai.conversation.id')).toBe('run-7');
    expect(plain(chat, 'session.id')).toBe('run-7');
    expect(plain(chat, 'user.id')).toBe('alice');
    // Without model calls, the provider is still there (required), from the option or `_OTHER`.
    const toolOnly = runDrafts().slice(2);
    const { parentId: _, ...bare } = toolOnly[0]!;
    expect(plain(byName(spans({}, [bare]), 'invoke_agent'), 'gen_ai.provider.name')).toBe('_OTHER');
    expect(
      plain(
        byName(spans({ providerName: 'openai' }, [bare]), 'invoke_agent'),
        'gen_ai.provider.name',
      ),
    ).toBe('openai');
    // Not streamed: no stream attribute at all ("if and only if").
    const whole = runDrafts().map((d) =>
      d.model !== undefined ? { ...d, model: { ...d.model, streamed: false } } : d,
    );
    expect(value(byName(spans({}, whole), 'chat'), 'gen_ai.request.stream')).toBeUndefined();
  });

  it('with content on, messages, system instructions and tools follow the conventions’ shapes', () => {
    const chat = byName(spans({ includeContent: true }), 'chat');
    const parse = (key: string) => JSON.parse(plain(chat, key) as string);
    expect(parse('gen_ai.system_instructions')).toEqual([
      { type: 'text', content: 'You plan trips.' },
    ]);
    expect(parse('gen_ai.input.messages')).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Weather in Oslo?' }] },
      { role: 'user', parts: [{ type: 'tool_call_response', id: 'toolu_0', response: 'cold' }] },
    ]);
    expect(parse('gen_ai.output.messages')).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'text', content: 'Checking.' },
          { type: 'tool_call', id: 'toolu_1', name: 'get_weather', arguments: { city: 'Oslo' } },
        ],
        finish_reason: 'tool_call',
      },
    ]);
    expect(parse('gen_ai.tool.definitions')).toEqual([
      {
        type: 'function',
        name: 'get_weather',
        description: 'Weather',
        parameters: { type: 'object' },
      },
    ]);
    // Off by default.
    const quiet = byName(spans(), 'chat');
    expect(quiet.attributes.some((a) => /messages|instructions|definitions/.test(a.key))).toBe(
      false,
    );
  });

  it('OpenAI messages too: system in the history, tool calls with parsed arguments, one output per choice', () => {
    const draft: ActionTraceDraft = {
      runId: 'r',
      kind: 'model_call',
      name: 'openai.chat.completions',
      invokedAt: at(0),
      status: 'succeeded',
      arguments: {
        model: 'gpt-4o',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: [{ type: 'text', text: 'Time?' }] },
          { role: 'tool', tool_call_id: 'call_1', content: '12:00' },
        ],
        tools: [{ type: 'function', function: { name: 'clock', parameters: { type: 'object' } } }],
      },
      result: {
        choices: [
          {
            finish_reason: 'tool_calls',
            message: {
              role: 'assistant',
              content: null,
              tool_calls: [
                { id: 'call_2', function: { name: 'clock', arguments: '{"tz":"UTC"}' } },
              ],
            },
          },
        ],
      },
      model: { provider: 'openai', requestModel: 'gpt-4o', streamed: false },
    };
    const chat = byName(spans({ includeContent: true }, [draft]), 'chat');
    const parse = (key: string) => JSON.parse(plain(chat, key) as string);
    expect(parse('gen_ai.input.messages')).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Time?' }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: '12:00' }] },
    ]);
    expect(parse('gen_ai.output.messages')).toEqual([
      {
        role: 'assistant',
        parts: [{ type: 'tool_call', id: 'call_2', name: 'clock', arguments: { tz: 'UTC' } }],
        finish_reason: 'tool_call',
      },
    ]);
    expect(value(chat, 'gen_ai.system_instructions')).toBeUndefined();
    expect(parse('gen_ai.tool.definitions')).toEqual([
      { type: 'function', name: 'clock', parameters: { type: 'object' } },
    ]);
  });

  it('a consumer rebuilding the tree from parent ids nests tool under chat under phase under agent', () => {
    const list = spans();
    // As Jaeger, Langfuse or Phoenix do: one root per trace, every other span's parent present.
    const ids = new Set(list.map((s) => s.spanId));
    expect(ids.size).toBe(list.length);
    const roots = list.filter((s) => s.parentSpanId === undefined);
    expect(roots.map((s) => s.name)).toEqual(['invoke_agent planner']);
    for (const span of list) if (span !== roots[0]) expect(ids.has(span.parentSpanId!)).toBe(true);
    const children = (id: string) => list.filter((s) => s.parentSpanId === id).map((s) => s.name);
    const tree = (id: string, name: string): unknown => ({
      [name]: children(id).map((child) => tree(list.find((s) => s.name === child)!.spanId, child)),
    });
    expect(tree(roots[0]!.spanId, roots[0]!.name)).toEqual({
      'invoke_agent planner': [
        {
          'phase propose': [{ 'chat claude-sonnet-4-5': [{ 'execute_tool get_weather': [] }] }],
        },
      ],
    });
    expect(plain(byName(list, 'phase'), 'gen_ai.operation.name')).toBe('phase');
  });

  it('exports a correction as an evaluation result feedback tools ingest, with the reviewer', () => {
    const tool = byName(spans(), 'execute_tool');
    const event = tool.events.find((e) => e.name === 'gen_ai.evaluation.result')!;
    const attributes = Object.fromEntries(
      event.attributes.map((a) => [a.key, Object.values(a.value)[0]]),
    );
    expect(attributes).toEqual({
      'gen_ai.evaluation.name': 'human_correction',
      'gen_ai.evaluation.score.label': 'corrected',
      'gen_ai.evaluation.explanation': 'Should have asked for the date.',
      'trace.correction.by': 'reviewer-9',
    });
    expect(event.timeUnixNano).toBe(`${BigInt(T0 + 60_000) * 1_000_000n}`);
    expect(tool.events.map((e) => e.name)).toContain('trace.correction');
  });
});

describe('OpenInference, opt-in', () => {
  it('adds span kinds, model, token counts and (with content) flattened messages', () => {
    expect(spans().some((s) => s.attributes.some((a) => a.key.startsWith('openinference')))).toBe(
      false,
    );
    const list = spans({ openInference: true, includeContent: true });
    expect(list.map((s) => plain(s, 'openinference.span.kind'))).toEqual([
      'AGENT',
      'CHAIN',
      'LLM',
      'TOOL',
    ]);
    const chat = byName(list, 'chat');
    expect(plain(chat, 'llm.model_name')).toBe('claude-sonnet-4-5');
    expect(plain(chat, 'llm.provider')).toBe('anthropic');
    expect(plain(chat, 'llm.token_count.prompt')).toBe(175);
    expect(plain(chat, 'llm.token_count.completion')).toBe(30);
    expect(plain(chat, 'llm.token_count.total')).toBe(205);
    expect(plain(chat, 'llm.input_messages.0.message.role')).toBe('system');
    expect(plain(chat, 'llm.input_messages.0.message.content')).toBe('You plan trips.');
    expect(plain(chat, 'llm.input_messages.1.message.content')).toBe('Weather in Oslo?');
    expect(plain(chat, 'llm.output_messages.0.message.content')).toBe('Checking.');
    expect(plain(chat, 'llm.output_messages.0.message.tool_calls.0.tool_call.function.name')).toBe(
      'get_weather',
    );
    const tool = byName(list, 'execute_tool');
    expect(plain(tool, 'tool.name')).toBe('get_weather');
    expect(plain(tool, 'input.value')).toBe('{"city":"Oslo"}');
    expect(plain(tool, 'output.value')).toBe('"cold"');
    // Content stays off unless asked, OpenInference or not.
    const quiet = byName(spans({ openInference: true }), 'chat');
    expect(quiet.attributes.some((a) => a.key.startsWith('llm.input_messages'))).toBe(false);
  });
});
