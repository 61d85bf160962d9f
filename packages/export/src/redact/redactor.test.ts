import { compileRedactor } from '@trace/redact';
import { describe, expect, it } from 'vitest';
import { ExportError } from '../errors.js';
import { exportActionTrace } from '../export.js';
import { createRedactor } from './redactor.js';

// The detectors, key-name rules and path rules are @trace/redact's, tested there; these tests
// cover what export adds: its errors.
describe('redaction in exports', () => {
  it('rejects malformed options with EXPORT_INVALID_OPTIONS', () => {
    for (const options of [{ paths: ['a..b'] }, { keys: [''] }, { hashKey: 'short' }]) {
      expect(() => createRedactor(options)).toThrowError(
        expect.objectContaining({ code: 'EXPORT_INVALID_OPTIONS' }),
      );
      expect(() => exportActionTrace(minimal, { redaction: options })).toThrowError(
        expect.objectContaining({ code: 'EXPORT_INVALID_OPTIONS' }),
      );
    }
  });

  it('refuses cycles with a typed error, from its own redactor and from the engine’s', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const redactor = createRedactor();
    expect(() => redactor.redactValue(cyclic)).toThrowError(ExportError);
    try {
      redactor.redactValue(cyclic);
    } catch (error) {
      expect((error as ExportError).code).toBe('EXPORT_INVALID_TRACE');
    }
    for (const redaction of [redactor, compileRedactor()]) {
      expect(() =>
        exportActionTrace({ ...minimal, arguments: cyclic }, { redaction }),
      ).toThrowError(expect.objectContaining({ code: 'EXPORT_INVALID_TRACE' }));
    }
    // Input of the wrong type, from a trace that was never validated, is an ExportError too.
    expect(() => redactor.redactString(3 as never)).toThrowError(
      expect.objectContaining({ code: 'EXPORT_INVALID_TRACE' }),
    );
    // A value seen twice but not inside itself is not a cycle.
    const shared = { x: 1 };
    expect(redactor.redactValue({ a: shared, b: shared })).toEqual({ a: { x: 1 }, b: { x: 1 } });
  });
});

const minimal = {
  runId: 'r',
  kind: 'tool_call' as const,
  name: 't',
  invokedAt: 0,
  status: 'succeeded' as const,
};
