/**
 * `trace export`: @trace/export from the command line. Reads one tape (and, with `--audit`, the
 * run's audit log, merged so each action is one trace), and writes the action traces as a JSON
 * envelope, JSON Lines or OTLP/JSON — or sends them as OTLP to a collector. The package does the
 * work (drafts, merging, validation, redaction, conversion, sending); this file only wires it.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ActionTraceDraft, OtlpExportResult, OtlpProtocol } from '@trace/export';
import type { Tape } from '@trace/tape';
import { InvalidArgumentError, Option } from 'commander';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { Output } from '../io.js';
import { plural } from '../render/format.js';
import { textSink } from '../sink.js';
import { loadTapeRef } from '../store-access.js';
import { type CliCommand, examples } from './command.js';

type Format = 'json' | 'jsonl' | 'otlp';

interface ExportFlags {
  format?: Format;
  out?: string;
  endpoint?: string;
  audit?: string;
  runId?: string;
  serviceName?: string;
  protocol: 'json' | 'protobuf';
  gzip?: boolean;
  header?: Record<string, string>;
}

export const exportCommand: CliCommand = {
  name: 'export',
  register(program, { out }, done) {
    program
      .command('export')
      .description(
        'a run’s action traces (model calls and the tool calls they asked for; with --audit, merged with its audit log): a JSON envelope, JSON Lines or OTLP/JSON, or sent to an OTLP collector; validated and redacted',
      )
      .argument('<store>', 'a tape store file (or a `trace dump` file)')
      .argument('[id]', 'the tape id (may be left out when the store holds one tape)')
      .addOption(
        new Option(
          '--format <format>',
          'json: an envelope (the default); jsonl: a header, then one trace per line; otlp: OTLP/JSON (what --endpoint sends)',
        ).choices(['json', 'jsonl', 'otlp']),
      )
      .option('-o, --out <file>', 'write to a file instead of stdout')
      .option(
        '--endpoint <url>',
        'send OTLP to this collector (POST <url>/v1/traces, retried with backoff); exit 1 when it fails',
      )
      .option(
        '--audit <dir>',
        'the run’s audit log: its tool calls, phases and decisions merged in',
      )
      .option(
        '--run-id <id>',
        'the run id of every trace (default tape:<fingerprint>); one OTLP trace per run',
      )
      .option('--service-name <name>', 'OTLP: the service.name of the resource (default agent)')
      .addOption(
        new Option('--protocol <protocol>', 'with --endpoint: json or protobuf')
          .choices(['json', 'protobuf'])
          .default('json'),
      )
      .option('--gzip', 'with --endpoint: compress the request body')
      .option(
        '--header <name=value>',
        'with --endpoint: a request header (repeat it); those in OTEL_EXPORTER_OTLP_HEADERS are sent too, which keeps a key off the command line',
        header,
      )
      .addHelpText(
        'after',
        examples(
          'trace export run.tape.db agent-run --format json -o actions.json',
          'trace export run.tape.db agent-run --audit ./audit --format jsonl',
          'trace export run.tape.db agent-run --audit ./audit --endpoint http://127.0.0.1:4318',
          'trace export run.tape.db agent-run --format otlp --service-name trip-planner',
        ),
      )
      .action(async (store: string, id: string | undefined, flags: ExportFlags) => {
        const format = formatOf(flags);
        const tape = loadTapeRef(store, out.cwd, id);
        const api = await import('@trace/export');
        const runId = flags.runId ?? `tape:${tape.fingerprint}`;
        const drafts = await draftsOf(tape, runId, flags.audit, out);
        const otlpOptions =
          flags.serviceName === undefined ? {} : { serviceName: flags.serviceName };

        if (flags.endpoint !== undefined) {
          const exporter = api.createOtlpExporter({
            endpoint: flags.endpoint,
            protocol: `http/${flags.protocol}` as OtlpProtocol,
            compression: flags.gzip ? 'gzip' : 'none',
            headers: { ...otelHeaders(process.env.OTEL_EXPORTER_OTLP_HEADERS), ...flags.header },
            ...otlpOptions,
          });
          const result = await exporter.export(api.exportActionTraces(drafts));
          done(reportSent(result, out));
          return;
        }

        const sink = textSink(out, flags.out);
        if (format === 'jsonl') {
          for await (const line of api.exportJsonl(drafts)) await sink.line(line.slice(0, -1));
        } else {
          const envelope = api.exportActionTraces(drafts);
          const value = format === 'otlp' ? api.toOtlp(envelope, otlpOptions) : envelope;
          await sink.line(JSON.stringify(value, null, 2));
        }
        await sink.close();
        if (flags.out !== undefined) {
          out.line(`wrote ${plural(drafts.length, 'action')} as ${format} to ${flags.out}`);
        }
        done(ExitCode.OK);
      });
  },
};

/** `--format`, checked against `--endpoint` (which sends OTLP) and `--out`. */
function formatOf(flags: ExportFlags): Format {
  if (flags.endpoint === undefined) {
    if (flags.gzip || flags.header !== undefined || flags.protocol !== 'json') {
      throw new CliError('CLI_USAGE', '--protocol, --gzip and --header go with --endpoint.');
    }
    return flags.format ?? 'json';
  }
  if (flags.format !== undefined && flags.format !== 'otlp') {
    throw new CliError(
      'CLI_USAGE',
      `--endpoint sends OTLP: leave out --format ${flags.format}, or give --format otlp.`,
    );
  }
  if (flags.out !== undefined) {
    throw new CliError('CLI_USAGE', 'Give --endpoint or --out, not both.');
  }
  return 'otlp';
}

/** The tape's drafts; with an audit log, its drafts merged in under the same run id. */
async function draftsOf(
  tape: Tape,
  runId: string,
  auditDir: string | undefined,
  out: Output,
): Promise<ActionTraceDraft[]> {
  const { mergeTraces, tracesFromAudit, tracesFromTape } = await import('@trace/export');
  const fromTape = tracesFromTape(tape, { runId });
  if (auditDir === undefined) return fromTape;
  const folder = resolve(out.cwd, auditDir);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new CliError(
      'CLI_FILE_NOT_FOUND',
      `No audit log folder at ${auditDir}: check the path.`,
      {
        details: { path: auditDir },
      },
    );
  }
  const { readEntries } = await import('@trace/audit');
  const entries = [];
  for await (const entry of readEntries(folder)) entries.push(entry);
  return mergeTraces(fromTape, tracesFromAudit(entries, { runId }));
}

function reportSent(result: OtlpExportResult, out: Output): ExitCode {
  const sent = `sent ${plural(result.spans, 'span')} in ${plural(result.batches, 'batch', 'batches')} (${plural(result.attempts, 'attempt')})`;
  if (result.rejectedSpans === 0) {
    out.line(sent);
    return ExitCode.OK;
  }
  out.line(sent);
  const reasons = result.partialSuccess
    .map((p) => p.errorMessage)
    .filter((message) => message !== '');
  out.error(
    `trace: the collector rejected ${plural(result.rejectedSpans, 'span')}${reasons.length > 0 ? `: ${reasons.join('; ')}` : ''}`,
  );
  return ExitCode.PROBLEM;
}

/**
 * OpenTelemetry's own variable for exporter headers: `name=value` pairs separated by commas, values
 * percent-encoded, as every OTLP exporter reads it. A pair without `=` is skipped.
 */
function otelHeaders(text: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of (text ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    const name = pair.slice(0, at).trim();
    try {
      headers[name] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      throw new CliError(
        'CLI_USAGE',
        `OTEL_EXPORTER_OTLP_HEADERS holds a badly percent-encoded value for ${name}: fix the variable.`,
      );
    }
  }
  return headers;
}

/** `--header name=value`, repeatable, into one record. */
function header(
  value: string,
  previous: Record<string, string> | undefined,
): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError('expected name=value.');
  return { ...previous, [value.slice(0, at).trim()]: value.slice(at + 1) };
}
