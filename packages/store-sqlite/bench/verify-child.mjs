// Opens and verifies (or loads) one tape in a fresh process, so its peak RSS is its own.
//   node verify-child.mjs <path> verify|load
import { execFileSync } from 'node:child_process';
import { openSqliteStore } from '../dist/index.js';

const [path, mode] = process.argv.slice(2);
const t0 = process.hrtime.bigint();
const store = openSqliteStore(path, { readonly: true });
let ok = true;
if (mode === 'verify') ok = store.verify().ok;
else ok = store.load().events.length === 10_000;
store.close();
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
const peakMb = process.resourceUsage().maxRSS / 1024;
const baselineMb =
  Number(
    execFileSync(process.execPath, ['-e', 'console.log(process.resourceUsage().maxRSS)'], {
      encoding: 'utf8',
    }),
  ) / 1024;
console.log(JSON.stringify({ ok, ms, peakMb, baselineMb }));
