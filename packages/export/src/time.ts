/**
 * The instants the contract can write: years 0000 to 9999. Outside them `toISOString` switches to
 * the expanded `+YYYYYY`/`-YYYYYY` form, which the schema's ISO 8601 pattern (and most consumers)
 * refuse; such a value is almost always a unit mistake (microseconds passed as milliseconds).
 */
// Date.UTC reads years 0–99 as 1900–1999, so year 0 is set explicitly.
const MIN_MS = new Date(0).setUTCFullYear(0, 0, 1);
export const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * An RFC 3339 date-time: a full date, a time to the second (fractions allowed) and an offset.
 * Without the offset `Date.parse` reads the time in the machine's time zone, so the same input
 * would export differently per machine; it is refused instead.
 */
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Epoch milliseconds of an RFC 3339 date-time, or undefined when the text is not one: no offset,
 * or a date or time that does not exist (`2026-02-30`, `24:00:00`, a leap second). `Date.parse`
 * alone would move an impossible date to another day.
 */
export function parseDateTime(text: string): number | undefined {
  const m = DATE_TIME.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  if (m[8] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

/** What a time given as text must look like, for error messages. */
export const TIME_HINT =
  'an RFC 3339 time with an offset and a real date (`2026-01-01T00:00:00Z`, `…+02:00`), epoch milliseconds or a valid Date';

/**
 * Turns a time given as an RFC 3339 string, epoch milliseconds or a Date into ISO 8601 UTC, or
 * undefined when it is not a time or lies outside years 0000–9999.
 */
export function toIsoTime(value: unknown): string | undefined {
  let ms: number | undefined;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'number') ms = value;
  else if (typeof value === 'string') ms = parseDateTime(value);
  else return undefined;
  if (ms === undefined || !Number.isFinite(ms) || ms < MIN_MS || ms > MAX_MS) return undefined;
  return new Date(ms).toISOString();
}

/** An instant as ISO text when it has one, else as a number: for error messages that must not throw. */
export function describeInstant(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : `${ms} ms`;
}
