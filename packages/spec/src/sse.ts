/**
 * Server-sent events, the framing of the model APIs' streamed responses, read back from a
 * recorded stream's text. Pure (no Node built-ins), so a page bundle may import it alone through
 * `@trace/spec/sse`.
 */

/** One server-sent event: its `event:` name (if any) and its joined `data:` lines. */
export interface SseEvent {
  readonly event?: string;
  readonly data: string;
}

/**
 * Parses a complete `text/event-stream` body as the specification frames it: events end at a
 * blank line; lines are `field: value` (one space after the colon dropped); `:` starts a comment;
 * several `data:` lines join with `\n`; other fields are skipped. An event without data is
 * skipped, as a browser's EventSource does; a final event without its blank line (a stream cut
 * short) is still returned.
 */
export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  let event: string | undefined;
  let data: string[] = [];
  const dispatch = (): void => {
    if (data.length > 0)
      events.push(
        event === undefined ? { data: data.join('\n') } : { event, data: data.join('\n') },
      );
    event = undefined;
    data = [];
  };
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') {
      dispatch();
      continue;
    }
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  dispatch();
  return events;
}
