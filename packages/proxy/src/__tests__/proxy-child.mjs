// A proxy in its own process, as `trace proxy` runs one: `node proxy-child.mjs <store> <id> <upstream>`.
// Prints `ready <url>` once it listens; closes its run on SIGINT or SIGTERM.
import { closeOnSignals, startProxy } from '../../dist/index.js';

const [path, id, upstream] = process.argv.slice(2);
const proxy = await startProxy({ path, id, upstreams: [upstream], env: {} });
closeOnSignals(proxy);
process.stdout.write(`ready ${proxy.url}\n`);
