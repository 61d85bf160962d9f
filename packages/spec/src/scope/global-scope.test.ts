import { copyFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { globalScope, outsideScopes } from './global-scope.js';

/** A global to patch, owned by this test. */
const holder = globalThis as unknown as { traceScopeTestValue: (() => string) | undefined };

function testScope(key: string) {
  let installs = 0;
  const scope = globalScope<string>(key, () => {
    installs++;
    const before = holder.traceScopeTestValue;
    holder.traceScopeTestValue = () => scope.current() ?? 'platform';
    return () => {
      holder.traceScopeTestValue = before;
    };
  });
  return { scope, installs: () => installs };
}

describe('globalScope', () => {
  it('serves the innermost open scope, patches only while one is open, and restores exactly', async () => {
    const platform = () => 'untouched';
    holder.traceScopeTestValue = platform;
    const { scope, installs } = testScope('@trace/spec.test.scope-a');
    const seen = await scope.run('outer', async () => {
      const inner = await scope.run('inner', async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return holder.traceScopeTestValue!();
      });
      return [inner, holder.traceScopeTestValue!(), scope.outside(() => scope.current())];
    });
    expect(seen).toEqual(['inner', 'outer', undefined]);
    expect(holder.traceScopeTestValue).toBe(platform);
    expect(installs()).toBe(1);
    expect(scope.current()).toBeUndefined();
  });

  it('ends the scope when the function throws, and a callback that outlives it sees the parent', async () => {
    const { scope } = testScope('@trace/spec.test.scope-b');
    expect(() =>
      scope.run('x', () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    let late: (() => string | undefined) | undefined;
    await scope.run('outer', async () => {
      scope.run('inner', () => {
        late = () => scope.current();
      });
      expect(late!()).toBe('outer');
    });
    expect(late!()).toBeUndefined();
  });

  it('is one scope across two loaded copies of the built package', async () => {
    const built = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
    const dir = await mkdtemp(join(tmpdir(), 'trace-spec-copy-'));
    await copyFile(built, join(dir, 'index.js'));
    const copy = (await import(pathToFileURL(join(dir, 'index.js')).href)) as {
      globalScope: typeof globalScope;
    };
    expect(copy.globalScope).not.toBe(globalScope);
    const key = '@trace/spec.test.scope-c';
    let installs = 0;
    const install = () => {
      installs++;
      return () => {};
    };
    const here = globalScope<string>(key, install);
    const there = copy.globalScope<string>(key, install);
    const seen = here.run('from here', () => there.run('from there', () => [here.current()]));
    expect(seen).toEqual(['from there']);
    expect(installs).toBe(1);
  });
});

describe('outsideScopes', () => {
  it('leaves every open scope, whichever opened it, and only for the function it runs', async () => {
    const a = globalScope<string>('@trace/spec.test.outside-a', () => () => {});
    const b = globalScope<string>('@trace/spec.test.outside-b', () => () => {});
    const seen = await a.run('a', () =>
      b.run('b', async () => {
        const inside = outsideScopes(() => [a.current(), b.current()]);
        const later = await outsideScopes(async () => {
          await new Promise((resolve) => setTimeout(resolve, 1));
          return [a.current(), b.current()];
        });
        return { inside, later, after: [a.current(), b.current()] };
      }),
    );
    expect(seen).toEqual({
      inside: [undefined, undefined],
      later: [undefined, undefined],
      after: ['a', 'b'],
    });
    expect(outsideScopes(() => 42)).toBe(42);
  });
});
