/**
 * The page: one HTML file with the data and the script inside it. The data is JSON in a
 * non-executed script element; above a size it is gzipped and base64-encoded, and the page
 * inflates it with the browser's DecompressionStream. Nothing on the page loads anything.
 */
import { gzipSync } from 'node:zlib';
import type { ReportData } from '../shared/report-data.js';

/** Data above this many bytes of JSON is embedded compressed. */
export const COMPRESS_ABOVE = 64 * 1024;

/** Text safe inside a `<script>` element: no `</script`, no `<!--` (JSON escapes keep it JSON). */
export function scriptSafe(text: string): string {
  return text
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Text safe in HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface PageOptions {
  readonly data: ReportData;
  readonly script: string;
  readonly compressAbove?: number;
}

export function reportHtml({ data, script, compressAbove = COMPRESS_ABOVE }: PageOptions): string {
  const json = JSON.stringify(data);
  const compressed = Buffer.byteLength(json) > compressAbove;
  const payload = compressed ? gzipSync(json, { level: 9 }).toString('base64') : scriptSafe(json);
  const encoding = compressed ? 'gzip+base64' : 'json';
  const title = `${data.run.id} · @trace report`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'">
<title>${escapeHtml(title)}</title>
</head>
<body>
<div id="app"><p class="loading">Loading the report of ${escapeHtml(data.run.id)}…</p></div>
<script type="application/octet-stream" id="trace-data" data-encoding="${encoding}">${payload}</script>
<script>${script.replace(/<\/script/gi, '<\\/script')}</script>
</body>
</html>
`;
}
