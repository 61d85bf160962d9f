import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { live, recording, withGlobals } from './index.js';

/** A package in a real node_modules folder that reads the globals for itself, as an SDK does. */
async function fakeLibrary(name: string): Promise<{ read(): number[] }> {
  const root = await mkdtemp(join(tmpdir(), 'trace-nondet-callers-'));
  const dir = join(root, 'node_modules', name);
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'index.mjs'),
    // A builtin between the read and the library (map) must not hide the library.
    'export function read() { return [Date.now(), Math.random(), ...[0].map(() => performance.now())]; }\n',
  );
  return import(pathToFileURL(join(dir, 'index.mjs')).href);
}

describe('withGlobals({ libraries })', () => {
  it("serves a listed library's own reads from the platform, and draws the caller's", async () => {
    const sdk = await fakeLibrary('fake-sdk');
    const other = await fakeLibrary('@scope/other-lib');
    const source = recording(live());
    await withGlobals(
      source,
      async () => {
        Date.now();
        sdk.read();
        await Promise.resolve();
        sdk.read();
        Math.random();
        // Not listed: its reads are drawn like the caller's own.
        other.read();
      },
      { libraries: ['fake-sdk'] },
    );
    expect(source.log().map((draw) => draw.kind)).toEqual([
      'clock.wall',
      'random.float',
      'clock.wall',
      'random.float',
      'clock.monotonic',
    ]);
  });

  it('without libraries, every read in the scope is drawn, as before', async () => {
    const sdk = await fakeLibrary('fake-sdk');
    const source = recording(live());
    withGlobals(source, () => sdk.read());
    expect(source.log()).toHaveLength(3);
  });

  it('refuses libraries that are not package names', () => {
    expect(() => withGlobals(live(), () => 1, { libraries: [''] })).toThrow(
      expect.objectContaining({ code: 'NONDET_INVALID_ARGUMENT' }),
    );
    expect(() =>
      withGlobals(live(), () => 1, { libraries: 'openai' as unknown as string[] }),
    ).toThrow(expect.objectContaining({ code: 'NONDET_INVALID_ARGUMENT' }));
  });
});
