import { describe, expect, it } from 'vitest';
import { tracesFromAudit } from './audit.js';

const base = { v: 1, prev: '00', hash: 'c0ffee' };

describe('tracesFromAudit', () => {
  it('turns tool calls, script calls and phases into drafts, and skips denied calls', () => {
    const lines = [
      {
        ...base,
        seq: 0,
        ts: '2026-01-01T00:00:01.000Z',
        type: 'session_start',
        session: 's1',
        payload: {},
      },
      {
        ...base,
        seq: 1,
        ts: '2026-01-01T00:00:02.000Z',
        type: 'tool_call',
        session: 's1',
        payload: {
          tool: 'read_file',
          status: 'ok',
          durationMs: 250,
          fromScript: false,
          iteration: 0,
        },
      },
      {
        ...base,
        seq: 2,
        ts: '2026-01-01T00:00:03.000Z',
        type: 'tool_call',
        session: 's1',
        payload: { tool: 'shell', status: 'skipped_not_allowed', durationMs: 0, fromScript: false },
      },
      {
        ...base,
        seq: 3,
        ts: '2026-01-01T00:00:04.000Z',
        type: 'tool_call',
        session: 's1',
        payload: {
          tool: 'build.sh',
          status: 'failed',
          durationMs: 1000,
          fromScript: true,
          error: 'exit 2',
        },
      },
      {
        ...base,
        seq: 4,
        ts: '2026-01-01T00:00:05.000Z',
        type: 'phase',
        session: 's1',
        payload: {
          iteration: 0,
          phase: 'execute',
          status: 'failed',
          startedAt: '2026-01-01T00:00:01.500Z',
          endedAt: '2026-01-01T00:00:04.500Z',
          error: 'tool failed',
        },
      },
    ];
    const drafts = tracesFromAudit(lines.map((l) => JSON.stringify(l)));
    expect(drafts.map((d) => [d.kind, d.name, d.status])).toEqual([
      ['tool_call', 'read_file', 'succeeded'],
      ['script_call', 'build.sh', 'failed'],
      ['phase', 'execute', 'failed'],
    ]);
    expect(drafts[0]).toMatchObject({
      invokedAt: '2026-01-01T00:00:01.750Z',
      durationMs: 250,
      iteration: 0,
      runId: 'audit:s1',
      evidence: { audit: { seq: 1, session: 's1', hash: 'c0ffee' } },
    });
    expect(drafts[1]).toMatchObject({ error: { type: 'ToolError', message: 'exit 2' } });
    expect(drafts[2]).toMatchObject({
      invokedAt: '2026-01-01T00:00:01.500Z',
      durationMs: 3000,
      error: { type: 'PhaseError', message: 'tool failed' },
    });
    // No trace refers to the denied entry.
    expect(drafts.some((d) => d.evidence?.audit?.seq === 2)).toBe(false);
  });

  it('refuses entries it cannot read with EXPORT_INVALID_SOURCE', () => {
    const bad = [
      'not json',
      JSON.stringify({ v: 2, seq: 0, ts: '2026-01-01T00:00:00Z', type: 'tool_call', payload: {} }),
      JSON.stringify({ v: 1, seq: -1, ts: '2026-01-01T00:00:00Z', type: 'x', payload: {} }),
      JSON.stringify({
        v: 1,
        seq: 0,
        ts: '2026-01-01T00:00:00Z',
        type: 'tool_call',
        payload: { tool: 'x', status: 'weird' },
      }),
      JSON.stringify({
        v: 1,
        seq: 0,
        ts: '2026-01-01T00:00:00Z',
        type: 'phase',
        payload: { phase: 'nap', status: 'succeeded' },
      }),
      // A duration that puts the start before year 0, and a time past year 9999: typed errors,
      // not a RangeError from Date or a time the schema rejects.
      JSON.stringify({
        v: 1,
        seq: 0,
        ts: '2026-01-01T00:00:00Z',
        type: 'tool_call',
        payload: { tool: 'x', status: 'ok', durationMs: 1e16, fromScript: false },
      }),
      JSON.stringify({
        v: 1,
        seq: 0,
        ts: '+020000-01-01T00:00:00Z',
        type: 'tool_call',
        payload: { tool: 'x', status: 'ok', durationMs: 1, fromScript: false },
      }),
    ];
    for (const line of bad) {
      expect(() => tracesFromAudit([line]), line).toThrowError(
        expect.objectContaining({ code: 'EXPORT_INVALID_SOURCE' }),
      );
    }
  });
});
