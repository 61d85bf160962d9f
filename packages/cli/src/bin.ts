#!/usr/bin/env node
import { runTrace } from './cli.js';

// Piped into `head`, stdout closes early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await runTrace(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
});
