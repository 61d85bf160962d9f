import { describe, expect, inject, it } from 'vitest';
import { trace } from './__tests__/trace.js';

const COMMANDS = [
  'ls',
  'show',
  'diff',
  'dump',
  'load',
  'verify',
  'audit',
  'audit verify',
  'export',
  'proxy',
  'fork',
  'branches',
  'blame',
  'validate',
  'report',
  'serve',
  'rm',
  'gc',
  'stats',
];

describe('trace --help', () => {
  it('lists every command and documents the exit statuses', () => {
    const run = trace(['--help']);
    expect(run.status).toBe(0);
    for (const command of COMMANDS.filter((c) => !c.includes(' '))) {
      expect(run.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
    expect(run.stdout.slice(run.stdout.indexOf('Exit status:'))).toMatchInlineSnapshot(`
      "Exit status:
        0  done, nothing wrong found
        1  a problem found: a verification failed, the tapes differ, a tape is damaged
        2  the command could not run as asked: a bad argument, a missing or foreign file, an unknown id

      Every command takes --help, and prints an example there. --debug shows the stack of an error.
      "
    `);
  });

  it.each(COMMANDS)('trace %s --help shows an example of the command', (command) => {
    const run = trace([...command.split(' '), '--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Examples:');
    expect(run.stdout).toContain(`$ trace ${command}`);
  });
});

describe('usage errors exit 2 with one line', () => {
  it('an unknown command', () => {
    const run = trace(['frobnicate']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  it('a bad option value', () => {
    const { fixtureStore } = inject('fixtures');
    const run = trace(['show', fixtureStore, '--seq', 'x']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--seq <n>.*expected a whole number/);
    expect(run.stdout).toBe('');
  });
});
