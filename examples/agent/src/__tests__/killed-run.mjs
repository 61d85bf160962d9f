// A recording that will be killed: records the example's run, but the scripted model never
// answers request number `HANG_AT`, and the parent is told when it is waiting for it, and at which
// URLs the server listened (they are part of what a replay matches).
//   node killed-run.mjs <tapePath> <auditDir> <hangAt>
import { generateCheckpointKeys } from '@trace/audit';
import { startLlmServer } from '@trace/llm-server';
import { recordRun } from '../runs.mjs';
import { respond } from '../world.mjs';

const [tapePath, auditDir, hangAt] = process.argv.slice(2);
let requests = 0;
let urls;
const server = await startLlmServer({
  respond: (request) => {
    requests++;
    if (requests < Number(hangAt)) return respond(request);
    process.send?.({ waitingFor: requests, urls });
    return { ...respond(request), delayMs: 600_000 };
  },
});
urls = { anthropicBaseURL: server.anthropicBaseURL, openaiBaseURL: server.openaiBaseURL };
await recordRun({ tapePath, auditDir, keys: generateCheckpointKeys(), urls, iterations: 2 });
throw new Error('the run finished, but it was meant to be killed while waiting');
