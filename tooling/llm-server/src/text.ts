/**
 * Helpers shared by both wire formats: the text a request carries, deterministic token counts and
 * how a reply is cut into stream deltas.
 */

/** Fixed `created` timestamp for OpenAI bodies: recorded responses must not depend on the clock. */
export const FIXED_CREATED = 1_700_000_000;

/** The 1-based, zero-padded sequence number used in ids: request index 0 gives `0001`. */
export function sequence(index: number): string {
  return String(index + 1).padStart(4, '0');
}

/** The text of a message `content`: a string, or the text parts of an array of content blocks. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const parts: string[] = [];
  for (const block of content) {
    if (typeof block !== 'object' || block === null) continue;
    const { text, content: nested } = block as { text?: unknown; content?: unknown };
    if (typeof text === 'string') parts.push(text);
    // Anthropic tool_result blocks nest their own content.
    else if (nested !== undefined) parts.push(contentText(nested));
  }
  return parts.join('\n');
}

function messagesOf(body: Record<string, unknown>): Record<string, unknown>[] {
  const { messages } = body;
  if (!Array.isArray(messages)) return [];
  return messages.filter(
    (message): message is Record<string, unknown> =>
      typeof message === 'object' && message !== null,
  );
}

/** The text of the last `user` message, the basis of the default `echo:` reply. */
export function lastUserText(body: Record<string, unknown>): string {
  const users = messagesOf(body).filter((message) => message.role === 'user');
  const last = users.at(-1);
  return last === undefined ? '' : contentText(last.content);
}

/** All prompt text (system and every message), which the input token count is derived from. */
export function promptText(body: Record<string, unknown>): string {
  const texts = messagesOf(body).map((message) => contentText(message.content));
  // Anthropic carries the system prompt beside the messages; OpenAI has it as a message.
  if (body.system !== undefined) texts.unshift(contentText(body.system));
  return texts.join('\n');
}

/** A deterministic stand-in for a tokenizer: UTF-16 length divided by 4, rounded up. */
export function countTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * Cuts text into word-sized deltas (each word keeps the whitespace after it) so a stream has
 * several events. Concatenating the pieces gives back the text exactly; empty text gives none.
 */
export function splitWords(text: string): string[] {
  if (text === '') return [];
  return text.split(/(?<=\s)(?=\S)/);
}

/**
 * Cuts serialised JSON into pieces of at most `size` code points, the way tool arguments arrive
 * in fragments. Cutting by code point keeps surrogate pairs whole inside one piece.
 */
export function splitJson(json: string, size = 12): string[] {
  const points = Array.from(json);
  const pieces: string[] = [];
  for (let start = 0; start < points.length; start += size) {
    pieces.push(points.slice(start, start + size).join(''));
  }
  return pieces;
}

/** Request model, echoed into replies; `unknown` when the request named none. */
export function modelOf(body: Record<string, unknown>): string {
  return typeof body.model === 'string' ? body.model : 'unknown';
}
