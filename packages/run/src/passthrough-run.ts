import { live, type NondetSource } from '@trace/nondet';
import { BaseRun, type FetchInput } from './base-run.js';
import type { RunOptions } from './options.js';

/** Passthrough: live, nothing recorded. */
export class PassthroughRun extends BaseRun {
  readonly mode = 'passthrough' as const;
  protected readonly draws: NondetSource = live();
  readonly #fetch: typeof fetch | undefined;
  #annotations = 0;

  constructor(options: RunOptions, release: () => Promise<void>) {
    super(options, release);
    this.#fetch = options.fetch;
  }

  protected send(input: FetchInput, init?: RequestInit): Promise<Response> {
    return (this.#fetch ?? globalThis.fetch)(input, init);
  }

  protected record(): void {
    this.#annotations++;
  }

  protected counts() {
    return {
      exchanges: { recorded: 0, matched: 0, unconsumed: [] },
      draws: { recorded: 0, consumed: 0, unconsumed: 0 },
      annotations: this.#annotations,
      fingerprint: undefined,
      complete: false,
    };
  }

  protected async finish(): Promise<void> {}
}
