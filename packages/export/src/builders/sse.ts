/** One server-sent event: its `event:` name (if any) and its joined `data:` lines. */
export interface SseEvent {
  readonly event?: string;
  readonly data: string;
}

/**
 * Parses a complete `text/event-stream` body. Events are separated by a blank line; `data:`
 * lines join with `\n`; comments (`:`) and other fields are skipped. A final event without its
 * blank line (a stream cut short) is still returned.
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
