import {
  type JsonTextOptions,
  type JsonValue,
  SpecError,
  jsonText as specJsonText,
} from '@trace/spec';
import { TapeError } from './errors.js';

/**
 * The JSON text a tape stores for a value (see `jsonText` in @trace/spec): draw values and
 * annotations enter the fingerprint through it. Keys stay in the value's own order, because the
 * code that reads a replayed value can observe that order. Throws TAPE_INVALID_EVENT naming the
 * offending field for what has no exact JSON form.
 */
export function jsonText(value: unknown, options: JsonTextOptions = {}): string {
  try {
    return specJsonText(value, { ...options, path: options.path ?? 'value' });
  } catch (error) {
    if (!SpecError.isInstance(error)) throw error;
    throw new TapeError('TAPE_INVALID_EVENT', error.message, {
      cause: error,
      details: { path: error.details.path },
    });
  }
}

/** Parses stored JSON text back into a value; what `jsonText` wrote always parses. */
export function parseJson(text: string): JsonValue {
  return JSON.parse(text) as JsonValue;
}
