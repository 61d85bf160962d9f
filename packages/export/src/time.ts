/**
 * The instants the contract can write: years 0000 to 9999. Outside them `toISOString` switches to
 * the expanded `+YYYYYY`/`-YYYYYY` form, which the schema's ISO 8601 pattern (and most consumers)
 * refuse; such a value is almost always a unit mistake (microseconds passed as milliseconds).
 */
// Date.UTC reads years 0–99 as 1900–1999, so year 0 is set explicitly.
const MIN_MS = new Date(0).setUTCFullYear(0, 0, 1);
const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * Turns a time given as an ISO string, epoch milliseconds or a Date into ISO 8601 UTC, or
 * undefined when it is not a time or lies outside years 0000–9999.
 */
export function toIsoTime(value: unknown): string | undefined {
  let ms: number;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'number') ms = value;
  else if (typeof value === 'string' && value.length > 0) ms = Date.parse(value);
  else return undefined;
  if (!Number.isFinite(ms) || ms < MIN_MS || ms > MAX_MS) return undefined;
  return new Date(ms).toISOString();
}
