/** Server-sent events, as the official SDKs read them: `event:` and `data:` fields, blank-line separated. */
export interface SseEvent {
  readonly event: string | undefined;
  readonly data: string;
}

/** The events of a whole SSE text (a stream's chunks put back together). */
export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of text.split(/\r\n\r\n|\n\n|\r\r/)) {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split(/\r\n|\n|\r/)) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length > 0 || event !== undefined) events.push({ event, data: data.join('\n') });
  }
  return events;
}
