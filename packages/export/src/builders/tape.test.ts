import type { ExchangeEvent, TapeContent, TapeEvent } from '@trace/spec';
import { describe, expect, it } from 'vitest';
import { bytes, chunked, jsonBytes, sse } from '../__tests__/test-support.js';
import { exportActionTraces } from '../export.js';
import { toOtlp } from '../otlp/convert.js';
import { tracesFromTape } from './tape.js';

const FP = 'ab'.repeat(32);
const ANTHROPIC = 'https://api.anthropic.com/v1/messages';
const OPENAI = 'https://api.openai.com/v1/chat/completions';

function exchange(
  url: string,
  request: unknown,
  status: number,
  body: ExchangeEvent['response'] extends infer R
    ? R extends { body: infer B }
      ? B
      : never
    : never,
): ExchangeEvent {
  return {
    type: 'exchange',
    request: {
      method: 'POST',
      url,
      headers: [['content-type', 'application/json']],
      body: jsonBytes(request),
    },
    response: { status, statusText: status === 200 ? 'OK' : 'Error', headers: [], body },
  };
}

const anthropicMessage = {
  id: 'msg_01',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5-20250929',
  content: [
    { type: 'text', text: 'Looking it up.' },
    { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } },
  ],
  stop_reason: 'tool_use',
  usage: { input_tokens: 120, output_tokens: 45 },
};

function anthropicFollowUp(isError: boolean): unknown {
  return {
    model: 'claude-sonnet-4-5',
    max_tokens: 1024,
    messages: [
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: anthropicMessage.content },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 'toolu_01',
            content: isError ? 'city not found' : '18°C, cloudy',
            ...(isError ? { is_error: true } : {}),
          },
        ],
      },
    ],
  };
}

function tape(events: TapeEvent[]): TapeContent {
  return { fingerprint: FP, events, metadata: { createdAt: '2026-01-02T03:04:05.000Z' } };
}

describe('tracesFromTape: Anthropic', () => {
  it('reads a JSON response: model, usage, finish reason, and the tool call it asked for', () => {
    const drafts = tracesFromTape(
      tape([
        { type: 'draw', kind: 'clock.wall', value: Date.parse('2026-05-06T07:08:09.000Z') },
        exchange(
          ANTHROPIC,
          {
            model: 'claude-sonnet-4-5',
            max_tokens: 1024,
            temperature: 0.2,
            messages: [{ role: 'user', content: 'Weather in Paris?' }],
          },
          200,
          { kind: 'bytes', bytes: jsonBytes(anthropicMessage) },
        ),
        { type: 'annotation', data: { label: 'after first call' } },
        exchange(ANTHROPIC, anthropicFollowUp(false), 200, {
          kind: 'bytes',
          bytes: jsonBytes({
            ...anthropicMessage,
            id: 'msg_02',
            content: [{ type: 'text', text: 'It is 18°C.' }],
            stop_reason: 'end_turn',
          }),
        }),
      ]),
    );
    expect(drafts.map((d) => d.kind)).toEqual(['model_call', 'tool_call', 'model_call']);
    const [model, tool, second] = drafts;
    expect(model!.invokedAt).toBe('2026-05-06T07:08:09.000Z');
    expect(model!.model).toEqual({
      provider: 'anthropic',
      streamed: false,
      requestModel: 'claude-sonnet-4-5',
      responseModel: 'claude-sonnet-4-5-20250929',
      responseId: 'msg_01',
      finishReasons: ['tool_use'],
      inputTokens: 120,
      outputTokens: 45,
      maxTokens: 1024,
      temperature: 0.2,
      serverAddress: 'api.anthropic.com',
      serverPort: 443,
    });
    expect(model!.annotations).toEqual([{ label: 'after first call' }]);
    expect(model!.evidence).toEqual({ tape: { fingerprint: FP, exchangeIndex: 0 } });
    expect(tool).toMatchObject({
      kind: 'tool_call',
      name: 'get_weather',
      status: 'succeeded',
      arguments: { city: 'Paris' },
      result: '18°C, cloudy',
      callId: 'toolu_01',
      parentId: model!.id,
      evidence: { tape: { fingerprint: FP, exchangeIndex: 0, toolCallIndex: 0 } },
    });
    expect(second!.evidence).toEqual({ tape: { fingerprint: FP, exchangeIndex: 1 } });
    // Ids are derived from the evidence: reading the tape again gives the same ids.
    const again = tracesFromTape(
      tape([exchange(ANTHROPIC, {}, 200, { kind: 'bytes', bytes: jsonBytes(anthropicMessage) })]),
    );
    expect(again[0]!.id).toBe(model!.id);
  });

  it('reassembles an SSE stream, including tool input sent as JSON fragments', () => {
    const body = sse([
      [
        'message_start',
        {
          type: 'message_start',
          message: {
            id: 'msg_s',
            type: 'message',
            role: 'assistant',
            model: 'claude-haiku-4-5',
            content: [],
            stop_reason: null,
            usage: { input_tokens: 30, output_tokens: 1 },
          },
        },
      ],
      [
        'content_block_start',
        {
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'tool_use', id: 'toolu_s', name: 'search', input: {} },
        },
      ],
      ['ping', { type: 'ping' }],
      [
        'content_block_delta',
        {
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'input_json_delta', partial_json: '{"query": "ot' },
        },
      ],
      [
        'content_block_delta',
        {
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'input_json_delta', partial_json: 'lp json"}' },
        },
      ],
      ['content_block_stop', { type: 'content_block_stop', index: 0 }],
      [
        'message_delta',
        {
          type: 'message_delta',
          delta: { stop_reason: 'tool_use', stop_sequence: null },
          usage: { output_tokens: 22 },
        },
      ],
      ['message_stop', { type: 'message_stop' }],
    ]);
    const follow = {
      model: 'claude-haiku-4-5',
      messages: [
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 'toolu_s',
              content: [{ type: 'text', text: 'no results' }],
              is_error: true,
            },
          ],
        },
      ],
    };
    const drafts = tracesFromTape(
      tape([
        exchange(ANTHROPIC, { model: 'claude-haiku-4-5', stream: true, messages: [] }, 200, {
          kind: 'stream',
          chunks: chunked(body, 37),
          end: { kind: 'complete' },
        }),
        exchange(ANTHROPIC, follow, 500, {
          kind: 'bytes',
          bytes: jsonBytes({
            type: 'error',
            error: { type: 'api_error', message: 'Internal server error' },
          }),
        }),
      ]),
    );
    const [model, tool, failed] = drafts;
    expect(model!.model).toMatchObject({
      streamed: true,
      finishReasons: ['tool_use'],
      inputTokens: 30,
      outputTokens: 22,
      responseModel: 'claude-haiku-4-5',
    });
    expect(model!.durationMs).toBeGreaterThan(0);
    expect(model!.resultFlags).toMatchObject({
      toolCalls: 1,
      contentBlocks: 1,
      streamed: true,
      incomplete: false,
    });
    expect(tool).toMatchObject({
      name: 'search',
      arguments: { query: 'otlp json' },
      status: 'failed',
      error: {
        type: 'ToolError',
        message: 'The tool reported an error; its result holds the details.',
      },
      result: [{ type: 'text', text: 'no results' }],
    });
    expect(failed).toMatchObject({
      status: 'failed',
      error: { type: 'api_error', message: 'Internal server error' },
    });
  });

  it('marks a cut stream and a transport error as failures, and skips tool calls without results', () => {
    const body = sse([
      [
        'message_start',
        { type: 'message_start', message: { id: 'm', model: 'x', usage: { input_tokens: 1 } } },
      ],
      [
        'content_block_start',
        {
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'tool_use', id: 'toolu_never', name: 'rm', input: {} },
        },
      ],
    ]);
    const drafts = tracesFromTape(
      tape([
        exchange(ANTHROPIC, { model: 'x' }, 200, {
          kind: 'stream',
          chunks: chunked(body, 50),
          end: {
            kind: 'error',
            offsetMs: 99,
            error: { name: 'TypeError', message: 'terminated', code: 'ECONNRESET' },
          },
        }),
        {
          type: 'exchange',
          request: { method: 'POST', url: ANTHROPIC, headers: [], body: null },
          error: { name: 'TypeError', message: 'fetch failed', code: 'ECONNREFUSED' },
        },
        {
          type: 'exchange',
          request: { method: 'GET', url: 'https://example.com/other', headers: [], body: null },
          response: { status: 200, statusText: 'OK', headers: [], body: null },
        },
      ]),
    );
    expect(drafts).toHaveLength(2);
    expect(drafts[0]).toMatchObject({
      status: 'failed',
      durationMs: 99,
      error: { type: 'ECONNRESET', message: 'terminated' },
      resultFlags: { incomplete: true },
    });
    expect(drafts[1]).toMatchObject({
      status: 'failed',
      error: { type: 'ECONNREFUSED' },
      evidence: { tape: { exchangeIndex: 1 } },
    });
  });
});

describe('tracesFromTape: OpenAI', () => {
  it('reads a JSON completion with tool calls and their results', () => {
    const completion = {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      model: 'gpt-4o-2024-08-06',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: 'call_1',
                type: 'function',
                function: { name: 'lookup', arguments: '{"id":7}' },
              },
            ],
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 50, completion_tokens: 12, total_tokens: 62 },
    };
    const follow = {
      model: 'gpt-4o',
      messages: [
        { role: 'assistant', tool_calls: completion.choices[0]!.message.tool_calls },
        { role: 'tool', tool_call_id: 'call_1', content: '{"name":"x"}' },
      ],
    };
    const drafts = tracesFromTape(
      tape([
        exchange(OPENAI, { model: 'gpt-4o', max_completion_tokens: 256, messages: [] }, 200, {
          kind: 'bytes',
          bytes: jsonBytes(completion),
        }),
        exchange(OPENAI, follow, 200, {
          kind: 'bytes',
          bytes: jsonBytes({
            ...completion,
            id: 'chatcmpl-2',
            choices: [
              { index: 0, message: { role: 'assistant', content: 'done' }, finish_reason: 'stop' },
            ],
          }),
        }),
      ]),
    );
    expect(drafts.map((d) => d.name)).toEqual([
      'openai.chat.completions',
      'lookup',
      'openai.chat.completions',
    ]);
    expect(drafts[0]!.model).toEqual({
      provider: 'openai',
      streamed: false,
      requestModel: 'gpt-4o',
      responseModel: 'gpt-4o-2024-08-06',
      responseId: 'chatcmpl-1',
      finishReasons: ['tool_calls'],
      inputTokens: 50,
      outputTokens: 12,
      maxTokens: 256,
      serverAddress: 'api.openai.com',
      serverPort: 443,
    });
    expect(drafts[1]).toMatchObject({
      arguments: { id: 7 },
      result: '{"name":"x"}',
      callId: 'call_1',
      status: 'succeeded',
    });
  });

  it('reassembles streamed chunks, tool-call fragments and include_usage', () => {
    const chunk = (delta: unknown, finish: string | null = null) => ({
      id: 'chatcmpl-s',
      object: 'chat.completion.chunk',
      model: 'gpt-4o-mini',
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
    const body = `${[
      chunk({ role: 'assistant', content: '' }),
      chunk({
        tool_calls: [
          { index: 0, id: 'call_s', type: 'function', function: { name: 'get_', arguments: '' } },
        ],
      }),
      chunk({ tool_calls: [{ index: 0, function: { name: 'time', arguments: '{"tz":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"UTC"}' } }] }),
      chunk({}, 'tool_calls'),
      {
        id: 'chatcmpl-s',
        object: 'chat.completion.chunk',
        model: 'gpt-4o-mini',
        choices: [],
        usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 },
      },
    ]
      .map((c) => `data: ${JSON.stringify(c)}\n\n`)
      .join('')}data: [DONE]\n\n`;
    const follow = { messages: [{ role: 'tool', tool_call_id: 'call_s', content: '12:00' }] };
    const drafts = tracesFromTape(
      tape([
        exchange(
          OPENAI,
          { model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true } },
          200,
          { kind: 'stream', chunks: chunked(body, 64), end: { kind: 'complete' } },
        ),
        exchange(OPENAI, follow, 200, { kind: 'bytes', bytes: bytes('{}') }),
      ]),
    );
    expect(drafts[0]!.model).toMatchObject({
      streamed: true,
      finishReasons: ['tool_calls'],
      inputTokens: 9,
      outputTokens: 4,
    });
    expect(drafts[1]).toMatchObject({
      name: 'get_time',
      arguments: { tz: 'UTC' },
      result: '12:00',
    });
  });
});

describe('tracesFromTape: bodies that are not model responses', () => {
  it('reports no result for an HTML error page or an empty stream, for either provider', () => {
    for (const url of [ANTHROPIC, OPENAI]) {
      const drafts = tracesFromTape(
        tape([
          exchange(url, { model: 'm' }, 502, {
            kind: 'bytes',
            bytes: bytes('<html><body>502 Bad Gateway</body></html>'),
          }),
          exchange(url, { model: 'm', stream: true }, 200, {
            kind: 'stream',
            chunks: [],
            end: {
              kind: 'error',
              offsetMs: 7,
              error: { name: 'TypeError', message: 'terminated' },
            },
          }),
        ]),
      );
      expect(drafts, url).toHaveLength(2);
      expect(drafts[0], url).toMatchObject({
        status: 'failed',
        error: { type: 'http_502', message: 'Error' },
      });
      expect(drafts[1], url).toMatchObject({ status: 'failed', error: { message: 'terminated' } });
      for (const draft of drafts) {
        // Nothing came back that describes a message: no invented `{ content: [] }` or
        // `{ object: 'chat.completion', choices: [] }` result, no invented counts.
        expect(draft, url).not.toHaveProperty('result');
        expect(draft, url).not.toHaveProperty('resultFlags');
        expect(exportActionTraces([draft]).traces[0], url).not.toHaveProperty('result');
      }
    }
  });
});

describe('tracesFromTape: corrupt stream indexes', () => {
  it('reads a stream whose block or tool-call index is huge without walking a sparse array', () => {
    // Before, each of these spent tens of seconds filtering a 2e9-slot array (the test timed out).
    const huge = 2_000_000_000;
    const anthropicBody = sse([
      ['message_start', { type: 'message_start', message: { id: 'm', model: 'x' } }],
      [
        'content_block_start',
        {
          type: 'content_block_start',
          index: huge,
          content_block: { type: 'tool_use', id: 'toolu_h', name: 'far', input: {} },
        },
      ],
      [
        'content_block_delta',
        {
          type: 'content_block_delta',
          index: huge,
          delta: { type: 'input_json_delta', partial_json: '{"a":1}' },
        },
      ],
      [
        'content_block_start',
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: 'hi' } },
      ],
    ]);
    const openaiBody = sse([
      [
        undefined,
        {
          id: 'c',
          choices: [
            {
              index: 0,
              delta: {
                tool_calls: [
                  { index: huge, id: 'call_h', function: { name: 'far', arguments: '{}' } },
                ],
              },
            },
          ],
        },
      ],
      [
        undefined,
        {
          id: 'c',
          choices: [
            {
              index: 0,
              delta: { tool_calls: [{ index: 0, id: 'call_0', function: { name: 'near' } }] },
            },
          ],
        },
      ],
    ]);
    const drafts = tracesFromTape(
      tape([
        exchange(ANTHROPIC, { model: 'x' }, 200, { kind: 'bytes', bytes: bytes(anthropicBody) }),
        exchange(OPENAI, { model: 'x' }, 200, { kind: 'bytes', bytes: bytes(openaiBody) }),
      ]),
    );
    // Blocks and calls keep their stream order, the huge index last.
    expect(drafts[0]!.result).toEqual({
      id: 'm',
      model: 'x',
      content: [
        { type: 'text', text: 'hi' },
        { type: 'tool_use', id: 'toolu_h', name: 'far', input: { a: 1 } },
      ],
    });
    const message = (drafts[1]!.result as { choices: { message: { tool_calls: unknown[] } }[] })
      .choices[0]!.message;
    expect(message.tool_calls).toEqual([
      { id: 'call_0', type: 'function', function: { name: 'near', arguments: '' } },
      { id: 'call_h', type: 'function', function: { name: 'far', arguments: '{}' } },
    ]);
  });
});

describe('tracesFromTape: input checks', () => {
  it("reads only Anthropic's /v1/messages as Anthropic, not another API's message list", () => {
    const threads = 'https://api.openai.com/v1/threads/thread_1/messages';
    const events = [
      exchange(threads, { role: 'user', content: 'hi' }, 200, {
        kind: 'bytes',
        bytes: jsonBytes({ id: 'msg_1', object: 'thread.message', content: [] }),
      }),
      exchange(ANTHROPIC, { model: 'm', messages: [] }, 200, {
        kind: 'bytes',
        bytes: jsonBytes(anthropicMessage),
      }),
    ];
    const drafts = tracesFromTape({ fingerprint: FP, events }, { startedAt: 0 });
    expect(drafts.map((d) => d.evidence)).toEqual([
      { tape: { fingerprint: FP, exchangeIndex: 1 } },
    ]);
  });

  it('skips a draw kind or an exchange URL that is not a string, even one with no string form', () => {
    const noString = [{ toString: false }]; // String(noString) throws a TypeError
    const events = [
      { type: 'draw', kind: noString, value: {} },
      { type: 'exchange', request: { url: noString }, response: { status: 200 } },
      exchange(OPENAI, {}, 200, null),
    ] as unknown as TapeEvent[];
    const drafts = tracesFromTape({ fingerprint: FP, events }, { startedAt: 0 });
    expect(drafts).toHaveLength(1);
    expect(drafts[0]!.evidence).toEqual({ tape: { fingerprint: FP, exchangeIndex: 1 } });
  });

  it('refuses a tape without a fingerprint, and an exchange with no time', () => {
    expect(() => tracesFromTape({ fingerprint: 'not hex', events: [] })).toThrowError(
      expect.objectContaining({ code: 'EXPORT_INVALID_SOURCE' }),
    );
    expect(() =>
      tracesFromTape({ fingerprint: FP, events: [exchange(OPENAI, {}, 200, null)] }),
    ).toThrowError(expect.objectContaining({ code: 'EXPORT_INVALID_SOURCE' }));
    expect(
      tracesFromTape(
        { fingerprint: FP, events: [exchange(OPENAI, {}, 200, null)] },
        { startedAt: 0 },
      )[0]!.invokedAt,
    ).toBe('1970-01-01T00:00:00.000Z');
  });

  it('exports tape drafts through the contract', () => {
    const drafts = tracesFromTape(
      tape([
        exchange(ANTHROPIC, { model: 'm' }, 200, {
          kind: 'bytes',
          bytes: jsonBytes(anthropicMessage),
        }),
      ]),
    );
    const envelope = exportActionTraces(drafts);
    expect(envelope.traces[0]).toMatchObject({
      kind: 'model_call',
      result: { summary: { type: 'object', contentBlocks: 2, toolCalls: 1 } },
    });
    expect(envelope.traces[0]!.result).not.toHaveProperty('value');
  });
});

describe('tracesFromTape: a failed tool', () => {
  it("keeps the tool's output in its result, so that it reaches OTLP only when content is on", () => {
    const output = 'city not found: Atlantis-7f3e';
    const follow = {
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_01', content: output, is_error: true },
          ],
        },
      ],
    };
    const drafts = tracesFromTape(
      tape([
        exchange(ANTHROPIC, { model: 'm', messages: [] }, 200, {
          kind: 'bytes',
          bytes: jsonBytes(anthropicMessage),
        }),
        exchange(ANTHROPIC, follow, 200, {
          kind: 'bytes',
          bytes: jsonBytes({ ...anthropicMessage, id: 'msg_02', stop_reason: 'end_turn' }),
        }),
      ]),
    );
    const envelope = exportActionTraces(drafts, { allowRawResults: true });
    const tool = envelope.traces.find((t) => t.kind === 'tool_call');
    expect(tool).toMatchObject({ status: 'failed', error: { type: 'ToolError' } });
    expect(JSON.stringify(toOtlp(envelope))).not.toContain('Atlantis');
    expect(JSON.stringify(toOtlp(envelope, { includeContent: true }))).toContain('Atlantis');
  });
});
