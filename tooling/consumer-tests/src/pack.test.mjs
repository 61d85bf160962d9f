// Each publishable package is packed with `pnpm pack` (which turns `workspace:^` ranges into
// versions), the tarballs are installed into fresh projects with npm, and the packages are used
// there through their published `exports` — proving they publish, and that installing only the
// pieces needed works: @trace/transport, @trace/nondet, @trace/audit and @trace/export each install
// offline with no native build; only @trace/store-sqlite brings better-sqlite3 (and @trace/export
// @bufbuild/protobuf, pure JavaScript).
import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const pnpm = join(root, 'node_modules/.bin/pnpm');
const work = mkdtempSync(join(tmpdir(), 'trace-pack-'));
const PACKAGES = [
  'spec',
  'tape',
  'store-sqlite',
  'redact',
  'nondet',
  'transport',
  'audit',
  'export',
  'run',
  'vitest',
  'proxy',
  'cli',
  'fork',
  'blame',
  'report',
];
// What a project installing transport, or audit, alone receives beside it.
const TRANSPORT_TARBALLS = ['spec', 'tape', 'redact', 'transport'];
const TRANSPORT_INSTALLS = ['@trace/redact', '@trace/spec', '@trace/tape', '@trace/transport'];
const AUDIT_INSTALLS = ['@trace/audit', '@trace/redact', '@trace/spec'];
const tarballs = {};

beforeAll(() => {
  for (const name of PACKAGES) {
    const out = execFileSync(pnpm, ['pack', '--pack-destination', work], {
      cwd: join(root, 'packages', name),
      encoding: 'utf8',
    });
    tarballs[name] = out.trim().split('\n').at(-1);
  }
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * A fresh npm project with these tarballs installed; `overrides` maps dependencies elsewhere.
 * Install scripts are skipped unless `scripts` is set.
 */
function project(name, packages, overrides = {}, { scripts = false } = {}) {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name, private: true, type: 'module', overrides }),
  );
  // --offline: anything that would come from the registry fails the install instead.
  execFileSync(
    'npm',
    [
      'install',
      '--offline',
      ...(scripts ? [] : ['--ignore-scripts']),
      '--no-audit',
      '--no-fund',
      ...packages.map((p) => tarballs[p]),
    ],
    { cwd: dir, stdio: 'pipe' },
  );
  return dir;
}

function run(dir, code) {
  writeFileSync(join(dir, 'main.mjs'), code);
  return execFileSync(process.execPath, ['main.mjs'], { cwd: dir, encoding: 'utf8' }).trim();
}

/** Every package directory under node_modules, scoped names included. */
function installed(dir) {
  const modules = join(dir, 'node_modules');
  return readdirSync(modules)
    .filter((entry) => !entry.startsWith('.'))
    .flatMap((entry) =>
      entry.startsWith('@')
        ? readdirSync(join(modules, entry)).map((inner) => `${entry}/${inner}`)
        : [entry],
    )
    .sort();
}

describe('packed tarballs', () => {
  it('hold the built output, the README and package.json, and no sources or tests', () => {
    for (const name of PACKAGES) {
      const files = execFileSync('tar', ['tzf', tarballs[name]], { encoding: 'utf8' })
        .trim()
        .split('\n');
      expect(files).toContain('package/package.json');
      expect(files).toContain('package/README.md');
      expect(files).toContain('package/dist/index.js');
      expect(files).toContain('package/dist/index.d.ts');
      expect(
        files.filter(
          (f) => f.includes('/src/') || f.endsWith('.test.js') || f.endsWith('.test.ts'),
        ),
      ).toEqual([]);
      const manifest = JSON.parse(
        execFileSync('tar', ['xzf', tarballs[name], '-O', 'package/package.json'], {
          encoding: 'utf8',
        }),
      );
      expect(JSON.stringify(manifest.dependencies ?? {})).not.toContain('workspace:');
    }
  });
});

/** Fails when anything installed into `dir` compiled, or would compile, native code. */
function expectNoNativeBuild(dir) {
  const modules = join(dir, 'node_modules');
  for (const name of installed(dir)) {
    const manifest = JSON.parse(readFileSync(join(modules, name, 'package.json'), 'utf8'));
    const scripts = manifest.scripts ?? {};
    expect({
      name,
      gypfile: manifest.gypfile === true,
      install: scripts.install ?? scripts.preinstall ?? scripts.postinstall,
    }).toEqual({ name, gypfile: false, install: undefined });
  }
  const binaries = [];
  const walk = (folder) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.node') || entry.name === 'binding.gyp') binaries.push(path);
    }
  };
  walk(modules);
  expect(binaries).toEqual([]);
}

// Each of these installs with its scripts allowed to run, from the tarballs alone (--offline): the
// exact set of packages that arrives, and the absence of any install script, `binding.gyp` or
// compiled `.node` file, prove that nothing native was, or could have been, built.
describe('installed alone, with no native dependency', () => {
  it('@trace/nondet records and replays', () => {
    const dir = project('only-nondet', ['spec', 'nondet'], {}, { scripts: true });
    expect(installed(dir)).toEqual(['@trace/nondet', '@trace/spec']);
    expectNoNativeBuild(dir);
    expect(
      run(
        dir,
        `import { recording, replay } from '@trace/nondet';
const rec = recording();
const values = [rec.uuidV4(), rec.float(), rec.now()];
const rep = replay(JSON.parse(JSON.stringify(rec.log())));
console.log(JSON.stringify([rep.uuidV4(), rep.float(), rep.now()]) === JSON.stringify(values));`,
      ),
    ).toBe('true');
  });

  it('@trace/audit writes and verifies a signed log', () => {
    const dir = project('only-audit', ['spec', 'redact', 'audit'], {}, { scripts: true });
    expect(installed(dir)).toEqual(AUDIT_INSTALLS);
    expectNoNativeBuild(dir);
    expect(
      run(
        dir,
        `import { generateCheckpointKeys, openAuditLog, verifyAuditLog } from '@trace/audit';
const keys = generateCheckpointKeys();
const log = await openAuditLog('log', { signingKey: keys.privateKey });
await log.phase({ iteration: 0, phase: 'propose', status: 'succeeded', startedAt: new Date().toISOString(), endedAt: new Date().toISOString() });
await log.close();
const report = await verifyAuditLog('log', { publicKey: keys.publicKey });
console.log(report.ok, report.checked);`,
      ),
    ).toMatch(/^true [1-9]/);
  });

  it('@trace/export exports a trace and its schema by path', () => {
    // @bufbuild/protobuf (the OTLP protobuf encoder) from the workspace's copy, as better-sqlite3
    // is below: the install stays offline.
    const protobuf = realpathSync(join(root, 'packages/export/node_modules/@bufbuild/protobuf'));
    const dir = project(
      'only-export',
      ['spec', 'redact', 'export'],
      { '@bufbuild/protobuf': `file:${protobuf}` },
      { scripts: true },
    );
    expect(installed(dir)).toEqual([
      '@bufbuild/protobuf',
      '@trace/export',
      '@trace/redact',
      '@trace/spec',
    ]);
    expectNoNativeBuild(dir);
    expect(
      run(
        dir,
        `import { createRequire } from 'node:module';
import { exportActionTraces, toOtlp } from '@trace/export';
const schema = createRequire(import.meta.url)('@trace/export/schema/v1.json');
const envelope = exportActionTraces([]);
console.log(typeof schema.$schema, envelope.schema, toOtlp(envelope).resourceSpans.length >= 0);`,
      ),
    ).toBe('string trace.action-trace true');
  });

  it('@trace/transport records into the in-memory store of @trace/tape and replays', () => {
    const dir = project('only-transport', TRANSPORT_TARBALLS, {}, { scripts: true });
    expect(installed(dir)).toEqual(TRANSPORT_INSTALLS);
    expectNoNativeBuild(dir);
    expect(
      run(
        dir,
        recordAndReplay("import { openMemoryStore } from '@trace/tape';", 'openMemoryStore()'),
      ),
    ).toBe('true 1');
  });
});

describe('installed with the native SQLite build', () => {
  it('@trace/store-sqlite holds what @trace/transport records, in a file, and replays it', () => {
    // The workspace's already-compiled better-sqlite3 stands in for the registry's, so the test
    // does not compile it again; everything else comes from the tarballs.
    const sqlite = dirname(
      createRequire(join(root, 'packages/store-sqlite/package.json')).resolve(
        'better-sqlite3/package.json',
      ),
    );
    const dir = project('sqlite-and-transport', [...TRANSPORT_TARBALLS, 'store-sqlite'], {
      'better-sqlite3': `file:${sqlite}`,
    });
    expect(installed(dir)).toEqual(
      [...TRANSPORT_INSTALLS, '@trace/store-sqlite', 'better-sqlite3'].sort(),
    );
    expect(
      run(
        dir,
        recordAndReplay(
          "import { openSqliteStore } from '@trace/store-sqlite';",
          "openSqliteStore('runs.tape.db')",
        ),
      ),
    ).toBe('true 1');
  });
});

describe('@trace/run, installed from its tarball with what it depends on', () => {
  it('records a run into a store file whose folder it creates, then replays it offline', () => {
    const sqlite = dirname(
      createRequire(join(root, 'packages/store-sqlite/package.json')).resolve(
        'better-sqlite3/package.json',
      ),
    );
    const dir = project('run', [...TRANSPORT_TARBALLS, 'store-sqlite', 'nondet', 'run'], {
      'better-sqlite3': `file:${sqlite}`,
    });
    expect(installed(dir)).toEqual(
      [
        ...TRANSPORT_INSTALLS,
        '@trace/nondet',
        '@trace/run',
        '@trace/store-sqlite',
        'better-sqlite3',
      ].sort(),
    );
    expect(
      run(
        dir,
        `import { createServer } from 'node:http';
import { runAgent } from '@trace/run';
const server = createServer((req, res) => res.end('pong')).listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const url = 'http://127.0.0.1:' + server.address().port + '/';
const agent = async ({ fetch, source }) => (await fetch(url + source.uuidV4())).text();
const options = { path: 'tapes/new/runs.tape.db', id: 'r', env: {} };
const first = await runAgent(options, agent);
server.close();
const second = await runAgent(options, agent);
console.log(first.report.mode, second.report.mode, second.value, second.report.draws.consumed);`,
      ),
    ).toBe('record replay pong 1');
  });
});

/** A script that records one real request with `openStore`'s store, then replays it offline. */
function recordAndReplay(importStore, openStore) {
  return `import { createServer } from 'node:http';
${importStore}
import { openTransport } from '@trace/transport';
const server = createServer((req, res) => res.end('{"ok":true}')).listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const url = 'http://127.0.0.1:' + server.address().port + '/';
const store = ${openStore};
const rec = await openTransport({ store, id: 'r', mode: 'record', env: {} });
const live = await (await rec.fetch(url)).text();
await rec.close();
server.close();
const rep = await openTransport({ store, id: 'r', mode: 'replay', env: {} });
const replayed = await (await rep.fetch(url)).text();
await rep.close();
store.close();
console.log(live === replayed, rep.report().matched);`;
}
