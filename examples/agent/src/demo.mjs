// The main job of this repository: a real agent run recorded, replayed offline for $0, proven,
// audited and exported; then forked with a planted fault, the fault found by blame, and the whole
// picture written as one HTML report — and a receipt of every check.
//   node src/demo.mjs [--out <dir>] [--iterations <n>]
// Exit status 0 when every check passes, 1 otherwise.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  generateCheckpointKeys,
  readEntries,
  reconstructIterations,
  verifyAuditLog,
} from '@trace/audit';
import { blame, loadBlame, perturbations } from '@trace/blame';
import {
  exportActionTraces,
  mergeTraces,
  toOtlp,
  tracesFromAudit,
  tracesFromTape,
} from '@trace/export';
import { forkRun, verifyBranch } from '@trace/fork';
import { startLlmServer } from '@trace/llm-server';
import { drawLogOf, drifting } from '@trace/nondet';
import { writeReport } from '@trace/report';
import { runAgent } from '@trace/run';
import { openSqliteStore } from '@trace/store-sqlite';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { RUN_ID, recordRun, replayRun, SESSION } from './runs.mjs';
import { runSession, silentAudit } from './session.mjs';
import { respond } from './world.mjs';

export async function demo({ out, iterations, print = console.log }) {
  mkdirSync(out, { recursive: true });
  const paths = {
    tape: join(out, 'run.tape.db'),
    audit: join(out, 'audit'),
    replayAudit: join(out, 'audit-replay'),
    publicKey: join(out, 'audit-public-key.pem'),
    actions: join(out, 'actions.json'),
    otlp: join(out, 'otlp.json'),
    report: join(out, 'report.html'),
    runReport: join(out, 'run-report.html'),
  };
  for (const path of Object.values(paths)) rmSync(path, { recursive: true, force: true });
  const checks = [];
  const check = (name, ok, detail) => checks.push({ name, ok: Boolean(ok), detail });
  const keys = generateCheckpointKeys();
  writeFileSync(paths.publicKey, keys.publicKey);

  // 1. Record the run against the scripted model server on 127.0.0.1.
  const server = await startLlmServer({ respond });
  const urls = { anthropicBaseURL: server.anthropicBaseURL, openaiBaseURL: server.openaiBaseURL };
  const recorded = await recordRun({
    tapePath: paths.tape,
    auditDir: paths.audit,
    keys,
    urls,
    iterations,
    metadata: {
      boundary: { captured: ['http', 'clock', 'uuid', 'random', 'tool:get_weather'] },
      user: { example: '@trace/example-agent', iterations },
    },
  });
  const recordedFingerprint = recorded.report.fingerprint;
  const requestsServed = server.requests.length;
  await server.close();

  // 2. Replay it: the server is stopped, and the run has no inner fetch.
  const replayed = await replayRun({
    tapePath: paths.tape,
    auditDir: paths.replayAudit,
    keys,
    urls,
    iterations,
  });
  const proof = replayed.report;
  const tape = loadTape(paths.tape);

  // 3. Verify.
  check(
    'final output identical after replay',
    JSON.stringify(replayed.result) === JSON.stringify(recorded.result),
  );
  check(
    'fingerprint identical after save and reopen',
    tape.complete && tape.fingerprint === recordedFingerprint,
    recordedFingerprint,
  );
  check('fingerprint unchanged through the replay', proof.fingerprint === recordedFingerprint);
  check(
    'every replayed request matched by hash',
    proof.mode === 'replay' &&
      proof.exchanges.matched === proof.exchanges.recorded &&
      proof.divergence === undefined,
    `${proof.exchanges.matched}/${proof.exchanges.recorded}`,
  );
  check('every recorded exchange consumed', proof.exchanges.unconsumed.length === 0);
  check(
    'every recorded draw consumed',
    proof.draws.consumed === proof.draws.recorded && proof.draws.unconsumed === 0,
    `${proof.draws.consumed}/${proof.draws.recorded} draws`,
  );

  // 4. Negative control: the same tape replayed by the run, but with fresh values of the recorded
  //    kinds in place of its draws (@trace/nondet's `drifting`: runAgent serves only the tape's),
  //    must diverge at the first request, and say where.
  const control = await runAgent(
    { path: paths.tape, id: RUN_ID, mode: 'replay', env: {}, globals: false },
    (context) => {
      const source = drifting(drawLogOf(tape.events));
      return runSession({
        server: urls,
        context: { ...context, source },
        audit: silentAudit(source),
        iterations,
      });
    },
  ).then(
    () => undefined,
    (error) => error,
  );
  const where =
    control?.code === 'TRANSPORT_DIVERGED' &&
    `at request ${control.details.position}: ${control.details.differences.map((d) => d.path).join(', ')}`;
  check(
    'drifting nondeterminism diverges, and the error says where',
    control?.code === 'TRANSPORT_DIVERGED' && control.details.position === 0,
    where,
  );

  // 5. The audit log verifies, and the iterations reconstruct from it.
  const verification = await verifyAuditLog(paths.audit, { publicKey: keys.publicKey });
  check(
    'audit log verifies: integrity (chain) and completeness (signed checkpoint)',
    verification.ok && verification.integrity.ok && verification.completeness.ok,
    `${verification.checked} entries`,
  );
  const entries = [];
  for await (const entry of readEntries(paths.audit)) entries.push(entry);
  const rebuilt = reconstructIterations(SESSION, entries);
  const expectedVerdicts = recorded.result.plan.days.map((day) =>
    day.accepted ? 'accept' : 'revise',
  );
  check(
    'iterations reconstruct from the audit log: five phases and the verdict each',
    rebuilt.length === iterations &&
      rebuilt.every(
        (it, i) =>
          it.iteration === i && it.phases.length === 5 && it.verdict === expectedVerdicts[i],
      ),
    `${rebuilt.length} iterations`,
  );
  check(
    'the replay wrote the same audit log, hash for hash',
    replayed.auditHead.hash === recorded.auditHead.hash &&
      replayed.auditHead.seq === recorded.auditHead.seq,
    recorded.auditHead.hash,
  );

  // 6. Exports: the JSON envelope, validated against the shipped schema, and OTLP JSON. The tape
  // and the audit log both saw each tool call: merged, every action is one trace.
  const envelope = exportActionTraces(
    mergeTraces(
      tracesFromTape(tape, { runId: SESSION }),
      tracesFromAudit(entries, { runId: SESSION }),
    ),
  );
  writeFileSync(paths.actions, `${JSON.stringify(envelope, null, 2)}\n`);
  const schema = JSON.parse(
    readFileSync(createRequire(import.meta.url).resolve('@trace/export/schema/v1.json'), 'utf8'),
  );
  // Formats (the schema's `date-time`) need ajv-formats; the schema's patterns still apply.
  const validate = new Ajv2020({ strict: false, validateFormats: false }).compile(schema);
  check(
    'export envelope validates against its JSON Schema',
    validate(envelope),
    `${envelope.traces.length} traces`,
  );
  const otlp = toOtlp(envelope);
  writeFileSync(paths.otlp, `${JSON.stringify(otlp, null, 2)}\n`);
  const spans = otlp.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
  // Merged, each tool execution is one span, nested under the chat span that asked for it.
  const toolSpans = spans.filter((s) => s.name.startsWith('execute_tool'));
  const executions = entries.filter((e) => e.type === 'tool_call').length;
  check(
    'OTLP export holds the agent, chat and tool spans, one tool span per execution',
    ['invoke_agent', 'chat', 'execute_tool'].every((op) =>
      spans.some((s) =>
        s.attributes.some((a) => a.key === 'gen_ai.operation.name' && a.value.stringValue === op),
      ),
    ) &&
      toolSpans.length === executions &&
      toolSpans.every((tool) =>
        spans.some((s) => s.spanId === tool.parentSpanId && s.name.startsWith('chat')),
      ),
    `${spans.length} spans, ${toolSpans.length} for ${executions} tool executions`,
  );

  // 7. Fork the run: on day 1 the weather tool answers for another city — a planted fault. The
  //    steps before it are served from the tape, each proven by hash; the rest runs on against
  //    the scripted model, started again where the recording found it.
  const model = await startLlmServer({
    respond,
    port: Number(new URL(urls.anthropicBaseURL).port),
  });
  let fork;
  let result;
  let ranked;
  try {
    const agent = (context) =>
      runSession({ server: urls, context, audit: silentAudit(context.source), iterations });
    const toolDraws = tape.events
      .filter((event) => event.type === 'draw')
      .map((event, index) => ({ kind: event.kind, index }))
      .filter((draw) => draw.kind.startsWith('source:tool:get_weather'));
    // The trip planner draws its days' answers first (the packing agent's comes after them): the
    // second day's, or the only day's in a one-day run.
    const planted = toolDraws[Math.min(1, iterations - 1)];
    const before = model.requests.length;
    fork = await forkRun(
      {
        path: paths.tape,
        parent: RUN_ID,
        id: `${RUN_ID}.faulty-tool`,
        at: { draw: planted.index },
        intervene: { kind: 'draw', value: { city: 'Atlantis', tempC: 20, sky: 'sunny' } },
        globals: false,
      },
      agent,
    );
    check(
      'fork: the prefix served from the tape (no model call), the tail live, one fault planted',
      fork.report.prefix.draws === planted.index &&
        model.requests.length - before === fork.report.tail.live &&
        fork.report.tail.live > 0,
      `${fork.report.prefix.exchanges} exchanges and ${fork.report.prefix.draws} draws from the tape, ${fork.report.tail.live} live calls`,
    );
    const allAccepted = (value) => value.plan.days.every((day) => day.accepted);
    allAccepted.description = 'every day’s plan is accepted';
    const branchCheck = await withStore(paths.tape, (store) => verifyBranch(store, fork.branch.id));
    check(
      'the branch is bound to its parent and its prefix is the parent’s, event for event',
      branchCheck.ok && allAccepted(recorded.result) && !allAccepted(fork.value),
      fork.branch.digest,
    );

    // 8. Blame: which step made the branch fail? Each step is forked again, perturbed (a model
    //    call resampled, a tool answer drawn afresh) and run on, many times; a step is blamed when
    //    its flip rate is significantly above chance. Only the planted fault should be.
    result = await blame(
      {
        path: paths.tape,
        run: fork.branch.id,
        oracle: allAccepted,
        perturb: (step) =>
          step.kind === 'exchange'
            ? perturbations.resample
            : step.source?.startsWith('tool:')
              ? perturbations.redraw
              : undefined,
        trials: 8,
        tail: (trial) => ({ hybrid: true, draws: { seed: trial.seed } }),
        hybridDraws: true,
      },
      agent,
    );
    ranked = result.steps[result.ranking[0]];
    check(
      'blame ranks the planted fault first and blames nothing else',
      ranked !== undefined &&
        'draw' in ranked.step &&
        ranked.step.draw === planted.index &&
        result.responsible.length === 1 &&
        result.responsible[0] === result.ranking[0],
      ranked === undefined
        ? 'no step'
        : `${ranked.label}: flipped ${ranked.flips}/${ranked.valid}, interval ${ranked.interval.low.toFixed(2)}–${ranked.interval.high.toFixed(2)}`,
    );
  } finally {
    await model.close();
  }

  // 9. The reports: one offline HTML page each. The faulty branch's, with its timeline, every
  //    exchange and the blame ranking stored beside it; and the run's, with its audit log and
  //    its branch, the first difference marked.
  await writeReport({ path: paths.tape, id: fork.branch.id, out: paths.report });
  await writeReport({
    path: paths.tape,
    id: RUN_ID,
    out: paths.runReport,
    audit: { dir: paths.audit, publicKey: keys.publicKey },
  });
  const selfContained = (html) =>
    html.startsWith('<!doctype html>') && !/<(script|link|img)[^>]+(src|href)=/i.test(html);
  const report = readFileSync(paths.report, 'utf8');
  const runReport = readFileSync(paths.runReport, 'utf8');
  // What the branch's page shows as its blame is the result stored beside it.
  const stored = await withStore(paths.tape, (store) => loadBlame(store, fork.branch.id));
  check(
    'reports: self-contained HTML pages of the blamed branch and of the run with its audit log',
    selfContained(report) &&
      selfContained(runReport) &&
      JSON.stringify(stored?.ranking) === JSON.stringify(result.ranking),
    `open ${paths.report}`,
  );

  // 10. The receipt.
  print('@trace demo — an agent run recorded, replayed offline, proven, audited and exported');
  print(
    `  model calls recorded:  ${proof.exchanges.recorded} (the server answered ${requestsServed}; replay reached it 0 times)`,
  );
  print(`  draws recorded:        ${proof.draws.recorded}`);
  print(`  verdicts annotated:    ${proof.annotations}`);
  print(`  tape fingerprint:      ${tape.fingerprint}`);
  print(`  audit head:            seq ${recorded.auditHead.seq}, ${recorded.auditHead.hash}`);
  for (const { name, ok, detail } of checks)
    print(`  ${ok ? 'PASS' : 'FAIL'}  ${name}${detail ? `  (${detail})` : ''}`);
  print('  files:');
  for (const [what, path] of Object.entries(paths)) print(`    ${what.padEnd(12)} ${path}`);
  const failed = checks.filter((c) => !c.ok).length;
  print(
    failed === 0
      ? `all ${checks.length} checks passed`
      : `${failed} of ${checks.length} checks failed`,
  );
  return { checks, failed, paths, fingerprint: tape.fingerprint };
}

/** Runs `fn` with the store at `path` open, and closes it. */
async function withStore(path, fn) {
  const store = openSqliteStore(path);
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}

/** The tape as the store holds it, reopened read-only. */
function loadTape(path) {
  const store = openSqliteStore(path, { readonly: true });
  try {
    return store.load(RUN_ID);
  } finally {
    store.close();
  }
}

const isMain =
  process.argv[1] !== undefined && resolve(process.argv[1]) === new URL(import.meta.url).pathname;
if (isMain) {
  const arg = (name) => {
    const at = process.argv.indexOf(name);
    return at > 0 ? process.argv[at + 1] : undefined;
  };
  const out = resolve(arg('--out') ?? mkdtempSync(join(tmpdir(), 'trace-demo-')));
  const iterations = Number(arg('--iterations') ?? 3);
  const { failed } = await demo({ out, iterations });
  process.exitCode = failed === 0 ? 0 : 1;
}
