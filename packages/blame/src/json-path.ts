/** A small JSON path reader for the oracles: `a.b[0].c`, with or without a leading `$`. */
import { invalidOption } from './errors.js';

type Segment = string | number;

/** The path's segments; a malformed path is BLAME_INVALID_OPTION. */
export function parseJsonPath(path: string): readonly Segment[] {
  if (typeof path !== 'string')
    throw invalidOption('path', 'A JSON path is a string such as "answer.city" or "days[0].plan".');
  const segments: Segment[] = [];
  const pattern = /\.?([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
  const rest = path.startsWith('$') ? path.slice(1) : path;
  let at = 0;
  while (at < rest.length) {
    pattern.lastIndex = at;
    const match = pattern.exec(rest);
    if (match === null || (at === 0 && !path.startsWith('$') && match[0].startsWith('.')))
      throw invalidOption(
        'path',
        `The JSON path ${JSON.stringify(path)} is not valid at character ${at}: use names joined by dots and [n] indexes, as in "days[0].plan".`,
      );
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else segments.push(JSON.parse(match[3]!) as string);
    at = pattern.lastIndex;
  }
  return segments;
}

/** The value at `segments` in `value`, or undefined when a part of the path is missing. */
export function readJsonPath(value: unknown, segments: readonly Segment[]): unknown {
  let current: unknown = value;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    if (typeof segment === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[segment];
    } else {
      if (!Object.hasOwn(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return current;
}
