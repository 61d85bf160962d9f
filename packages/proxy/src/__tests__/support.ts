/** What the proxy tests share: a store folder per test, and a proxy that logs into an array. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { type ProxyOptions, startProxy, type TraceProxy } from '../index.js';

const root = mkdtempSync(join(tmpdir(), 'trace-proxy-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let stores = 0;

/** A store path of its own, in a folder removed after the file's tests. */
export function storePath(): string {
  return join(root, `store-${stores++}`, 'runs.tape.db');
}

/** A key-shaped value built at run time; the scripted server accepts any. */
export const apiKey = ['test', 'key', Math.random().toString(36).slice(2)].join('-');

/** Starts a proxy that logs into `lines`, with no environment (no CI, no TRACE_MODE). */
export async function proxyWith(
  options: Omit<ProxyOptions, 'log'>,
): Promise<{ proxy: TraceProxy; lines: string[] }> {
  const lines: string[] = [];
  const proxy = await startProxy({ env: {}, ...options, log: (line) => lines.push(line) });
  return { proxy, lines };
}
