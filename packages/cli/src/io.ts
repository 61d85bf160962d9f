import pc from 'picocolors';

/** Where a command writes. `process` streams in the binary; anything with `write` in a program. */
export interface CliStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** What `runTrace` needs from its surroundings. */
export interface CliIo {
  readonly stdout: CliStream;
  readonly stderr: CliStream;
  /** Read for NO_COLOR / FORCE_COLOR. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Relative paths are resolved from here. Default `process.cwd()`. */
  readonly cwd?: string;
}

export type Colors = ReturnType<typeof pc.createColors>;

/**
 * The output of one command: text goes to stdout in large writes (a tape of 10,000 exchanges is
 * hundreds of thousands of lines), errors and progress to stderr.
 */
export class Output {
  readonly colors: Colors;
  readonly stdout: CliStream;
  readonly stderr: CliStream;
  readonly cwd: string;
  #buffer: string[] = [];
  #buffered = 0;

  constructor(io: CliIo) {
    this.stdout = io.stdout;
    this.stderr = io.stderr;
    this.cwd = io.cwd ?? process.cwd();
    const env = io.env ?? process.env;
    const color =
      env.NO_COLOR === undefined &&
      (env.FORCE_COLOR !== undefined ? env.FORCE_COLOR !== '0' : io.stdout.isTTY === true);
    this.colors = pc.createColors(color);
  }

  /** True when progress may be drawn: stderr is a terminal. */
  get interactive(): boolean {
    return this.stderr.isTTY === true;
  }

  /** Writes one line to stdout; flushed in blocks, and at once for the first line. */
  line(text = ''): void {
    this.#buffer.push(text, '\n');
    this.#buffered += text.length + 1;
    // The first line goes out at once: someone is waiting for it.
    if (this.#buffered >= 64 * 1024 || this.#firstPending) this.flush();
  }

  #firstPending = true;

  /** Writes a value as pretty JSON to stdout. */
  json(value: unknown): void {
    this.line(JSON.stringify(value, null, 2));
  }

  flush(): void {
    this.#firstPending = false;
    if (this.#buffered === 0) return;
    this.stdout.write(this.#buffer.join(''));
    this.#buffer = [];
    this.#buffered = 0;
  }

  /** Writes one line to stderr (after flushing stdout, so the two keep their order on a terminal). */
  error(text: string): void {
    this.flush();
    this.stderr.write(`${text}\n`);
  }
}
