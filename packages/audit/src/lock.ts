import { randomBytes } from 'node:crypto';
import { linkSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { outsideScopes } from '@trace/spec';
import { AuditError } from './errors.js';
import { inDir, LOCK_FILE } from './files.js';

/** Who holds a writer lock, as written in the lock file. */
export interface LockHolder {
  readonly pid: number;
  readonly hostname: string;
  readonly token: string;
  readonly since: string;
}

/** A held writer lock. */
export interface WriterLock {
  readonly path: string;
  readonly holder: LockHolder;
  /** Removes the lock file if it is still ours. */
  release(): void;
  /** True while the lock file still names this holder. */
  stillHeld(): boolean;
}

/** A lock file whose holder cannot be read is treated as live for this long after its mtime. */
const UNREADABLE_GRACE_MS = 10_000;

/**
 * Takes the directory's writer lock, waiting up to `timeoutMs` for a live holder to let go.
 *
 * The lock file is written complete under a temporary name and then hard-linked into place:
 * `link` fails atomically when the name exists, so exactly one process wins and no reader ever
 * sees a half-written holder. A lock whose holder pid is dead on this host is stale and is taken
 * over under a second short-lived lock, so two processes that both see the same stale lock cannot
 * both take it.
 */
/**
 * Takes the writer lock of `dir`. Runs outside every scope: its clock reads (the lock's time, the
 * wait's deadline) are the log's own, never an agent's draws.
 */
export function acquireLock(dir: string, timeoutMs: number): Promise<WriterLock> {
  return outsideScopes(() => takeLock(dir, timeoutMs));
}

async function takeLock(dir: string, timeoutMs: number): Promise<WriterLock> {
  const path = inDir(dir, LOCK_FILE);
  const holder: LockHolder = {
    pid: process.pid,
    hostname: hostname(),
    token: randomBytes(8).toString('hex'),
    since: new Date().toISOString(),
  };
  const deadline = Date.now() + timeoutMs;
  let delay = 10;
  // Immediate retries (without waiting or looking at the deadline) are bounded, so a lock that
  // cannot be read or removed (a dangling link, no permission) ends in AUDIT_LOCKED, never a spin.
  let vanished = 0;
  let takeovers = 0;
  for (;;) {
    if (tryCreate(path, holder)) {
      removeStrayTemps(dir);
      return heldLock(path, holder);
    }
    const current = readHolder(path);
    // The holder let go between our attempt and the read: the lock is free, try again at once
    // rather than report a holder that no longer exists.
    if (current === undefined && vanished++ < 3) continue;
    if (
      current !== undefined &&
      takeovers < 5 &&
      isStale(path, current) &&
      takeOverStale(path, current)
    ) {
      takeovers++;
      continue;
    }
    if (Date.now() >= deadline) {
      const who = current === undefined || current === 'unreadable' ? undefined : current;
      throw new AuditError(
        'AUDIT_LOCKED',
        who
          ? `Another writer (pid ${who.pid} on ${who.hostname}, since ${who.since}) holds the audit log in ${dir}. Only one process may append at a time: close the other writer, pass lockTimeoutMs to wait for it, or delete ${path} if that process is gone.`
          : `Another writer holds the audit log in ${dir}. Only one process may append at a time: close the other writer or pass lockTimeoutMs to wait for it.`,
        { details: { dir, lockFile: path, holder: who ?? null } },
      );
    }
    await sleep(Math.min(delay, Math.max(1, deadline - Date.now())));
    delay = Math.min(delay * 2, 100);
  }
}

/**
 * A lock (or takeover guard) written complete under its temporary name, before the link:
 * `writer.lock[.takeover].<pid>.<token>.tmp` (see `tryCreate`).
 */
const TEMP_NAME = /^writer\.lock(?:\.takeover)?\.(\d+)\.[0-9a-f]+\.tmp$/;

function tryCreate(path: string, holder: LockHolder): boolean {
  const temp = `${path}.${holder.pid}.${holder.token}.tmp`;
  try {
    writeFileSync(temp, `${JSON.stringify(holder)}\n`, { mode: 0o644 });
    linkSync(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new AuditError(
      'AUDIT_LOCKED',
      `Cannot create the writer lock ${path}: check the directory is writable.`,
      {
        cause: error,
        details: { lockFile: path },
      },
    );
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // Already gone: nothing to clean up.
    }
  }
}

/**
 * Removes the temporary lock files that writers killed while taking the lock left behind (the
 * kill fell between creating the file and unlinking it). Such a file lives for a moment only, so
 * it is left over when the process that wrote it is dead on this host, or when it is older than
 * any attempt takes (its pid reused since, or a host whose pids mean nothing here). A live
 * writer's file, in the middle of its attempt, is never touched.
 */
function removeStrayTemps(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // Tidying up is not worth failing an open that succeeded.
  }
  for (const name of names) {
    const match = TEMP_NAME.exec(name);
    if (!match) continue;
    const path = inDir(dir, name);
    if (strayTempIsStale(path, Number(match[1]))) {
      try {
        unlinkSync(path);
      } catch {
        // Gone already (its writer, or another opener, removed it).
      }
    }
  }
}

function strayTempIsStale(path: string, pidInName: number): boolean {
  const holder = readHolder(path);
  if (holder === undefined) return false;
  // Empty or cut short, its writer was killed while writing it: the pid in the name says whose.
  const dead =
    holder === 'unreadable' || holder.pid !== pidInName
      ? !pidAlive(pidInName)
      : holder.hostname === hostname() && !pidAlive(holder.pid);
  if (dead) return true;
  try {
    return Date.now() - statSync(path).mtimeMs > UNREADABLE_GRACE_MS;
  } catch {
    return false;
  }
}

function readHolder(path: string): LockHolder | 'unreadable' | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return 'unreadable';
  }
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (
      typeof value.pid === 'number' &&
      typeof value.hostname === 'string' &&
      typeof value.token === 'string'
    ) {
      return value as LockHolder;
    }
  } catch {
    // Fall through: an unparseable lock file.
  }
  return 'unreadable';
}

function isStale(path: string, holder: LockHolder | 'unreadable'): boolean {
  if (holder === 'unreadable') {
    try {
      return Date.now() - statSync(path).mtimeMs > UNREADABLE_GRACE_MS;
    } catch {
      return false;
    }
  }
  // A pid on another host cannot be checked from here: treat it as live.
  return holder.hostname === hostname() && !pidAlive(holder.pid);
}

/** True when a process with this pid exists (EPERM means it exists but is not ours). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes a stale lock under the takeover guard. True when the caller should try to take the
 * lock again at once; false when another live process holds the guard (the caller waits).
 */
function takeOverStale(path: string, stale: LockHolder | 'unreadable'): boolean {
  const guardPath = `${path}.takeover`;
  const me: LockHolder = {
    pid: process.pid,
    hostname: hostname(),
    token: randomBytes(8).toString('hex'),
    since: new Date().toISOString(),
  };
  if (!tryCreate(guardPath, me)) {
    const guard = readHolder(guardPath);
    if (guard === undefined) return true; // released just now: try again
    // A takeover guard left by a dead process would block every takeover: clear it.
    if (isStale(guardPath, guard)) {
      removeIf(guardPath, guard);
      return true;
    }
    // A live process is taking over right now: wait for it like for any holder (the caller
    // sleeps and keeps to its deadline) instead of spinning on the guard.
    return false;
  }
  try {
    // Re-read under the guard: only remove the lock if it is still the stale one we saw.
    const current = readHolder(path);
    if (current !== undefined && sameHolder(current, stale)) removeIf(path, current);
  } finally {
    removeIf(guardPath, me);
  }
  return true;
}

function sameHolder(a: LockHolder | 'unreadable', b: LockHolder | 'unreadable'): boolean {
  if (a === 'unreadable' || b === 'unreadable') return a === b;
  return a.pid === b.pid && a.token === b.token && a.hostname === b.hostname;
}

function removeIf(path: string, expected: LockHolder | 'unreadable'): void {
  const current = readHolder(path);
  if (current === undefined || !sameHolder(current, expected)) return;
  try {
    unlinkSync(path);
  } catch {
    // Someone else removed it first.
  }
}

function heldLock(path: string, holder: LockHolder): WriterLock {
  return {
    path,
    holder,
    release: () => removeIf(path, holder),
    stillHeld: () => {
      const current = readHolder(path);
      return current !== undefined && sameHolder(current, holder);
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Whether this writer still holds its lock, as last looked at. Once lost it stays lost: a writer
 * whose lock file was removed or replaced must stop rather than fork the chain.
 */
export class LockWatch {
  readonly lock: WriterLock;
  private gone = false;

  constructor(lock: WriterLock) {
    this.lock = lock;
  }

  /** The lock was found lost (by `check()`). */
  get lost(): boolean {
    return this.gone;
  }

  /** Looks at the lock file now; false (for good) once it no longer names this writer. */
  check(): boolean {
    if (!this.gone && !this.lock.stillHeld()) this.gone = true;
    return !this.gone;
  }
}
