import { describe, expect, it } from 'vitest';
import { AuditError } from './errors.js';
import {
  cut,
  decisionPayload,
  phasePayload,
  samplingPayload,
  summariseSubject,
  toolCallPayload,
  verdictPayload,
} from './vocabulary.js';

const expectInvalid = (run: () => unknown, field: string) => {
  try {
    run();
  } catch (error) {
    expect(AuditError.isInstance(error)).toBe(true);
    expect((error as AuditError).code).toBe('AUDIT_INVALID_EVENT');
    expect((error as AuditError).details.field).toBe(field);
    return;
  }
  throw new Error(`expected ${field} to be refused`);
};

describe('the agent-loop vocabulary', () => {
  it('cuts error texts to 200 characters without splitting a surrogate pair', () => {
    expect(cut('a'.repeat(200))).toHaveLength(200);
    expect(cut('a'.repeat(201))).toBe(`${'a'.repeat(199)}…`);
    const emoji = `${'a'.repeat(198)}😀tail`;
    const out = cut(emoji);
    expect(out.endsWith('a…')).toBe(true);
    expect(out.length).toBeLessThanOrEqual(200);
  });

  it('phase: normalises times, keeps the cut error only on failure', () => {
    const started = new Date('2026-01-01T00:00:00Z');
    expect(
      phasePayload({
        iteration: 2,
        phase: 'observe',
        status: 'failed',
        startedAt: started,
        endedAt: '2026-01-01T00:00:01Z',
        error: 'e'.repeat(500),
      }),
    ).toEqual({
      iteration: 2,
      phase: 'observe',
      status: 'failed',
      startedAt: '2026-01-01T00:00:00.000Z',
      endedAt: '2026-01-01T00:00:01.000Z',
      error: `${'e'.repeat(199)}…`,
    });
    expect(
      phasePayload({
        iteration: 0,
        phase: 'decide',
        status: 'succeeded',
        startedAt: started,
        endedAt: started,
        error: 'ignored',
      }),
    ).not.toHaveProperty('error');
    expectInvalid(
      () =>
        phasePayload({
          iteration: 0,
          phase: 'dream' as never,
          status: 'succeeded',
          startedAt: started,
          endedAt: started,
        }),
      'phase.phase',
    );
    expectInvalid(
      () =>
        phasePayload({
          iteration: 0,
          phase: 'decide',
          status: 'succeeded',
          startedAt: 'yesterday',
          endedAt: started,
        }),
      'phase.startedAt',
    );
  });

  it('never takes a boolean, a fraction or a negative number for an iteration index', () => {
    for (const bad of [true, false, 1.5, -1, '1', null]) {
      expectInvalid(
        () =>
          samplingPayload({ purpose: 'p', status: 'used', backend: 'b', iteration: bad as never }),
        'sampling.iteration',
      );
      expectInvalid(
        () => verdictPayload({ iteration: bad as never, verdict: 'v', reason: 'r' }),
        'verdict.iteration',
      );
    }
  });

  it('sampling: keeps the documented optional fields, cuts the validation error', () => {
    expect(
      samplingPayload({
        purpose: 'plan',
        status: 'rejected',
        backend: 'anthropic',
        modelId: 'm',
        outputBytes: 10,
        validationError: 'v'.repeat(300),
        inputTokens: 5,
        outputTokens: 6,
        context: 'startup',
      }),
    ).toEqual({
      purpose: 'plan',
      status: 'rejected',
      backend: 'anthropic',
      modelId: 'm',
      outputBytes: 10,
      validationError: `${'v'.repeat(199)}…`,
      inputTokens: 5,
      outputTokens: 6,
      context: 'startup',
    });
    expectInvalid(
      () => samplingPayload({ purpose: 'plan', status: 'maybe' as never, backend: 'b' }),
      'sampling.status',
    );
    expectInvalid(
      () => samplingPayload({ purpose: 'plan', status: 'used', backend: 'b', outputBytes: -1 }),
      'sampling.outputBytes',
    );
  });

  it('tool_call and decision: validate types and shape', () => {
    expect(
      toolCallPayload({
        tool: 'sh',
        status: 'skipped_not_allowed',
        durationMs: 0,
        fromScript: true,
      }),
    ).toEqual({ tool: 'sh', status: 'skipped_not_allowed', durationMs: 0, fromScript: true });
    expectInvalid(
      () => toolCallPayload({ tool: 'sh', status: 'ok', durationMs: Number.NaN, fromScript: true }),
      'tool_call.durationMs',
    );
    expectInvalid(
      () =>
        toolCallPayload({ tool: 'sh', status: 'ok', durationMs: 1, fromScript: 'yes' as never }),
      'tool_call.fromScript',
    );
    expectInvalid(
      () =>
        decisionPayload({
          action: 'promote',
          approved: true,
          votes: [{ voter: 'a', passed: 'yes' as never, reason: '' }],
          subject: 'x',
          reason: '',
        }),
      'decision.votes[0].passed',
    );
    expectInvalid(
      () =>
        decisionPayload({
          action: 'promote',
          approved: true,
          votes: {} as never,
          subject: 'x',
          reason: '',
        }),
      'decision.votes',
    );
  });

  it('summarises a decision subject through the whitelist only', () => {
    expect(
      summariseSubject({ id: 'x', secret: 'no', kind: 'k', nested: { id: 1 }, version: 3 }, [
        'id',
        'kind',
        'version',
        'nested',
      ]),
    ).toEqual({ id: 'x', kind: 'k', version: 3 });
    expect(summariseSubject(['a', 'b'], ['id'])).toEqual({ count: 2 });
    expect(summariseSubject('s'.repeat(300), ['id'])).toHaveLength(200);
  });
});
