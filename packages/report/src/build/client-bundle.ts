/**
 * The page's script: the client bundle tsup builds into dist/client, read once and inlined into
 * every report. From the built package it sits beside this module's output; from the sources
 * (the package's own tests) it is read from the package's dist.
 */
import { readFileSync } from 'node:fs';
import { ReportError } from '../errors.js';

// Beside dist/index.js (the built package), or from src/build (the package's own tests).
const CANDIDATES = [
  './client/report-client.global.js',
  '../../dist/client/report-client.global.js',
];

let bundle: string | undefined;

export function clientBundle(): string {
  if (bundle !== undefined) return bundle;
  for (const candidate of CANDIDATES) {
    try {
      bundle = readFileSync(new URL(candidate, import.meta.url), 'utf8');
      return bundle;
    } catch {
      // Try the next place.
    }
  }
  throw new ReportError(
    'REPORT_CLIENT_MISSING',
    'The report page script (dist/client/report-client.global.js) is missing: reinstall @trace/report, or build it with `npx tsup` in packages/report.',
  );
}
