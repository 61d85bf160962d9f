/**
 * One Server-Sent Events frame. `event` is omitted when null (OpenAI sends bare `data:` lines);
 * `data` is one line, since both APIs send single-line JSON.
 */
export function sseFrame(event: string | null, data: string): string {
  return `${event === null ? '' : `event: ${event}\n`}data: ${data}\n\n`;
}
