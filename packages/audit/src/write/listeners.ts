import type { AuditEntry, JsonValue } from '@trace/spec';
import { AuditError } from '../errors.js';
import { summariseSubject } from '../vocabulary.js';

/** A subscriber to written entries. Decision subjects arrive summarised. */
export type AuditListener = (entry: AuditEntry) => void | Promise<void>;

/**
 * The subscribers to written entries. They hear of an entry only once it is written, and nothing
 * they do — throw, reject, or trip over an entry — reaches the writer or the caller: failures go
 * to `warn` as AUDIT_LISTENER_FAILED.
 */
export class Listeners {
  private readonly listeners = new Set<AuditListener>();
  private readonly warn: (message: string, error: AuditError) => void;
  private readonly subjectWhitelist: readonly string[];

  constructor(
    warn: (message: string, error: AuditError) => void,
    subjectWhitelist: readonly string[],
  ) {
    this.warn = warn;
    this.subjectWhitelist = subjectWhitelist;
  }

  /** Adds a listener; returns a function that removes it. */
  subscribe(listener: AuditListener): () => void {
    if (typeof listener !== 'function')
      throw new AuditError('AUDIT_INVALID_OPTIONS', 'subscribe() takes a function.');
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Tells every listener of each entry, in order. Never throws. */
  notify(entries: readonly AuditEntry[]): void {
    if (this.listeners.size === 0) return;
    for (const entry of entries) this.notifyOne(entry);
  }

  private notifyOne(entry: AuditEntry): void {
    let seen: AuditEntry;
    try {
      seen = entry.type === 'decision' ? this.summarise(entry) : entry;
    } catch (error) {
      // The subject could not be summarised (an exotic object the caller changed since): the
      // entry is written; listeners simply do not see it.
      this.failed(error);
      return;
    }
    for (const listener of this.listeners) {
      try {
        const result = listener(seen);
        if (result && typeof (result as Promise<void>).catch === 'function') {
          (result as Promise<void>).catch((error: unknown) => this.failed(error));
        }
      } catch (error) {
        this.failed(error);
      }
    }
  }

  /** Listeners see a decision's subject only as its whitelisted summary. */
  private summarise(entry: AuditEntry): AuditEntry {
    const payload = entry.payload as Record<string, JsonValue>;
    return {
      ...entry,
      payload: { ...payload, subject: summariseSubject(payload.subject, this.subjectWhitelist) },
    };
  }

  private failed(error: unknown): void {
    try {
      this.warn(
        '@trace/audit: a listener threw; the entry is written and other listeners still ran.',
        new AuditError(
          'AUDIT_LISTENER_FAILED',
          'An audit listener threw: fix the listener; the entry is written.',
          { cause: error },
        ),
      );
    } catch {
      // A throwing warn function must not break the log either.
    }
  }
}
