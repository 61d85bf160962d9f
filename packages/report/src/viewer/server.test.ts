/**
 * The viewer's live stream when the viewer closes under it, over a real SQLite store and a raw
 * HTTP client: a poll still reading the store when `close()` ends the stream must not write to
 * the ended response (an 'error' nobody listens to would crash the process), and no poll runs
 * once `close()` resolved.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '@trace/store-sqlite';
import type { TapeStore } from '@trace/tape';
import { expect, it, onTestFinished } from 'vitest';
import { openStream } from '../__tests__/http.js';
import { startViewer } from '../index.js';

/**
 * `inner`, whose next `list()` after `hold()` waits until released: it pins a live poll in the
 * middle of its read, so the test can close the viewer at exactly that moment.
 */
function holdableStore(inner: TapeStore) {
  let held: { entered: () => void; release: Promise<void> } | undefined;
  let lists = 0;
  const store: TapeStore = {
    location: inner.location,
    async list() {
      lists++;
      const gate = held;
      held = undefined;
      if (gate !== undefined) {
        gate.entered();
        await gate.release;
      }
      return inner.list();
    },
    has: (id) => inner.has(id),
    load: (id) => inner.load(id),
    record: (options) => inner.record(options),
    save: (tape, options) => inner.save(tape, options),
    delete: (id) => inner.delete(id),
    verify: (id) => inner.verify(id),
    close: () => inner.close(),
  };
  return {
    store,
    /** How many times `list()` was called. */
    lists: () => lists,
    /** Holds the next `list()`; resolves once a poll is inside it, with the function that releases it. */
    hold(): Promise<() => void> {
      let release!: () => void;
      const released = new Promise<void>((r) => {
        release = r;
      });
      return new Promise((entered) => {
        held = { entered: () => entered(release), release: released };
      });
    },
  };
}

function uncaughtErrors(): unknown[] {
  const errors: unknown[] = [];
  const record = (error: unknown) => errors.push(error);
  process.on('uncaughtException', record);
  onTestFinished(() => void process.off('uncaughtException', record));
  return errors;
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('closes while a live poll is reading the store: close resolves, the process lives, no poll runs after', async () => {
  const errors = uncaughtErrors();
  const dir = mkdtempSync(join(tmpdir(), 'trace-report-live-close-'));
  const sqlite = openSqliteStore(join(dir, 'runs.tape.db'));
  onTestFinished(() => {
    sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const recorder = sqlite.record({ id: 'live-run' });
  recorder.append({ type: 'annotation', data: { step: 'started' } });
  const holdable = holdableStore(sqlite);
  const pollMs = 20;
  const viewer = await startViewer({ store: holdable.store, pollMs });

  const stream = await openStream(new URL('/runs/live-run/live', viewer.url).href);
  expect(stream.status).toBe(200);
  await stream.events(1);
  expect(stream.text()).toContain('"step":"started"');

  // A poll is now inside list(); the run grows, so once released it has an event to write.
  const release = await holdable.hold();
  recorder.append({ type: 'annotation', data: { step: 'more' } });
  // The poll resumes right after close() ended the stream, before its connection is gone.
  const closing = viewer.close();
  release();
  await closing;
  await stream.closed;
  await wait(pollMs * 5);

  expect(errors).toEqual([]);
  // The held poll wrote nothing after the stream was ended.
  expect(stream.text()).not.toContain('"step":"more"');
  // And no poll ran once close() resolved: the held one was the last to read the store.
  const after = holdable.lists();
  await wait(pollMs * 5);
  expect(holdable.lists()).toBe(after);
});

it('stops polling a live stream whose client went away', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trace-report-live-gone-'));
  const sqlite = openSqliteStore(join(dir, 'runs.tape.db'));
  onTestFinished(() => {
    sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const recorder = sqlite.record({ id: 'live-run' });
  recorder.append({ type: 'annotation', data: { step: 'started' } });
  const holdable = holdableStore(sqlite);
  const pollMs = 20;
  const viewer = await startViewer({ store: holdable.store, pollMs });
  onTestFinished(() => viewer.close());

  const stream = await openStream(new URL('/runs/live-run/live', viewer.url).href);
  await stream.events(1);
  stream.destroy();
  await stream.closed;
  // Give the server a few polls' time to see the disconnect, then check it stopped polling.
  await wait(pollMs * 5);
  const after = holdable.lists();
  await wait(pollMs * 10);
  expect(holdable.lists()).toBe(after);
});
