/**
 * `trace report` and `trace serve` as a user runs them: the built binary in its own process,
 * over the example agent's recorded run, its audit log and public key; the viewer ended by a
 * real signal.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { spawnTrace, trace } from './__tests__/trace.js';

const demo = () => inject('fixtures').demo1;

/** A GET with the headers given, answered by status and body. */
function get(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string; cors: boolean }>((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (text: string) => {
        body += text;
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body,
          cors: res.headers['access-control-allow-origin'] !== undefined,
        }),
      );
    });
    req.on('error', reject).end();
  });
}

describe('trace report', () => {
  it('writes one offline page of the run with its audit log verified, and prints its path', () => {
    const out = join(inject('fixtures').dir, 'agent-run.html');
    const run = trace([
      'report',
      join(demo(), 'run.tape.db'),
      'agent-run',
      '-o',
      out,
      '--audit',
      join(demo(), 'audit'),
      '--key',
      join(demo(), 'audit-public-key.pem'),
    ]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe(`${out}\n`);
    const html = readFileSync(out, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('agent-run');
    // Nothing loaded from anywhere: no script or style comes from outside the file.
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
  });

  it('refuses a store, run or audit folder that is not there, saying which', () => {
    const store = join(demo(), 'run.tape.db');
    const cases: [string[], number, RegExp][] = [
      [['report', join(demo(), 'nope.tape.db'), 'agent-run'], 2, /No store at .*nope\.tape\.db/],
      [['report', store, 'agent-run', '--audit', join(demo(), 'nope')], 2, /No audit log folder/],
      [
        ['report', store, 'no-such-run', '-o', join(inject('fixtures').dir, 'x.html')],
        2,
        /no-such-run/,
      ],
    ];
    for (const [args, status, message] of cases) {
      const run = trace(args);
      expect(run.status, run.stderr).toBe(status);
      expect(run.stderr).toMatch(message);
    }
  });
});

describe('trace serve', () => {
  it('lists the runs on 127.0.0.1, refuses other origins, and stops on SIGTERM', async () => {
    const viewer = spawnTrace(['serve', join(demo(), 'run.tape.db'), '--port', '0']);
    const line = await viewer.firstLine;
    const url = /^(http:\/\/127\.0\.0\.1:\d+\/) · /.exec(line)?.[1];
    expect(url, line).toBeDefined();
    const list = await get(url as string);
    expect(list.status).toBe(200);
    expect(list.body).toContain('agent-run');
    expect(list.cors).toBe(false);
    const foreign = await get(url as string, { origin: 'https://example.com' });
    expect(foreign.status).toBe(403);
    expect(foreign.cors).toBe(false);
    const rebound = await get(url as string, { host: 'attacker.example:80' });
    expect(rebound.status).toBe(403);
    viewer.proc.kill('SIGTERM');
    const exited = await viewer.exited;
    expect(exited.status).toBe(0);
    expect(exited.stderr).toContain('[trace serve] SIGTERM: closing');
  });
});
