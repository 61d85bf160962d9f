/**
 * A branch against its parent, step by step: exchanges compared by their position in issue
 * order, draws by their position, each part by JSON path — the first step where the two part
 * (the fork point, or before it for a branch of a re-recorded parent) and every later one.
 */
import {
  type ExchangeEvent,
  type HeaderList,
  type JsonValue,
  type RecordedBody,
  sha256Hex,
} from '@trace/spec';
import type { Tape, TapeStore } from '@trace/tape';
import { loadBranch, loadTape } from './branch.js';
import { parseSse } from './framing.js';
import { ABSENT, type JsonDifference, jsonDifferences, MAX_DIFFERENCES } from './json-diff.js';
import type { ForkPoint } from './options.js';
import { type PlacedDraw, type PlacedExchange, stepsOf } from './parent.js';

export type { JsonDifference } from './json-diff.js';

/** One step where the branch and its parent differ. */
export interface StepDifference {
  /** The step: `{ exchange: n }` (by issue position) or `{ draw: n }`. */
  readonly step: ForkPoint;
  /**
   * What differs: an exchange's `request` or `response` (or the error that ended it), a `draw`,
   * or a step only one of them made (`only-in-parent`, `only-in-branch`; no `differences`).
   */
  readonly part: 'request' | 'response' | 'draw' | 'only-in-parent' | 'only-in-branch';
  /**
   * Where, by path, at most 20 a part: for a request `method`, `url`, `header <name>` or the
   * JSON path in its body (`messages[2].content`; `body` for the whole of a body that is not
   * JSON); for a response `status`, `error.message` or the path in its body (`content[0].text`;
   * a streamed body is its server-sent events in order: `events[3].data.delta.text` for a named
   * event, `events[3].choices[0].delta.content` for an unnamed one); for a draw `kind`, `stream`
   * or `value…`. Response headers are left out: ids and dates in them differ on every call.
   */
  readonly differences: readonly JsonDifference[];
}

export interface BranchDiff {
  readonly id: string;
  readonly parent: string;
  readonly at: ForkPoint;
  /** The first step, in the branch's tape order, where it parts from its parent; undefined when none does. */
  readonly parted: ForkPoint | undefined;
  /** Every step that differs, in the branch's tape order, then the steps only the parent made. */
  readonly steps: readonly StepDifference[];
}

/**
 * Diffs branch `id` against its parent as both are stored now. Throws FORK_NOT_A_BRANCH for a
 * tape that is no branch, FORK_NO_PARENT when the branch or its parent is missing,
 * FORK_PARENT_DAMAGED when either is damaged.
 */
export async function diffBranch(store: TapeStore, id: string): Promise<BranchDiff> {
  const { branch, record } = await loadBranch(store, id, 'diff');
  const parent = await loadTape(store, record.parent, 'parent');
  const steps = diffSteps(parent, branch);
  return { id, parent: record.parent, at: record.at, parted: steps[0]?.step, steps };
}

type Step =
  | { readonly seq: number; readonly step: { exchange: number }; readonly exchange: PlacedExchange }
  | { readonly seq: number; readonly step: { draw: number }; readonly draw: PlacedDraw };

/** A tape's steps in tape order, each with its position among the steps of its kind. */
function orderedSteps(tape: Tape): Step[] {
  const { exchanges, draws } = stepsOf(tape.events);
  const steps: Step[] = [
    ...exchanges.map((exchange, index) => ({
      seq: exchange.seq,
      step: { exchange: index },
      exchange,
    })),
    ...draws.map((draw, index) => ({ seq: draw.seq, step: { draw: index }, draw })),
  ];
  return steps.sort((a, b) => a.seq - b.seq);
}

function diffSteps(parent: Tape, branch: Tape): StepDifference[] {
  const ours = orderedSteps(parent);
  const byStep = new Map(ours.map((s) => [key(s.step), s]));
  const out: StepDifference[] = [];
  const matched = new Set<string>();
  for (const theirs of orderedSteps(branch)) {
    const k = key(theirs.step);
    const mine = byStep.get(k);
    if (mine === undefined) {
      out.push({ step: theirs.step, part: 'only-in-branch', differences: [] });
      continue;
    }
    matched.add(k);
    if ('exchange' in mine && 'exchange' in theirs) {
      const a = mine.exchange.event;
      const b = theirs.exchange.event;
      const request = partDifferences(requestParts(a), requestParts(b));
      if (request.length > 0)
        out.push({ step: theirs.step, part: 'request', differences: request });
      const response = partDifferences(outcomeParts(a), outcomeParts(b));
      if (response.length > 0)
        out.push({ step: theirs.step, part: 'response', differences: response });
    } else if ('draw' in mine && 'draw' in theirs) {
      const { kind, value, stream } = mine.draw.record;
      const other = theirs.draw.record;
      const differences = jsonDifferences(
        { kind, stream: stream ?? ABSENT, value },
        { kind: other.kind, stream: other.stream ?? ABSENT, value: other.value },
        'draw',
      );
      if (differences.length > 0) out.push({ step: theirs.step, part: 'draw', differences });
    }
  }
  for (const s of ours)
    if (!matched.has(key(s.step)))
      out.push({ step: s.step, part: 'only-in-parent', differences: [] });
  return out;
}

function key(step: ForkPoint): string {
  return 'exchange' in step ? `exchange ${step.exchange}` : `draw ${step.draw}`;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** An exchange's part as its fields (method, url, headers; status; error) and its body. */
interface Parts {
  readonly fields: JsonValue;
  readonly body: JsonValue;
}

/** The fields' differences, then the body's by path inside it (`body` for the whole of it). */
function partDifferences(a: Parts, b: Parts): JsonDifference[] {
  return [
    ...jsonDifferences(a.fields, b.fields, 'fields'),
    ...jsonDifferences(a.body, b.body, 'body'),
  ].slice(0, MAX_DIFFERENCES);
}

function requestParts(event: ExchangeEvent): Parts {
  const { method, url, headers, body } = event.request;
  return {
    fields: { method, url, ...headerFields(headers) },
    body: body === null ? null : bodyJson(body),
  };
}

/** A response (status and body), or the error that ended the exchange. */
function outcomeParts(event: ExchangeEvent): Parts {
  if (event.response === undefined) {
    const { name, message, code } = event.error;
    return { fields: { error: { name, message, code: code ?? ABSENT } }, body: ABSENT };
  }
  return { fields: { status: event.response.status }, body: recordedBodyJson(event.response.body) };
}

function headerFields(headers: HeaderList): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of headers) {
    const field = `header ${name.toLowerCase()}`;
    fields[field] = field in fields ? `${fields[field]}, ${value}` : value;
  }
  return fields;
}

/** A body as JSON when it is, as text when it reads as text, as its size otherwise. */
function bodyJson(bytes: Uint8Array): JsonValue {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return `(${bytes.length} bytes, sha-256 ${sha256Hex(bytes)})`;
  }
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

/** A recorded body as JSON; a stream as its server-sent events (each `data` as JSON when it is). */
function recordedBodyJson(body: RecordedBody | null): JsonValue {
  if (body === null) return null;
  if (body.kind === 'bytes') return bodyJson(body.bytes);
  const bytes = Buffer.concat(body.chunks.map((c) => c.bytes));
  const text = bodyJson(bytes);
  if (typeof text !== 'string') return text;
  const events = parseSse(text);
  if (events.length === 0) return text;
  return {
    events: events.map(({ event, data }) => {
      const json = bodyJson(Buffer.from(data));
      return event === undefined ? json : { event, data: json };
    }),
  };
}
