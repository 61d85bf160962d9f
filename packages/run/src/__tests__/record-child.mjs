// Records one run with the built package until it is killed (crash.test.ts, rerecord.test.ts):
//   node record-child.mjs <store path> <run id> <Anthropic base URL> <prompt>
// It prints `streaming` once the streamed reply has begun, and `finished` if it ever completes.
import { openRun } from '../../dist/index.js';
import { streamingAgent } from './streaming-agent.mjs';

const [path, id, baseURL, prompt] = process.argv.slice(2);
const run = await openRun({ path, id, mode: 'record', env: {} });
let streaming = false;
await run.scope(() =>
  streamingAgent(run, {
    baseURL,
    prompt,
    onText: () => {
      if (streaming) return;
      streaming = true;
      process.stdout.write('streaming\n');
    },
  }),
);
await run.close();
process.stdout.write('finished\n');
