/**
 * Where a command's text goes: stdout (through `Output`, in large writes) or a file given with
 * `-o` / `--out`, written as it is produced and waiting whenever the file asks, so a long dump or
 * export is never held whole in memory.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { CliError } from './errors.js';
import type { Output } from './io.js';

export interface TextSink {
  /** Writes one line (without its newline). */
  line(text: string): Promise<void>;
  /** Ends the file (and waits for it); nothing for stdout. */
  close(): Promise<void>;
}

export function textSink(out: Output, file: string | undefined): TextSink {
  if (file === undefined) {
    return {
      line: async (text) => out.line(text),
      close: async () => {},
    };
  }
  const stream = createWriteStream(resolve(out.cwd, file));
  let failure: Error | undefined;
  stream.on('error', (error) => {
    failure ??= error;
  });
  const failed = (error: Error) =>
    new CliError(
      'CLI_FILE_NOT_FOUND',
      `Cannot write ${file} (${(error as NodeJS.ErrnoException).code ?? error.message}): check the path.`,
      {
        cause: error,
        details: { path: file },
      },
    );
  return {
    async line(text) {
      if (failure) throw failed(failure);
      // `once` rejects when the stream errors while waiting: recorded by the listener above.
      if (!stream.write(`${text}\n`)) await once(stream, 'drain').catch(() => {});
      if (failure) throw failed(failure);
    },
    async close() {
      if (failure) throw failed(failure);
      stream.end();
      await once(stream, 'finish').catch(() => {});
      if (failure) throw failed(failure);
    },
  };
}
