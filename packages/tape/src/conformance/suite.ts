/**
 * The conformance suite every tape store must pass: the `TapeStore` contract, as vitest tests.
 * A backend registers it once from its own test file:
 *
 *   describeTapeStoreConformance('my store', { open: () => openMyStore(…) });
 *
 * Every call is awaited, so a store with synchronous methods and one with asynchronous methods
 * are held to the same contract.
 */
import type { TapeEvent } from '@trace/spec';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TapeError, type TapeErrorCode } from '../errors.js';
import { fingerprintEvents } from '../fingerprint.js';
import type { Awaitable, TapeRecorder, TapeStore } from '../store/interface.js';
import { Tape } from '../tape.js';
import { arbitraryTapeEvent, arbitraryTapeEvents } from './arbitraries.js';

export interface TapeStoreHarness {
  /** Opens a new, empty store. */
  open(): Awaitable<TapeStore>;
  /**
   * For a backend that persists: opens again, once `store` is closed, what it held. Without it,
   * the persistence test is skipped.
   */
  reopen?(store: TapeStore): Awaitable<TapeStore>;
  /** Runs of each property test. Default 25. */
  readonly numRuns?: number;
}

/** Registers the conformance suite for a store backend, under `name`. */
export function describeTapeStoreConformance(name: string, harness: TapeStoreHarness): void {
  const numRuns = harness.numRuns ?? 25;

  describe(`${name} conforms to TapeStore`, () => {
    let store: TapeStore;
    beforeEach(async () => {
      store = await harness.open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('records event by event, listing the recording, then the finished tape', async () => {
      const recorder = await store.record({
        id: 'live',
        metadata: { createdAt: '2026-01-01T00:00:00.000Z' },
      });
      expect(await store.list()).toEqual([
        {
          id: 'live',
          createdAt: '2026-01-01T00:00:00.000Z',
          complete: false,
          eventCount: 0,
          counts: { draw: 0, exchange: 0, annotation: 0 },
          fingerprint: Tape.create().fingerprint,
        },
      ]);
      const reference = sampleTape('reference');
      for (const [i, event] of reference.events.entries()) {
        expect(await recorder.append(event)).toBe(i);
        expect(recorder.eventCount).toBe(i + 1);
      }
      expect(recorder.finished).toBe(false);
      await recorder.finish();
      expect(recorder.finished).toBe(true);
      expect(recorder.fingerprint).toBe(reference.fingerprint);
      expect(recorder.counts).toEqual({ draw: 1, exchange: 5, annotation: 1 });
      expect(await store.list()).toEqual([
        {
          id: 'live',
          createdAt: '2026-01-01T00:00:00.000Z',
          complete: true,
          eventCount: 7,
          counts: { draw: 1, exchange: 5, annotation: 1 },
          fingerprint: reference.fingerprint,
        },
      ]);
      expect(await store.has('live')).toBe(true);
      expect(await store.has('nope')).toBe(false);
    });

    it('refuses to append to a finished tape, or to finish it twice', async () => {
      const recorder = await store.record();
      await recorder.append(exchange(1));
      await recorder.finish();
      await expectRefusal(() => recorder.append(exchange(2)), 'TAPE_CLOSED');
      await expectRefusal(() => recorder.finish(), 'TAPE_CLOSED');
      expect(recorder.eventCount).toBe(1);
      expect((await store.load()).events).toHaveLength(1);
    });

    it('saves the same tape again as a no-op, and refuses different content under a taken id', async () => {
      const tape = sampleTape('same');
      expect(await store.save(tape)).toEqual({
        id: 'same',
        fingerprint: tape.fingerprint,
        created: true,
      });
      expect(await store.save(sampleTape('same'))).toEqual({
        id: 'same',
        fingerprint: tape.fingerprint,
        created: false,
      });
      const error = await expectRefusal(
        () => store.save(sampleTape('same', 6)),
        'TAPE_ID_CONFLICT',
      );
      expect(error.message).toContain('run id same');
      expect(error.message).toContain(store.location);
      await expectRefusal(() => store.record({ id: 'same' }), 'TAPE_ID_CONFLICT');
      // A recording in progress holds its id too.
      await store.record({ id: 'recording' });
      await expectRefusal(() => store.save(sampleTape('recording')), 'TAPE_ID_CONFLICT');
      expect((await store.load('same')).fingerprint).toBe(tape.fingerprint);
    });

    it('loads by id, or the only tape without one; refuses none, several, unknown and bad ids', async () => {
      await expectRefusal(() => store.load(), 'TAPE_ID_NOT_FOUND');
      await store.save(sampleTape('a'));
      expect((await store.load()).id).toBe('a');
      await store.save(sampleTape('b', 2));
      const ambiguous = await expectRefusal(() => store.load(), 'TAPE_AMBIGUOUS');
      expect(ambiguous.details.ids).toEqual(['a', 'b']);
      await expectRefusal(() => store.load('c'), 'TAPE_ID_NOT_FOUND');
      for (const bad of ['has space', '', 'x'.repeat(201)]) {
        await expectRefusal(() => store.load(bad), 'TAPE_INVALID_ARGUMENT');
        await expectRefusal(() => store.has(bad), 'TAPE_INVALID_ARGUMENT');
      }
      const b = await store.load('b');
      expect(b.id).toBe('b');
      expect(b.counts).toEqual({ draw: 1, exchange: 2, annotation: 1 });
    });

    it('lists tapes oldest first, then by id', async () => {
      const at = (day: string) => ({ metadata: { createdAt: `2026-01-0${day}T00:00:00.000Z` } });
      await store.save(Tape.create({ id: 'z', ...at('3') }));
      await store.save(Tape.create({ id: 'b', ...at('1') }));
      await (await store.record({ id: 'r', ...at('2') })).append(exchange(1));
      await store.save(Tape.create({ id: 'a', ...at('1') }));
      const list = await store.list();
      expect(list.map((t) => t.id)).toEqual(['a', 'b', 'r', 'z']);
      expect(list[2]).toMatchObject({ complete: false, eventCount: 1, counts: { exchange: 1 } });
    });

    it('reads back what it was given: events, metadata, completeness and fingerprint', async () => {
      const tape = sampleTape('full');
      await store.save(tape);
      const back = await store.load('full');
      expect(comparable(back.events)).toEqual(comparable(tape.events));
      expect(back.metadata).toEqual(tape.metadata);
      expect(back.complete).toBe(true);
      expect(back.fingerprint).toBe(tape.fingerprint);
      expect(back.counts).toEqual(tape.counts);
      expect(Object.isFrozen(back.events[1])).toBe(true);

      // A recording never finished reads back as incomplete, with what was appended.
      const recorder = await store.record({ id: 'cut' });
      await recorder.append(exchange(1));
      await recorder.append({ type: 'annotation', data: { step: 2 } });
      const cut = await store.load('cut');
      expect(cut.complete).toBe(false);
      expect(cut.events).toHaveLength(2);
      expect(cut.fingerprint).toBe(recorder.fingerprint);
    });

    it("reads back an exchange's issue order, timing and redirect, and no such key where there was none", async () => {
      const redirected = exchange(1);
      const events: TapeEvent[] = [
        { ...exchange(0), issueIndex: 1, timing: { headersMs: 12.5, endMs: 40 } },
        {
          type: 'exchange',
          request: redirected.request,
          response: { ...responseOf(1), redirectedTo: 'http://127.0.0.1/v2/messages' },
          issueIndex: 0,
        },
        {
          type: 'exchange',
          request: exchange(2).request,
          error: { name: 'TypeError', message: 'fetch failed' },
          issueIndex: 4294967295,
          timing: { headersMs: 3, endMs: 3 },
        },
        exchange(3),
      ];
      const tape = tapeOf(events, 'facts');
      await store.save(tape);
      const recorder = await store.record({ id: 'facts-recorded' });
      for (const event of events) await recorder.append(event);
      await recorder.finish();
      expect(recorder.fingerprint).toBe(tape.fingerprint);
      // Each field changes what the tape is.
      expect(tape.fingerprint).not.toBe(
        fingerprintEvents([exchange(0), redirected, events[2]!, exchange(3)]),
      );
      for (const id of ['facts', 'facts-recorded']) {
        const back = await store.load(id);
        expect(back.fingerprint).toBe(tape.fingerprint);
        expect(comparable(back.events)).toEqual(comparable(tape.events));
        const keys = back.events.map((e) => Object.keys(e));
        expect(keys).toEqual([
          ['type', 'request', 'response', 'issueIndex', 'timing'],
          ['type', 'request', 'response', 'issueIndex'],
          ['type', 'request', 'error', 'issueIndex', 'timing'],
          ['type', 'request', 'response'],
        ]);
        const redirects = back.events.map(
          (e) => e.type === 'exchange' && e.response !== undefined && 'redirectedTo' in e.response,
        );
        expect(redirects).toEqual([false, true, false, false]);
        expect(Object.isFrozen((back.events[0] as { timing: object }).timing)).toBe(true);
      }
      expect((await store.verify()).ok).toBe(true);
    });

    it('deletes a tape and exactly the blobs no other tape refers to', async () => {
      const a = sampleTape('a', 5); // 10 blobs
      const b = sampleTape('b', 7); // a's 10, and 4 of its own
      const c = Tape.create({ id: 'c' });
      c.append(exchange(100)); // 2 blobs of its own
      for (const tape of [a, b, c]) await store.save(tape);
      expect((await store.verify()).blobsChecked).toBe(16);

      expect(await store.delete('b')).toEqual({ id: 'b', deleted: true, blobsRemoved: 4 });
      expect(await store.has('b')).toBe(false);
      await expectRefusal(() => store.load('b'), 'TAPE_ID_NOT_FOUND');
      expect((await store.load('a')).fingerprint).toBe(a.fingerprint);
      const afterB = await store.verify();
      expect(afterB).toMatchObject({ ok: true, blobsChecked: 12 });
      expect(await store.delete('b')).toEqual({ id: 'b', deleted: false, blobsRemoved: 0 });

      expect(await store.delete('a')).toEqual({ id: 'a', deleted: true, blobsRemoved: 10 });
      expect((await store.list()).map((t) => t.id)).toEqual(['c']);
      expect(await store.verify()).toMatchObject({ ok: true, blobsChecked: 2 });
      // The id is free again, and what is saved under it stands on its own.
      await store.save(sampleTape('a', 1));
      expect((await store.load('a')).events).toHaveLength(3);
      await expectRefusal(() => store.delete('has space'), 'TAPE_INVALID_ARGUMENT');
    });

    it('refuses appends to a tape deleted while it was being recorded', async () => {
      const recorder = await store.record({ id: 'doomed' });
      await recorder.append(exchange(1));
      expect(await store.delete('doomed')).toMatchObject({ deleted: true, blobsRemoved: 2 });
      await expectRefusal(() => recorder.append(exchange(2)), 'TAPE_ID_NOT_FOUND');
      await expectRefusal(() => recorder.finish(), 'TAPE_ID_NOT_FOUND');
      expect(await store.list()).toEqual([]);
      expect(await store.verify()).toMatchObject({ ok: true, blobsChecked: 0 });
    });

    it('re-records a tape with replace: the old one stands until finish, then the new one takes its id', async () => {
      const old = sampleTape('run', 3); // 6 blobs
      await store.save(old);
      await expectRefusal(() => store.record({ id: 'run' }), 'TAPE_ID_CONFLICT');
      const recorder = await store.record({ id: 'run', replace: true });
      expect(recorder.id).toBe('run');
      await recorder.append(exchange(0)); // shared with the old tape
      await recorder.append(exchange(50)); // new
      // Until finish, the old tape is what the id holds; the new one is staged beside it.
      expect((await store.load('run')).fingerprint).toBe(old.fingerprint);
      const staged = (await store.list()).filter((t) => t.id !== 'run');
      expect(staged).toHaveLength(1);
      expect(staged[0]).toMatchObject({ complete: false, eventCount: 2 });
      expect(staged[0]!.id.startsWith('run~next-')).toBe(true);
      await recorder.finish();
      const replaced = await store.load('run');
      expect(replaced.complete).toBe(true);
      expect(replaced.fingerprint).toBe(recorder.fingerprint);
      expect(replaced.fingerprint).toBe(fingerprintEvents([exchange(0), exchange(50)]));
      expect((await store.list()).map((t) => t.id)).toEqual(['run']);
      // The old tape's blobs that the new one does not use are gone with it.
      expect(await store.verify()).toMatchObject({ ok: true, blobsChecked: 4 });
      // With no tape under the id, replace records as usual.
      const fresh = await store.record({ id: 'fresh', replace: true });
      await fresh.finish();
      expect((await store.list()).map((t) => t.id).sort()).toEqual(['fresh', 'run']);
    });

    it('keeps the old tape whole when a re-recording is abandoned or deleted before finish', async () => {
      const old = sampleTape('run', 2);
      await store.save(old);
      const abandoned = await store.record({ id: 'run', replace: true });
      await abandoned.append(exchange(70));
      const staged = (await store.list()).find((t) => t.id !== 'run')!;
      expect(await store.delete(staged.id)).toMatchObject({ deleted: true, blobsRemoved: 2 });
      await expectRefusal(() => abandoned.finish(), 'TAPE_ID_NOT_FOUND');
      expect((await store.load('run')).fingerprint).toBe(old.fingerprint);
      expect(await store.verify()).toMatchObject({ ok: true, blobsChecked: 4 });
    });

    it('verifies a sound store, counting its blobs and bytes, whole or one tape', async () => {
      const tape = sampleTape('run-1');
      await store.save(tape);
      await store.save(sampleTape('run-2', 1));
      const report = await store.verify();
      expect(report).toMatchObject({
        ok: true,
        location: store.location,
        problems: [],
        blobsChecked: 10,
        bytesChecked: 5 * 7 + 5 * 11,
      });
      expect(report.tapes).toEqual([
        {
          id: 'run-1',
          ok: true,
          complete: true,
          eventCount: 7,
          storedFingerprint: tape.fingerprint,
          computedFingerprint: tape.fingerprint,
        },
        expect.objectContaining({ id: 'run-2', ok: true, eventCount: 3 }),
      ]);
      const one = await store.verify('run-2');
      expect(one.tapes.map((t) => t.id)).toEqual(['run-2']);
      expect(one.ok).toBe(true);
    });

    it('refuses every call once closed, its recorders too; closing again is harmless', async () => {
      await store.save(sampleTape('kept'));
      const recorder = await store.record({ id: 'open' });
      await store.close();
      await store.close();
      const calls: (() => unknown)[] = [
        () => store.list(),
        () => store.has('kept'),
        () => store.load('kept'),
        () => store.record(),
        () => store.save(sampleTape('new')),
        () => store.delete('kept'),
        () => store.verify(),
        () => recorder.append(exchange(1)),
        () => recorder.finish(),
      ];
      for (const call of calls) await expectRefusal(call, 'TAPE_CLOSED');
    });

    it('refuses an invalid event before anything of it is appended', async () => {
      const recorder = await store.record({ id: 'strict' });
      await recorder.append({ type: 'annotation', data: 'before' });
      const invalid: unknown[] = [
        { type: 'sound' },
        { type: 'draw', kind: '', value: 1 },
        { type: 'draw', kind: 'random.float', value: Number.NaN },
        {
          type: 'exchange',
          request: { method: 'GET', url: 'http://127.0.0.1/', headers: [], body: 'text' },
          error: { name: 'E', message: 'm' },
        },
        { ...exchange(2), response: { ...responseOf(2), status: 42 } },
      ];
      for (const event of invalid) {
        const error = await expectRefusal(
          () => recorder.append(event as TapeEvent),
          'TAPE_INVALID_EVENT',
        );
        expect(typeof error.details.path).toBe('string');
      }
      expect(recorder.eventCount).toBe(1);
      await recorder.append(exchange(3));
      await recorder.finish();
      const back = await store.load('strict');
      expect(back.events.map((e) => e.type)).toEqual(['annotation', 'exchange']);
      expect(back.fingerprint).toBe(recorder.fingerprint);
      expect((await store.verify()).blobsChecked).toBe(2);
    });

    it("keeps its own copy: changing the caller's bytes, or a loaded tape's, changes nothing stored", async () => {
      const event = exchange(7);
      const body = (event.request.body as Uint8Array).slice();
      const recorder = await store.record({ id: 'copied' });
      const sent = { ...event, request: { ...event.request, body } };
      await recorder.append(sent);
      body.fill(0x20);
      await recorder.finish();
      const first = await store.load('copied');
      expect(first.fingerprint).toBe(fingerprintEvents([exchange(7)]));
      const loaded = first.events[0] as Extract<TapeEvent, { type: 'exchange' }>;
      (loaded.request.body as Uint8Array).fill(0x21);
      const again = await store.load('copied');
      expect(comparable(again.events)).toEqual(comparable([exchange(7)]));
      expect((await store.verify()).ok).toBe(true);
    });

    it.skipIf(harness.reopen === undefined)(
      'keeps what it holds across close and reopen',
      async () => {
        const saved = sampleTape('saved');
        await store.save(saved);
        const recorder = await store.record({ id: 'recorded' });
        await recorder.append(exchange(9));
        // A re-recording that the process never finished: the tape it would replace stays.
        const rerecord = await store.record({ id: 'saved', replace: true });
        await rerecord.append(exchange(10));
        await store.close();
        store = await (harness.reopen as NonNullable<TapeStoreHarness['reopen']>)(store);
        const listed = (await store.list()).map(
          (t) => `${t.id.replace(/~next-[0-9a-f]+$/, '~next')} ${t.complete}`,
        );
        expect(listed.sort()).toEqual(['recorded false', 'saved true', 'saved~next false']);
        expect((await store.load('saved')).fingerprint).toBe(saved.fingerprint);
        expect((await store.load('recorded')).fingerprint).toBe(recorder.fingerprint);
        expect((await store.verify()).ok).toBe(true);
      },
    );
  });

  describe(`${name} conforms to TapeStore, for any events`, () => {
    it('reads back a saved or recorded tape equal, with the same fingerprint (after a reopen, if it persists)', async () => {
      let store = await harness.open();
      let n = 0;
      try {
        await fc.assert(
          fc.asyncProperty(arbitraryTapeEvents(true), async (events) => {
            const id = `p${++n}`;
            const tape = tapeOf(events, id);
            await store.save(tape);
            if (harness.reopen !== undefined) {
              await store.close();
              store = await harness.reopen(store);
            }
            const back = await store.load(id);
            expect(back.id).toBe(id);
            expect(comparable(back.events)).toEqual(comparable(tape.events));
            expect(back.fingerprint).toBe(tape.fingerprint);
            expect(fingerprintEvents(events)).toBe(tape.fingerprint);
            expect(back.metadata).toEqual(tape.metadata);
            expect(back.counts).toEqual(tape.counts);

            const recorder: TapeRecorder = await store.record({ id: `${id}-recorded` });
            for (const event of events) await recorder.append(event);
            await recorder.finish();
            expect(recorder.fingerprint).toBe(tape.fingerprint);
            const recorded = await store.load(`${id}-recorded`);
            expect(comparable(recorded.events)).toEqual(comparable(tape.events));
            expect(recorded.fingerprint).toBe(tape.fingerprint);
          }),
          { numRuns },
        );
        expect((await store.verify()).ok).toBe(true);
      } finally {
        await store.close();
      }
    });

    it('deleting tapes in any order keeps the others whole and leaves no blob behind', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(arbitraryTapeEvent(), { minLength: 1, maxLength: 10 }),
          fc.array(fc.array(fc.nat(), { maxLength: 8 }), { minLength: 1, maxLength: 4 }),
          fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
          async (pool, picks, priorities) => {
            const store = await harness.open();
            try {
              // Tapes made of events from one pool, so that they share bodies.
              const tapes = picks.map((pick, i) =>
                tapeOf(
                  pick.map((k) => pool[k % pool.length] as TapeEvent),
                  `t${i}`,
                ),
              );
              for (const tape of tapes) await store.save(tape);
              const blobs = (await store.verify()).blobsChecked;
              const order = [...tapes].sort(
                (x, y) =>
                  (priorities[tapes.indexOf(x)] as number) -
                  (priorities[tapes.indexOf(y)] as number),
              );
              let removed = 0;
              for (const [done, tape] of order.entries()) {
                const result = await store.delete(tape.id);
                expect(result.deleted).toBe(true);
                removed += result.blobsRemoved;
                for (const left of order.slice(done + 1)) {
                  const back = await store.load(left.id);
                  expect(back.fingerprint).toBe(left.fingerprint);
                }
                expect((await store.verify()).ok).toBe(true);
              }
              expect(removed).toBe(blobs);
              expect(await store.list()).toEqual([]);
              expect((await store.verify()).blobsChecked).toBe(0);
            } finally {
              await store.close();
            }
          },
        ),
        { numRuns },
      );
    });

    it('keeps tapes saved on a base whole, whatever is deleted and in whatever order', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(arbitraryTapeEvent(), { minLength: 1, maxLength: 8 }),
          // Each tape after the first: its base (an earlier tape), how much of the base it
          // begins with, and the events of its own that follow.
          fc.array(
            fc.record({
              base: fc.nat(),
              keep: fc.nat(),
              own: fc.array(fc.nat(), { maxLength: 5 }),
            }),
            { minLength: 1, maxLength: 5 },
          ),
          fc.array(fc.nat(), { minLength: 6, maxLength: 6 }),
          async (pool, forks, priorities) => {
            const store = await harness.open();
            try {
              const pick = (k: number) => pool[k % pool.length] as TapeEvent;
              const tapes = [tapeOf([pick(0), pick(1), pick(2)], 'root')];
              const bases = new Map<string, string>();
              for (const [i, fork] of forks.entries()) {
                const base = tapes[fork.base % tapes.length] as Tape;
                const kept = base.events.slice(0, fork.keep % (base.events.length + 1));
                const tape = tapeOf([...kept, ...fork.own.map(pick)], `fork${i}`);
                tapes.push(tape);
                bases.set(tape.id, base.id);
              }
              for (const tape of tapes) {
                const base = bases.get(tape.id);
                await store.save(tape, base === undefined ? {} : { base });
              }
              const blobs = (await store.verify()).blobsChecked;
              const order = tapes
                .map((tape, i) => ({ tape, priority: priorities[i % priorities.length] as number }))
                .sort((x, y) => x.priority - y.priority)
                .map(({ tape }) => tape);
              let removed = 0;
              for (const [done, tape] of order.entries()) {
                removed += (await store.delete(tape.id)).blobsRemoved;
                for (const left of order.slice(done + 1)) {
                  const back = await store.load(left.id);
                  expect(back.fingerprint).toBe(left.fingerprint);
                  expect(comparable(back.events)).toEqual(comparable(left.events));
                }
                expect((await store.verify()).ok).toBe(true);
              }
              expect(removed).toBe(blobs);
              expect((await store.verify()).blobsChecked).toBe(0);
            } finally {
              await store.close();
            }
          },
        ),
        { numRuns },
      );
    });
  });
}

/** The TapeError a call throws or rejects with; fails the test if it is anything else. */
async function expectRefusal(fn: () => unknown, code: TapeErrorCode): Promise<TapeError> {
  let thrown: unknown;
  try {
    await fn();
  } catch (error) {
    thrown = error;
  }
  if (!TapeError.isInstance(thrown)) {
    throw new Error(`expected a TapeError ${code}, got ${String(thrown)}`, { cause: thrown });
  }
  expect(thrown.code).toBe(code);
  return thrown;
}

const text = (s: string) => new TextEncoder().encode(s);

function responseOf(n: number) {
  return {
    status: 200,
    statusText: 'OK',
    headers: [['content-type', 'application/json']] as [string, string][],
    body: { kind: 'bytes' as const, bytes: text(`{"reply":${n}}`) },
  };
}

function exchange(n: number): Extract<TapeEvent, { type: 'exchange' }> {
  return {
    type: 'exchange',
    request: {
      method: 'POST',
      url: 'http://127.0.0.1/v1/messages',
      headers: [['content-type', 'application/json']],
      body: text(`{"n":${n}}`),
    },
    response: responseOf(n),
  };
}

/** A draw, `n` exchanges (2 blobs each, shared with any sample tape of as many) and an annotation. */
function sampleTape(id: string, n = 5): Tape {
  const tape = Tape.create({ id, metadata: { user: { suite: 'conformance' } } });
  tape.append({ type: 'draw', kind: 'clock.wall', value: 1700000000000 });
  for (let i = 0; i < n; i++) tape.append(exchange(i));
  tape.append({ type: 'annotation', data: { label: 'done' } });
  return tape;
}

function tapeOf(events: readonly TapeEvent[], id: string): Tape {
  const tape = Tape.create({ id });
  for (const event of events) tape.append(event);
  return tape;
}

/** The events with each byte array as base64 (and its exact class): fast to compare when large. */
function comparable(events: readonly unknown[]): unknown {
  return JSON.parse(
    JSON.stringify(events, (_key, value) =>
      value instanceof Uint8Array
        ? { class: value.constructor.name, base64: Buffer.from(value).toString('base64') }
        : value,
    ),
  );
}
