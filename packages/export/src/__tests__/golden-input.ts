/**
 * The fixed input of the golden fixture (`golden-v1.json` beside it). Its credentials are
 * assembled from pieces at run time so no secret-looking string is committed; the export holds
 * only placeholders. Not part of the public API.
 */
import type { ActionTraceDraft } from '../draft.js';
import type { ExportOptions } from '../export.js';

const piece = (...parts: string[]): string => parts.join('');

export const GOLDEN_OPTIONS: ExportOptions = {
  redaction: { hashKey: piece('golden-fixture-', 'hash-key-0001') },
  allowRawResults: ['get_weather'],
  corrections: {
    act_golden_tool: {
      by: 'reviewer@example.com',
      note: 'Used the wrong city.',
      at: '2026-02-01T10:00:00Z',
    },
  },
  capabilities: { lookup_customer: { sensitivity: 'pii' } },
};

export function goldenDrafts(): ActionTraceDraft[] {
  const anthropic = piece('sk-', 'ant-', 'api03-', 'GOLDENgoldenGOLDENgolden0123456789');
  const github = piece('gh', 'p_', 'GOLDENgoldenGOLDENgolden0123456789ab');
  return [
    {
      id: 'act_golden_model',
      runId: 'run-golden',
      kind: 'model_call',
      name: 'anthropic.messages',
      invokedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 812.5,
      status: 'succeeded',
      arguments: { model: 'claude-sonnet-4-5', max_tokens: 1024, metadata: { api_key: anthropic } },
      result: { content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} }] },
      resultFlags: { contentBlocks: 1, toolCalls: 1, streamed: true },
      evidence: { tape: { fingerprint: 'ab'.repeat(32), exchangeIndex: 0 } },
      model: {
        provider: 'anthropic',
        requestModel: 'claude-sonnet-4-5',
        responseModel: 'claude-sonnet-4-5-20250929',
        responseId: 'msg_1',
        finishReasons: ['tool_use'],
        inputTokens: 120,
        outputTokens: 45,
        maxTokens: 1024,
        streamed: true,
      },
      annotations: [{ label: 'step 1', token: github }],
    },
    {
      id: 'act_golden_tool',
      runId: 'run-golden',
      kind: 'tool_call',
      name: 'get_weather',
      invokedAt: '2026-01-01T00:00:01.000Z',
      durationMs: 40,
      status: 'succeeded',
      arguments: {
        city: 'Paris',
        headers: [['Authorization', piece('Bearer ', 'abcdefgh12345678')]],
      },
      result: { tempC: 18, note: `fetched with ${github}` },
      evidence: { tape: { fingerprint: 'ab'.repeat(32), exchangeIndex: 0, toolCallIndex: 0 } },
      callId: 'toolu_1',
      parentId: 'act_golden_model',
      iteration: 0,
      metadata: { region: 'eu', retry: { count: 1, password: 'pw-1' } },
    },
    {
      id: 'act_golden_lookup',
      runId: 'run-golden',
      kind: 'tool_call',
      name: 'lookup_customer',
      invokedAt: '2026-01-01T00:00:02.000Z',
      status: 'failed',
      error: { type: 'NotFound', message: `no customer jane.doe@example.com (${'x'.repeat(600)})` },
      arguments: { email: 'jane.doe@example.com', phone: '+1 415-555-0132' },
      evidence: { audit: { seq: 7, session: 's-golden', hash: 'c0ffee' } },
    },
    {
      id: 'act_golden_memory',
      runId: 'run-golden',
      kind: 'tool_call',
      name: 'memory',
      invokedAt: '2026-01-01T00:00:03.000Z',
      status: 'succeeded',
      arguments: { command: 'create', path: '/memories/notes.md', file_text: 'the user likes tea' },
      result: 'ok',
      evidence: { audit: { seq: 8, session: 's-golden' } },
    },
    {
      id: 'act_golden_phase',
      runId: 'run-golden',
      kind: 'phase',
      name: 'execute',
      principal: { kind: 'service', id: 'ci-runner' },
      invokedAt: '2026-01-01T00:00:00.500Z',
      durationMs: 3000,
      status: 'succeeded',
      iteration: 0,
      evidence: { audit: { seq: 9, session: 's-golden' } },
    },
  ];
}
