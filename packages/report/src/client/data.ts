/**
 * Reading the report's data back from its page: JSON as written, or gzipped and base64-encoded
 * above a size, inflated with the browser's own DecompressionStream (no request is made).
 */
import type { ReportData } from '../shared/report-data.js';

export async function readPageData(doc: Document = document): Promise<ReportData> {
  const element = doc.getElementById('trace-data');
  if (element === null) throw new Error('This page holds no report data (#trace-data is missing).');
  const text = element.textContent ?? '';
  if (element.dataset.encoding !== 'gzip+base64') return JSON.parse(text) as ReportData;
  const binary = atob(text.trim());
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return JSON.parse(await new Response(stream).text()) as ReportData;
}
