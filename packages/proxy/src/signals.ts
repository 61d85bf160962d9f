/**
 * A proxy in its own process ends on SIGINT or SIGTERM as it should: it stops listening, closes
 * its run — a recording is finished and saved, a replay checks that everything was used — and
 * exits 0, or 1 when the run did not do what its tape says. A SIGKILL cannot be caught: it leaves
 * the recording incomplete, which `auto` then refuses to replay.
 */
import type { TraceProxy } from './proxy.js';

export interface SignalOptions {
  /** Default `['SIGINT', 'SIGTERM']`. */
  readonly signals?: readonly NodeJS.Signals[];
  /** Where the outcome is said. Default: stderr. */
  readonly log?: (line: string) => void;
}

/** Closes `proxy` on the first of `signals`, then exits the process. Returns a function that stops listening for them. */
export function closeOnSignals(proxy: TraceProxy, options: SignalOptions = {}): () => void {
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const onSignal = (signal: NodeJS.Signals) => {
    stop();
    log(`[trace proxy] ${signal}: closing`);
    proxy.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log(`[trace proxy] the run did not close cleanly: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  const stop = () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
  for (const signal of signals) process.on(signal, onSignal);
  return stop;
}
