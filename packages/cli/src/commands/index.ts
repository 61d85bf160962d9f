/**
 * Every `trace` command, in the order `trace --help` lists them. Adding a command is adding its
 * file and one line here.
 */

import { auditCommand } from './audit.js';
import { blameCommand } from './blame.js';
import { branchesCommand } from './branches.js';
import type { CliCommand } from './command.js';
import { diffCommand } from './diff.js';
import { dumpCommand } from './dump.js';
import { exportCommand } from './export.js';
import { forkCommand } from './fork.js';
import { gcCommand } from './gc.js';
import { loadCommand } from './load.js';
import { lsCommand } from './ls.js';
import { proxyCommand } from './proxy.js';
import { reportCommand } from './report.js';
import { rmCommand } from './rm.js';
import { serveCommand } from './serve.js';
import { showCommand } from './show.js';
import { statsCommand } from './stats.js';
import { validateCommand } from './validate.js';
import { verifyCommand } from './verify.js';

export const COMMANDS: readonly CliCommand[] = [
  lsCommand,
  showCommand,
  diffCommand,
  dumpCommand,
  loadCommand,
  verifyCommand,
  auditCommand,
  exportCommand,
  forkCommand,
  branchesCommand,
  blameCommand,
  validateCommand,
  reportCommand,
  serveCommand,
  proxyCommand,
  rmCommand,
  gcCommand,
  statsCommand,
];
