/**
 * A run: one agent run recorded into, or replayed from, one tape — its model calls through
 * `fetch`, its nondeterminism through `source`, its annotations — in the mode the code asks for
 * and the environment settles.
 */
import { createRequire } from 'node:module';
import type { Tape, TapeStore } from '@trace/tape';
import { RunError } from './errors.js';
import { type ResolvedMode, resolveMode } from './mode.js';
import type { Run, RunOptions } from './options.js';
import { PassthroughRun } from './passthrough-run.js';
import { RecordingRun } from './recording-run.js';
import { ReplayRun } from './replay-run.js';
import { openRunStore } from './store.js';

const { version: PACKAGE_VERSION } = createRequire(import.meta.url)('../package.json') as {
  version: string;
};

/** Opens a run. See `Run` and the README for the modes. */
export async function openRun(options: RunOptions): Promise<Run> {
  if (typeof options !== 'object' || options === null) {
    throw new RunError('RUN_INVALID_OPTION', 'openRun takes an options object: { path, id }.', {
      details: { option: 'options' },
    });
  }
  const resolved = resolveMode(options.mode, options.env ?? process.env);
  const { mode } = resolved;
  // Passthrough records nothing: no store is opened, or created.
  if (mode === 'passthrough') return new PassthroughRun(options, async () => {});
  // A run that may only replay opens its file read-only; it reopens it to record only if it must.
  let opened = openRunStore(options, mode === 'replay' || mode === 'auto' ? 'read' : 'write');
  try {
    // Recording replaces whatever is there: only the other modes read the tape first.
    const existing =
      mode !== 'record' && (await opened.store.has(options.id))
        ? await opened.store.load(options.id)
        : undefined;
    if (mode === 'auto' && existing === undefined && opened.readonly) {
      await opened.release();
      opened = openRunStore(options, 'write');
    }
    return await start(options, resolved, existing, opened.store, opened.release);
  } catch (error) {
    await opened.release();
    throw error;
  }
}

async function start(
  options: RunOptions,
  { mode: requested, strictBecause }: ResolvedMode,
  existing: Tape | undefined,
  store: TapeStore,
  release: () => Promise<void>,
): Promise<Run> {
  if (existing !== undefined && !existing.complete && requested !== 'record') {
    throw new RunError(
      'RUN_TAPE_INCOMPLETE',
      `Tape ${options.id} in ${store.location} was never finished (${existing.events.length} events): a recording of it crashed or is still running, so it is not replayed. Re-record it with TRACE_MODE=record (the old tape stays until the new recording finishes), or delete it.`,
      { details: { id: options.id, location: store.location, events: existing.events.length } },
    );
  }
  const mode = requested === 'auto' ? (existing === undefined ? 'record' : 'replay') : requested;
  if (mode === 'replay') {
    if (existing === undefined) {
      throw new RunError(
        'RUN_NO_TAPE',
        `Replay needs tape ${options.id} in ${store.location}, which holds none${strictBecause === 'CI' ? ' (CI is set, so nothing is recorded and nothing reaches the network)' : ''}: record it first with TRACE_MODE=record, or check the id.`,
        { details: { id: options.id, location: store.location } },
      );
    }
    return new ReplayRun(options, existing, release);
  }
  const previous = mode === 'new-episodes' ? existing : undefined;
  const recorder = await store.record({
    id: options.id,
    replace: true,
    metadata: {
      recorder: { name: '@trace/run', version: PACKAGE_VERSION },
      boundary: { captured: ['http', 'clock', 'uuid', 'random', 'sources'] },
      ...options.metadata,
    },
  });
  return new RecordingRun(
    options,
    previous === undefined ? 'record' : 'new-episodes',
    recorder,
    previous,
    release,
  );
}
