import { AuditError } from '../errors.js';

/** The latest time `Date` can represent as a four-digit-year ISO string: 9999-12-31T23:59:59.999Z. */
const LAST_MS = 253402300799999;

/**
 * The writer's clock: the injected `now()` as ISO UTC, never earlier than the last time it gave
 * (or the newest entry already in the log), so day files and time queries stay ordered even when
 * the injected clock steps back.
 */
export class EntryClock {
  private readonly now: () => Date | number;
  private latest: string;
  // Many entries share a millisecond: format each millisecond once.
  private lastMs = Number.NaN;
  private lastIso = '';

  constructor(now: () => Date | number, latest: string) {
    this.now = now;
    this.latest = latest;
  }

  /** The next entry time. Throws AUDIT_INVALID_OPTIONS when the clock returns nonsense. */
  next(): string {
    const value = this.now();
    const ms = value instanceof Date ? value.getTime() : value;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > LAST_MS) {
      throw new AuditError(
        'AUDIT_INVALID_OPTIONS',
        `The clock returned ${String(value)}: it must return a Date or epoch milliseconds between 1970 and 9999.`,
      );
    }
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastIso = new Date(ms).toISOString();
    }
    if (this.lastIso > this.latest) this.latest = this.lastIso;
    return this.latest;
  }
}
