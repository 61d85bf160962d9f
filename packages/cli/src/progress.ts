/**
 * Progress for long work (sizing, exporting or verifying many tapes): a bar on stderr when it is
 * a terminal, nothing at all when it is piped or redirected, so scripts and CI logs stay clean.
 */
import cliProgress from 'cli-progress';
import type { Output } from './io.js';

export interface Progress {
  tick(): void;
  stop(): void;
}

const SILENT: Progress = { tick() {}, stop() {} };

/** Below this many steps the work is quick: no bar flickers past. */
const MIN_STEPS = 20;

export function startProgress(out: Output, label: string, total: number): Progress {
  if (!out.interactive || total < MIN_STEPS) return SILENT;
  out.flush();
  const bar = new cliProgress.SingleBar(
    {
      stream: out.stderr as NodeJS.WritableStream,
      format: `${label} [{bar}] {value}/{total}`,
      clearOnComplete: true,
      hideCursor: true,
      barsize: 30,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    tick: () => bar.increment(),
    stop: () => bar.stop(),
  };
}
