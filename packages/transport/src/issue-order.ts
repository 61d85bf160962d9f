/**
 * The order in which a replay matches requests: the order `fetch` was called, whatever order
 * their snapshots are ready in.
 */
/**
 * The order in which requests are matched: the order they were issued (the order `fetch` was
 * called), whatever order their snapshots are ready in — one whose body takes longer to read
 * does not let a later identical request take its recording.
 */
export class IssueOrder {
  #issued = 0;
  /** Every position before this one is done. */
  #next = 0;
  readonly #done = new Set<number>();
  readonly #waiting = new Map<number, () => void>();

  issue(): number {
    return this.#issued++;
  }

  /** Undefined when it is `at`'s turn now; else a promise that resolves when it is. */
  turn(at: number): Promise<void> | undefined {
    if (at === this.#next) return undefined;
    return new Promise((resolve) => this.#waiting.set(at, resolve));
  }

  done(at: number): void {
    // The common case, requests matched one at a time in order: nothing to record or wake.
    if (at === this.#next && this.#done.size === 0 && this.#waiting.size === 0) {
      this.#next++;
      return;
    }
    this.#done.add(at);
    while (this.#done.delete(this.#next)) this.#next++;
    const wake = this.#waiting.get(this.#next);
    if (wake !== undefined) {
      this.#waiting.delete(this.#next);
      wake();
    }
  }
}
