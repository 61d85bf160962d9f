import { copyFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findTraceError, hasTraceErrorCode, TraceError } from '../index.js';

class ExampleError extends TraceError {
  static override readonly brand = Symbol.for('@trace/spec.test.ExampleError');
}
class OtherError extends TraceError {
  static override readonly brand = Symbol.for('@trace/spec.test.OtherError');
}

describe('TraceError', () => {
  it('keeps code, message, cause and details, and names itself after its class', () => {
    const cause = new Error('disk full');
    const error = new ExampleError('EXAMPLE_FAILED', 'Example failed: free some space.', {
      cause,
      details: { path: '/tmp/x' },
    });
    expect(error.code).toBe('EXAMPLE_FAILED');
    expect(error.message).toBe('Example failed: free some space.');
    expect(error.cause).toBe(cause);
    expect(error.details).toEqual({ path: '/tmp/x' });
    expect(Object.isFrozen(error.details)).toBe(true);
    expect(error.name).toBe('ExampleError');
    expect(error).toBeInstanceOf(Error);
  });

  it('isInstance follows the class hierarchy and rejects look-alikes', () => {
    const example = new ExampleError('X', 'x');
    expect(TraceError.isInstance(example)).toBe(true);
    expect(ExampleError.isInstance(example)).toBe(true);
    expect(OtherError.isInstance(example)).toBe(false);
    expect(ExampleError.isInstance(new TraceError('X', 'x'))).toBe(false);
    expect(TraceError.isInstance(Object.assign(new Error('x'), { code: 'X' }))).toBe(false);
    expect(TraceError.isInstance(null)).toBe(false);
    expect(TraceError.isInstance('TraceError')).toBe(false);
  });

  it('is recognised across two loaded copies of the built package', async () => {
    const built = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
    const dir = await mkdtemp(join(tmpdir(), 'trace-errors-copy-'));
    await copyFile(built, join(dir, 'index.js'));
    await copyFile(`${built}.map`, join(dir, 'index.js.map'));
    const copy = (await import(pathToFileURL(join(dir, 'index.js')).href)) as {
      TraceError: typeof TraceError;
    };
    expect(copy.TraceError).not.toBe(TraceError);
    const fromCopy = new copy.TraceError('COPY', 'from the other copy');
    expect(fromCopy instanceof TraceError).toBe(false);
    expect(TraceError.isInstance(fromCopy)).toBe(true);
    expect(copy.TraceError.isInstance(new TraceError('HERE', 'from this copy'))).toBe(true);
  });

  it('serialises to JSON with a summarised cause', () => {
    const inner = Object.assign(new Error('connect refused'), { code: 'ECONNREFUSED' });
    const error = new ExampleError('EXAMPLE', 'outer', { cause: inner, details: { n: 1 } });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'ExampleError',
      code: 'EXAMPLE',
      message: 'outer',
      details: { n: 1 },
      cause: { name: 'Error', message: 'connect refused', code: 'ECONNREFUSED' },
    });
  });

  it('serialises a cause that is an object without a prototype, as a test runner copies an error', () => {
    // vitest replaces an error's cause with such a copy before serialising the error it reports.
    const copy = Object.assign(Object.create(null), {
      name: 'RunError',
      message: 'disk full',
      code: 'X',
    });
    const bare = Object.assign(Object.create(null), { reason: 'no message' });
    expect(
      JSON.parse(JSON.stringify(new ExampleError('EXAMPLE', 'outer', { cause: copy }))).cause,
    ).toEqual({
      name: 'RunError',
      message: 'disk full',
      code: 'X',
    });
    expect(
      JSON.parse(JSON.stringify(new ExampleError('EXAMPLE', 'outer', { cause: bare }))).cause,
    ).toBe('[object Object]');
  });
});

describe('findTraceError', () => {
  it('finds a @trace error wrapped by other errors, optionally by code', () => {
    const inner = new ExampleError('DIVERGED', 'diverged');
    const wrapped = new Error('Connection error.', {
      cause: new TypeError('fetch failed', { cause: inner }),
    });
    expect(findTraceError(wrapped)).toBe(inner);
    expect(findTraceError(wrapped, 'DIVERGED')).toBe(inner);
    expect(findTraceError(wrapped, 'OTHER')).toBeUndefined();
    expect(hasTraceErrorCode(wrapped, 'DIVERGED')).toBe(true);
    expect(findTraceError(new Error('plain'))).toBeUndefined();
    expect(findTraceError(undefined)).toBeUndefined();
  });

  it('stops on a cyclic cause chain', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(findTraceError(a)).toBeUndefined();
  });
});
