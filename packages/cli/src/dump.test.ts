import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTape, openSqliteStore, saveTape } from '@trace/store-sqlite';
import { Tape } from '@trace/tape';
import { arbitraryTapeEvents } from '@trace/tape/conformance';
import fc from 'fast-check';
import { describe, expect, inject, it } from 'vitest';
import { trace } from './__tests__/trace.js';
import { dumpTape, parseDump } from './index.js';

const tapeOf = (events: readonly Parameters<Tape['append']>[0][]) => {
  const tape = Tape.create({
    id: 'generated',
    metadata: { createdAt: '2026-01-01T00:00:00.000Z' },
  });
  for (const event of events) tape.append(event);
  return tape;
};

describe('the dump format', () => {
  it('load(dump(t)) has the same fingerprint and events, over generated tapes', () => {
    fc.assert(
      fc.property(arbitraryTapeEvents(), (events) => {
        const tape = tapeOf(events);
        const text = dumpTape(tape);
        const { tape: back, fingerprintMatches } = parseDump(text, 'generated');
        expect(fingerprintMatches).toBe(true);
        expect(back.fingerprint).toBe(tape.fingerprint);
        // Stable: the tape read back dumps to the very same text.
        expect(dumpTape(back)).toBe(text);
      }),
      { numRuns: 150 },
    );
  });

  it('is one header line and one line per event, JSON bodies readable', () => {
    const { fixtureStore } = inject('fixtures');
    const lines = trace(['dump', fixtureStore]).stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(8);
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      trace: 'tape-dump',
      version: 1,
      id: 'fixture',
      eventCount: 7,
    });
    expect(lines[6]).toMatchInlineSnapshot(
      `"{"type":"exchange","issueIndex":1,"timing":{"headersMs":7,"endMs":8},"request":{"method":"GET","url":"https://example.test/weather?city=Lima","headers":[],"body":null},"response":{"status":200,"statusText":"OK","headers":[["content-type","application/json"]],"body":{"kind":"bytes","json":{"city":"Lima","tempC":22}},"redirectedTo":"https://example.test/v2/weather?city=Lima"}}"`,
    );
  });

  it('an edited dump is refused unless --allow-edited, then loads with the new fingerprint', () => {
    const { fixtureStore, dir } = inject('fixtures');
    const text = trace(['dump', fixtureStore]).stdout.replace('"tempC":22', '"tempC":23');
    const file = join(dir, 'edited.tape.jsonl');
    writeFileSync(file, text);
    const store = join(dir, 'edited.tape.db');
    const refused = trace(['load', file, store]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(
      /it was edited\. Pass --allow-edited.*\[CLI_DUMP_FINGERPRINT_MISMATCH\]/,
    );
    const loaded = trace(['load', file, store, '--allow-edited', '--json']);
    expect(loaded.status).toBe(0);
    expect(JSON.parse(loaded.stdout)).toMatchObject({ id: 'fixture', created: true, edited: true });
  });

  it('a damaged dump names its line', () => {
    const { fixtureStore, dir } = inject('fixtures');
    const lines = trace(['dump', fixtureStore]).stdout.split('\n');
    lines[3] = '{"type":"draw","kind":';
    const file = join(dir, 'broken.tape.jsonl');
    writeFileSync(file, lines.join('\n'));
    const run = trace(['load', 'broken.tape.jsonl', 'broken.tape.db'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatchInlineSnapshot(`
      "trace: Line 4 of the dump broken.tape.jsonl cannot be read: it is not a line of JSON. [CLI_DUMP_INVALID]
      "
    `);
  });
});

describe('trace dump | trace load, through the binary', () => {
  it('a real run of the example agent comes back with the same fingerprint', () => {
    const { demo1, dir } = inject('fixtures');
    const source = join(demo1, 'run.tape.db');
    const dump = trace(['dump', source, 'agent-run']);
    expect(dump.status).toBe(0);
    const target = join(dir, 'reloaded.tape.db');
    const load = trace(['load', '-', target], { input: dump.stdout });
    expect(load.stderr).toBe('');
    expect(load.status).toBe(0);
    expect(loadTape(target, 'agent-run').fingerprint).toBe(
      loadTape(source, 'agent-run').fingerprint,
    );
    expect(trace(['diff', source, target]).status).toBe(0);
  });

  it('generated tapes: same fingerprint after a trip through the files', () => {
    const dir = mkdtempSync(join(inject('fixtures').dir, 'prop-'));
    let n = 0;
    fc.assert(
      fc.property(arbitraryTapeEvents(), fc.boolean(), (events, complete) => {
        const tape = tapeOf(events);
        const store = join(dir, `${n}.tape.db`);
        const copy = join(dir, `${n++}-copy.tape.db`);
        if (complete) saveTape(store, tape);
        else writeIncomplete(store, tape);
        const file = join(dir, `${n}.tape.jsonl`);
        expect(trace(['dump', store, '-o', file]).status).toBe(0);
        const load = trace(['load', file, copy]);
        expect(load.stderr).toBe('');
        const back = loadTape(copy, 'generated');
        expect(back.fingerprint).toBe(tape.fingerprint);
        expect(back.complete).toBe(complete);
      }),
      { numRuns: 12 },
    );
  });
});

/** A recording never finished: the store lists it as incomplete. */
function writeIncomplete(path: string, tape: Tape) {
  const store = openSqliteStore(path);
  const recorder = store.record({ id: tape.id, metadata: tape.metadata });
  for (const event of tape.events) recorder.append(event);
  store.close();
}
