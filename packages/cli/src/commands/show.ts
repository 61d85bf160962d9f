import type { TapeEvent } from '@trace/spec';
import type { Tape } from '@trace/tape';
import { eventForm } from '../dump/format.js';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { Output } from '../io.js';
import { eventLines, reassembledOf } from '../render/event.js';
import { plural } from '../render/format.js';
import { usageOf } from '../render/reassemble.js';
import { loadTapeRef } from '../store-access.js';
import { type CliCommand, examples, naturalNumber } from './command.js';

interface ShowFlags {
  exchange?: number;
  seq?: number;
  raw?: boolean;
  headers?: boolean;
  brief?: boolean;
  json?: boolean;
}

export const showCommand: CliCommand = {
  name: 'show',
  register(program, { out }, done) {
    program
      .command('show')
      .description(
        'a readable timeline of one tape: exchanges (method, URL, status, timing, token usage, bodies; streamed responses reassembled), draws and annotations',
      )
      .argument('<store>', 'a tape store file (or a `trace dump` file)')
      .argument('[id]', 'the tape id (may be left out when the store holds one tape)')
      .option('--exchange <n>', 'only the n-th exchange (0-based, in tape order)', naturalNumber)
      .option('--seq <n>', 'only the event at sequence number n', naturalNumber)
      .option('--raw', 'streamed responses as their chunks with arrival offsets, not reassembled')
      .option('--headers', 'show request and response headers')
      .option('--brief', 'one line per event, without bodies')
      .option('--json', 'the events as JSON (bodies as json, text or base64)')
      .addHelpText(
        'after',
        examples(
          'trace show run.tape.db agent-run',
          'trace show run.tape.db agent-run --exchange 2 --raw',
          'trace show run.tape.db --brief',
        ),
      )
      .action((store: string, id: string | undefined, flags: ShowFlags) => {
        const tape = loadTapeRef(store, out.cwd, id);
        done(show(tape, flags, out));
      });
  },
};

function show(tape: Tape, flags: ShowFlags, out: Output): ExitCode {
  const selected = select(tape.events, flags);
  if (flags.json) {
    showJson(tape, selected, out);
    return ExitCode.OK;
  }
  const c = out.colors;
  if (flags.exchange === undefined && flags.seq === undefined) {
    const counts = tape.counts;
    out.line(
      `${c.bold(`tape ${tape.id}`)} · ${tape.complete ? 'complete' : c.yellow('incomplete')} · ${plural(tape.events.length, 'event')}: ${plural(counts.exchange, 'exchange')}, ${plural(counts.draw, 'draw')}, ${plural(counts.annotation, 'annotation')}`,
    );
    out.line(`fingerprint ${tape.fingerprint}`);
    const recorder = tape.metadata.recorder;
    out.line(
      `created ${tape.metadata.createdAt}${recorder ? ` · recorded by ${recorder.name} ${recorder.version}` : ''}`,
    );
    out.line();
  }
  const options = {
    raw: flags.raw === true,
    headers: flags.headers === true,
    brief: flags.brief === true,
    colors: c,
  };
  for (const { seq, event, exchange } of selected) {
    for (const line of eventLines(
      seq,
      event,
      exchange === undefined ? undefined : { index: exchange },
      options,
    ))
      out.line(line);
  }
  return ExitCode.OK;
}

interface Selected {
  readonly seq: number;
  readonly event: TapeEvent;
  readonly exchange: number | undefined;
}

function* indexed(events: readonly TapeEvent[]): Generator<Selected> {
  let exchange = 0;
  for (let seq = 0; seq < events.length; seq++) {
    const event = events[seq] as TapeEvent;
    yield { seq, event, exchange: event.type === 'exchange' ? exchange++ : undefined };
  }
}

function select(events: readonly TapeEvent[], flags: ShowFlags): Iterable<Selected> {
  if (flags.exchange !== undefined && flags.seq !== undefined) {
    throw new CliError('CLI_USAGE', 'Give --exchange or --seq, not both.');
  }
  if (flags.seq !== undefined) {
    if (flags.seq >= events.length) {
      throw new CliError(
        'CLI_USAGE',
        `The tape has ${events.length} events (0 to ${events.length - 1}); there is no --seq ${flags.seq}.`,
        { details: { seq: flags.seq, events: events.length } },
      );
    }
    return [...indexed(events)].filter((entry) => entry.seq === flags.seq);
  }
  if (flags.exchange !== undefined) {
    const found = [...indexed(events)].filter((entry) => entry.exchange === flags.exchange);
    if (found.length === 0) {
      const count = events.filter((event) => event.type === 'exchange').length;
      throw new CliError(
        'CLI_USAGE',
        `The tape has ${count} exchanges (0 to ${count - 1}); there is no --exchange ${flags.exchange}.`,
        { details: { exchange: flags.exchange, exchanges: count } },
      );
    }
    return found;
  }
  return indexed(events);
}

/** One JSON document, written event by event: a long tape is not held twice as text. */
function showJson(tape: Tape, selected: Iterable<Selected>, out: Output): void {
  const head = JSON.stringify({
    id: tape.id,
    complete: tape.complete,
    fingerprint: tape.fingerprint,
    metadata: tape.metadata,
  });
  out.line(`${head.slice(0, -1)},"events":[`);
  let first = true;
  for (const { seq, event, exchange } of selected) {
    const form: Record<string, unknown> = { seq, ...eventForm(event) };
    if (event.type === 'exchange') {
      form.exchange = exchange;
      const assembled = reassembledOf(event);
      if (assembled !== undefined) form.reassembled = assembled;
      // The provider's own usage object, as it reported it.
      const message = assembled?.message ?? jsonBody(form);
      if (usageOf(message) !== undefined) form.usage = (message as { usage: unknown }).usage;
    }
    out.line(`${first ? '' : ','}${JSON.stringify(form)}`);
    first = false;
  }
  out.line(']}');
}

function jsonBody(form: Record<string, unknown>): unknown {
  const body = (form.response as { body?: { json?: unknown } } | undefined)?.body;
  return body?.json;
}
