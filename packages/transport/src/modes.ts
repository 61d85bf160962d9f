/**
 * One entry point for the five modes, with the environment variable TRACE_MODE overriding the
 * mode in code, so a suite records on a developer's machine and replays, strictly, in CI.
 */
import { hasTraceErrorCode } from '@trace/spec';
import type { Tape, TapeMetadata, TapeRecorder, TapeStore } from '@trace/tape';
import { TransportError } from './errors.js';
import type { MatchOptions } from './match.js';
import { type RecordingFetch, startRecording } from './record.js';
import { Redaction, type RedactOptions } from './recorded-form.js';
import { type ReplayingFetch, type ReplayReport, startReplay } from './replay.js';

export const MODES = ['record', 'replay', 'auto', 'new-episodes', 'passthrough'] as const;
/**
 * - `record`: every request goes to the network and is recorded into a new tape.
 * - `replay`: every request is served from the tape; a miss throws; nothing reaches the network.
 * - `auto`: replay when the store holds the tape, record when it does not.
 * - `new-episodes`: replay what matches; send what does not to the network and record it; the
 *   old exchanges and the new ones are saved together as a new tape (`recordAs`).
 * - `passthrough`: straight to the network, nothing recorded.
 */
export type Mode = (typeof MODES)[number];

/** The environment variable that overrides the mode given in code. */
export const MODE_VARIABLE = 'TRACE_MODE';

export interface TransportOptions extends RedactOptions {
  /**
   * The store the tape lives in: any `TapeStore` — `openSqliteStore(path)` from
   * @trace/store-sqlite, `openMemoryStore()` from @trace/tape, or another backend.
   */
  readonly store: TapeStore;
  /** The run id of the tape to replay or record. */
  readonly id: string;
  /** Default `'auto'`; `TRACE_MODE` in the environment wins over it. */
  readonly mode?: Mode;
  /** In `new-episodes` mode, the run id the combined tape is recorded under. Default `<id>+new`. */
  readonly recordAs?: string;
  /** Metadata for a tape this transport records. */
  readonly metadata?: Partial<TapeMetadata>;
  /** The fetch that reaches the network in record, new-episodes and passthrough modes. */
  readonly fetch?: typeof fetch;
  readonly match?: MatchOptions;
  /** How recorded time is played back (see `ReplayOptions.pace`). Default: at once. */
  readonly pace?: boolean | number;
  /** Serve a recording again when a request was made more often than recorded (see `ReplayOptions`). */
  readonly allowPlaybackRepeats?: boolean;
  /** Where TRACE_MODE is read from. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface Transport {
  /** The mode in force, after TRACE_MODE and `auto` were resolved. */
  readonly mode: Exclude<Mode, 'auto'>;
  readonly fetch: typeof fetch;
  /** In record and new-episodes modes, the recorder, for appending draws and annotations to the same tape. */
  readonly recorder: TapeRecorder | undefined;
  /** In replay and new-episodes modes, the replay report so far. */
  report(): ReplayReport | undefined;
  /**
   * Ends the session: in record modes, waits for every exchange to be written and marks the tape
   * complete; in replay, checks that every recorded exchange was consumed (TRANSPORT_UNCONSUMED).
   */
  close(): Promise<void>;
}

export function resolveMode(
  requested: Mode | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Mode {
  const fromEnv = env[MODE_VARIABLE];
  const mode = fromEnv === undefined || fromEnv === '' ? (requested ?? 'auto') : fromEnv;
  if (!(MODES as readonly string[]).includes(mode)) {
    throw new TransportError(
      'TRANSPORT_INVALID_OPTION',
      `${fromEnv === undefined ? 'mode' : MODE_VARIABLE} is ${JSON.stringify(mode)}; use one of ${MODES.join(', ')}.`,
      { details: { mode } },
    );
  }
  return mode as Mode;
}

/**
 * Opens a transport over a tape in `store`, in the mode asked for (TRACE_MODE wins). Async,
 * because the store may be: every call to it is awaited.
 */
export async function openTransport(options: TransportOptions): Promise<Transport> {
  const { store } = options;
  const requested = resolveMode(options.mode, options.env ?? process.env);
  // Compiled once for the whole transport (recording and replay share it in new-episodes), and
  // before the store is touched, so a bad option fails first.
  const redaction = Redaction.compile(options);
  const mode =
    requested === 'auto' ? ((await store.has(options.id)) ? 'replay' : 'record') : requested;
  switch (mode) {
    case 'passthrough': {
      const inner =
        options.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args));
      return {
        mode,
        fetch: inner as typeof fetch,
        recorder: undefined,
        report: () => undefined,
        close: async () => {},
      };
    }
    case 'record': {
      const recorder = await store.record({
        id: options.id,
        ...(options.metadata ? { metadata: options.metadata } : {}),
      });
      return recordingWith(
        mode,
        recorder,
        startRecording({ ...options, sink: recorder }, redaction),
        undefined,
      );
    }
    case 'replay': {
      const replay = startReplay({ ...options, tape: await loadOrExplain(options) }, redaction);
      return {
        mode,
        fetch: replay.fetch,
        recorder: undefined,
        report: () => replay.report(),
        close: async () => replay.assertConsumed(),
      };
    }
    case 'new-episodes': {
      const previous: Tape | undefined = (await store.has(options.id))
        ? await store.load(options.id)
        : undefined;
      const recorder = await store.record({
        id: options.recordAs ?? `${options.id}+new`,
        ...(options.metadata ? { metadata: options.metadata } : {}),
      });
      let kept = 0;
      for (const event of previous?.events ?? []) {
        await recorder.append(event);
        if (event.type === 'exchange') kept++;
      }
      const recording = startRecording({ ...options, sink: recorder }, redaction);
      const replay = startReplay(
        {
          ...options,
          tape: previous ?? { events: [], fingerprint: recorder.fingerprint },
          // The old exchanges come first on the new tape; a new one is numbered after all of
          // them, in the order this run issued it.
          onMiss: (url, init, position) => recording.fetchAs(kept + position)(url, init),
        },
        redaction,
      );
      return recordingWith(mode, recorder, recording, replay);
    }
  }
}

/** The tape to replay, or TRANSPORT_NO_TAPE when the store does not hold it. */
async function loadOrExplain(options: TransportOptions): Promise<Tape> {
  try {
    return await options.store.load(options.id);
  } catch (error) {
    if (!hasTraceErrorCode(error, 'TAPE_ID_NOT_FOUND')) throw error;
    throw new TransportError(
      'TRANSPORT_NO_TAPE',
      `Replay needs tape ${options.id} in ${options.store.location}, which holds no such tape: record it first (${MODE_VARIABLE}=record), or check the id.`,
      { cause: error, details: { id: options.id, location: options.store.location } },
    );
  }
}

function recordingWith(
  mode: 'record' | 'new-episodes',
  recorder: TapeRecorder,
  fetcher: RecordingFetch,
  replay: ReplayingFetch | undefined,
): Transport {
  return {
    mode,
    fetch: replay?.fetch ?? fetcher.fetch,
    recorder,
    report: () => replay?.report(),
    async close() {
      await fetcher.close();
      await recorder.finish();
    },
  };
}
