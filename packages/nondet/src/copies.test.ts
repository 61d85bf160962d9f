import { copyFile, mkdir, mkdtemp, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import * as here from './index.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
let dir: string | undefined;

afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

it('two loaded copies share one set of originals and one scope', async () => {
  // A second copy of the built package, outside the package (so a lint or pack running meanwhile
  // never sees it), resolving @trace/spec through a link to the installed one.
  dir = await mkdtemp(join(tmpdir(), 'trace-nondet-copy-'));
  await mkdir(join(dir, 'node_modules', '@trace'), { recursive: true });
  await symlink(
    await realpath(join(packageDir, 'node_modules', '@trace', 'spec')),
    join(dir, 'node_modules', '@trace', 'spec'),
    'dir',
  );
  await copyFile(join(packageDir, 'dist/index.js'), join(dir, 'index.js'));
  await copyFile(join(packageDir, 'dist/index.js.map'), join(dir, 'index.js.map'));
  const copy = (await import(pathToFileURL(join(dir, 'index.js')).href)) as typeof here;
  expect(copy.withGlobals).not.toBe(here.withGlobals);

  const before = Object.getOwnPropertyDescriptor(Math, 'random');
  const seen = await copy.withGlobals(copy.seeded({ seed: 'outer' }), async () => {
    const outer = Math.random();
    // A scope opened by this copy, inside one opened by the other: the innermost serves.
    const inner = here.withGlobals(here.seeded({ seed: 'inner' }), () => Math.random());
    // The other copy's live source reads the platform, not the scope it is running in.
    const liveNow = copy.live().now();
    expect(here.currentSource()).toBe(copy.currentSource());
    return { outer, inner, liveNow, after: Math.random() };
  });
  const outer = here.seeded({ seed: 'outer' });
  expect(seen.outer).toBe(outer.float());
  expect(seen.inner).toBe(here.seeded({ seed: 'inner' }).float());
  expect(seen.after).toBe(outer.float());
  expect(seen.liveNow).toBeGreaterThan(Date.UTC(2020, 0, 1));
  expect(Object.getOwnPropertyDescriptor(Math, 'random')).toEqual(before);
  // Errors from either copy are recognised by the other.
  expect(() => copy.live().int(1, 0)).toThrow(
    expect.objectContaining({ code: 'NONDET_INVALID_ARGUMENT' }),
  );
  let caught: unknown;
  try {
    copy.replay([]).now();
  } catch (error) {
    caught = error;
  }
  expect(here.NondetDivergenceError.isInstance(caught)).toBe(true);
  expect(caught).not.toBeInstanceOf(here.NondetDivergenceError);
});
