/** Turns a time given as an ISO string, epoch milliseconds or a Date into ISO 8601 UTC, or undefined. */
export function toIsoTime(value: unknown): string | undefined {
  let ms: number;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'number') ms = value;
  else if (typeof value === 'string' && value.length > 0) ms = Date.parse(value);
  else return undefined;
  if (!Number.isFinite(ms)) return undefined;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
