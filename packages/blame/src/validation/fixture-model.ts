/**
 * The fixture model: a pure function of the conversation it is sent and a seed. What it decides
 * (which concerns it raises, which tool it calls with which id) depends only on the content that
 * matters — the request under review, the system prompt's rules, the tool results — while its
 * wording is drawn from the seed, so two trials of one fork answer differently and alike.
 *
 * It reviews the way the fixture scenarios need: it raises a concern on positive evidence only
 * (a corrupted record, someone else's record, a passage saying the request must be declined, a
 * rule of its system prompt the request breaks, a request it cannot see), and every turn re-reads
 * every tool result in the conversation, so evidence keeps being raised by every later turn.
 * Like a real model it is noisy: with probability `slip` a turn overlooks a piece of evidence,
 * and with probability `falseAlarm` it raises a concern nothing supports. So a healthy run's
 * tail sometimes fails, and a planted fault's tail sometimes passes: flip rates are not 0 and 1.
 */
import { createHash } from 'node:crypto';

/** The header that carries a trial's seed to the model (set by the tail's fetch, never by the agent). */
export const SEED_HEADER = 'x-fixture-seed';

/** Faults that live in the model itself. */
export interface ModelFaults {
  /** At this stage (its n-th tool call) the model garbles the id it passes to the tool. */
  readonly poisonAt?: number;
}

export interface ModelSettings {
  readonly faults: ModelFaults;
  /** Chance that a turn overlooks a piece of evidence. */
  readonly slip: number;
  /** Chance that a turn raises a concern no evidence supports. */
  readonly falseAlarm: number;
}

/** What the model answers: text, and a call of the one tool it was offered (if any). */
export interface ModelTurn {
  readonly text: string;
  readonly toolUse?: { readonly id: string; readonly name: string; readonly input: { id: string } };
}

/** A concern line in the model's text; the agent collects them. */
export const CONCERN_PREFIX = 'CONCERN: ';

/** The concern a turn raises when it is wrong about a healthy case (the model's false alarm). */
export const UNSUPPORTED_CONCERN = '[unsupported] the account history looks unusual';

/** The rule a wrong system prompt carries, as the model reads it. */
const AMOUNT_RULE = /decline every request whose amount is above (\d+(?:\.\d+)?) EUR/i;
/** Passages the model takes as a reason to decline. */
const BLOCKING = /\b(must be declined|is barred|is sanctioned|must be rejected)\b/i;

const OPENERS = [
  'Looked at the case so far.',
  'Going through the evidence in order.',
  'Here is where the review stands.',
  'Checked what we have.',
  'Reviewing the latest result.',
];
const CLEAR = [
  'Nothing in it speaks against the request.',
  'No problem found so far.',
  'The evidence is consistent with the request.',
  'Everything checks out up to here.',
];

interface Task {
  readonly subject: string;
  readonly owner: string;
  readonly amount: number;
}

type Json = Record<string, unknown>;

/** The model's answer to one Messages API request body. */
export function modelTurn(body: unknown, seed: string, settings: ModelSettings): ModelTurn {
  const request = (typeof body === 'object' && body !== null ? body : {}) as Json;
  const messages = Array.isArray(request.messages) ? (request.messages as Json[]) : [];
  const system = systemText(request.system);
  const tools = Array.isArray(request.tools) ? (request.tools as Json[]) : [];
  const stage = messages.filter((m) => m.role === 'assistant').length;
  const task = readTask(messages);
  // The wording (and the call's id) is a function of the seed and the whole request; the noise
  // only of the seed and the stage, so that what a run decides does not hang on the clock
  // reading or the case id it happened to draw: a validation under one seed is reproducible.
  const draw = chance(seed, JSON.stringify(body));
  const noise = chance(seed, `stage ${stage}`);

  const concerns: string[] = [];
  if (task === undefined)
    concerns.push('[missing-request] the request under review is not in the conversation');
  const rule = AMOUNT_RULE.exec(system);
  if (task !== undefined && rule !== null && task.amount > Number(rule[1]))
    concerns.push(`[amount-limit] ${task.amount} EUR is above the limit of ${rule[1]} EUR`);
  for (const found of evidence(messages, task))
    if (noise(`slip ${found}`) >= settings.slip) concerns.push(found);
  if (noise('false alarm') < settings.falseAlarm) concerns.push(UNSUPPORTED_CONCERN);

  const lines = [pick(OPENERS, draw('opener'))];
  if (concerns.length === 0) lines.push(pick(CLEAR, draw('clear')));
  for (const concern of concerns) lines.push(`${CONCERN_PREFIX}${concern}`);
  const tone = /Write in an? (\w+) tone/.exec(system)?.[1];
  if (tone !== undefined)
    lines.push(
      `Summary (${tone}): ${concerns.length === 0 ? 'the request can go ahead' : 'the request cannot go ahead'}.`,
    );
  const text = lines.join('\n');

  const tool = tools[0]?.name;
  if (typeof tool !== 'string') return { text };
  const known = task?.subject ?? lastToolId(messages) ?? 'unknown';
  const id = settings.faults.poisonAt === stage ? poison(known) : known;
  const callId = `toolu_${Math.floor(draw('call id') * 2 ** 40).toString(16)}`;
  return { text, toolUse: { id: callId, name: tool, input: { id } } };
}

/** The request under review, read from the first user message that states one. */
function readTask(messages: readonly Json[]): Task | undefined {
  for (const message of messages) {
    if (message.role !== 'user') continue;
    const text = textOf(message.content);
    const subject = /^Subject: (.+)$/m.exec(text)?.[1];
    const owner = /^Owner: (.+)$/m.exec(text)?.[1];
    const amount = /^Amount: (\d+(?:\.\d+)?) EUR$/m.exec(text)?.[1];
    if (subject !== undefined && owner !== undefined && amount !== undefined)
      return { subject, owner, amount: Number(amount) };
  }
  return undefined;
}

/** Every concern the tool results in the conversation give reason for, in order. */
function evidence(messages: readonly Json[], task: Task | undefined): string[] {
  const found: string[] = [];
  for (const message of messages) {
    if (message.role !== 'user' || !Array.isArray(message.content)) continue;
    for (const block of message.content as Json[]) {
      if (block.type !== 'tool_result') continue;
      for (const item of resultsOf(block.content)) {
        if (item.type === 'record') {
          if (corrupted(item))
            found.push(`[corrupted-record] record ${String(item.id)} is unreadable`);
          else if (task !== undefined && item.owner !== task.owner)
            found.push(
              `[foreign-record] record ${String(item.id)} belongs to ${String(item.owner)}`,
            );
        } else if (item.type === 'passage' && BLOCKING.test(String(item.text))) {
          found.push(`[blocking-passage] ${String(item.source)}: ${String(item.title)}`);
        }
      }
    }
  }
  return found;
}

/** The items of a tool result (`{ results: [...] }` as JSON text); none when it is not that. */
function resultsOf(content: unknown): Json[] {
  const text = typeof content === 'string' ? content : textOf(content);
  try {
    const parsed = JSON.parse(text) as { results?: unknown };
    return Array.isArray(parsed?.results)
      ? parsed.results.filter((r): r is Json => typeof r === 'object' && r !== null)
      : [];
  } catch {
    return [];
  }
}

/** A record whose text holds replacement characters, or whose numbers went negative. */
function corrupted(item: Json): boolean {
  return Object.values(item).some(
    (value) =>
      (typeof value === 'string' && value.includes('\uFFFD')) ||
      (typeof value === 'number' && !(value >= 0)),
  );
}

/** The id the model passed in its last tool call: what it goes on with when the request is gone. */
function lastToolId(messages: readonly Json[]): string | undefined {
  let id: string | undefined;
  for (const message of messages) {
    if (message.role !== 'assistant' || !Array.isArray(message.content)) continue;
    for (const block of message.content as Json[]) {
      const input = block.input as Json | undefined;
      if (block.type === 'tool_use' && typeof input?.id === 'string') id = input.id;
    }
  }
  return id;
}

/** The poisoned id: its last two characters swapped (O-1042 becomes O-1024). */
export function poison(id: string): string {
  if (id.length < 2) return `${id}0`;
  return `${id.slice(0, -2)}${id.at(-1)}${id.at(-2)}`;
}

function systemText(system: unknown): string {
  if (typeof system === 'string') return system;
  return textOf(system);
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((block) => ((block as Json)?.type === 'text' ? String((block as Json).text) : ''))
    .join('\n');
}

function pick<T>(items: readonly T[], u: number): T {
  return items[Math.min(items.length - 1, Math.floor(u * items.length))]!;
}

/**
 * Uniform numbers in [0, 1) that are a function of the seed, the request and a label: the same
 * request under the same seed is answered the same way, a new seed answers it anew.
 */
function chance(seed: string, request: string): (label: string) => number {
  const base = createHash('sha256').update(seed).update('\0').update(request).digest();
  return (label) => {
    const digest = createHash('sha256').update(base).update(label).digest();
    return digest.readUIntBE(0, 6) / 2 ** 48;
  };
}
