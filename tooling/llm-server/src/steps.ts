import { LlmServerError } from './errors.js';
import type { ScriptStep } from './types.js';

const STEP_KEYS = new Set([
  'text',
  'toolUse',
  'status',
  'delayMs',
  'chunkDelayMs',
  'abortAfterChunks',
  'encoding',
  'headers',
]);

function invalid(field: string, message: string, value: unknown): LlmServerError {
  return new LlmServerError('LLM_SERVER_INVALID_STEP', `Script step ${field} ${message}.`, {
    details: { field, value },
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function checkDuration(step: Record<string, unknown>, field: string): void {
  const value = step[field];
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalid(field, 'must be a finite number of milliseconds, 0 or more', value);
  }
}

/**
 * Checks a step before it is queued, so a typo fails where the script is written rather than as
 * a puzzling reply later. Throws `LlmServerError` with code `LLM_SERVER_INVALID_STEP`.
 */
export function validateStep(step: unknown): ScriptStep {
  if (!isPlainObject(step)) throw invalid('(the step itself)', 'must be a plain object', step);
  for (const key of Object.keys(step)) {
    if (!STEP_KEYS.has(key)) {
      throw invalid(key, `is not a known field; use one of ${[...STEP_KEYS].join(', ')}`, key);
    }
  }
  const { text, toolUse, status, abortAfterChunks, encoding, headers } = step;
  if (text !== undefined && typeof text !== 'string') {
    throw invalid('text', 'must be a string', text);
  }
  if (toolUse !== undefined) {
    if (!isPlainObject(toolUse)) throw invalid('toolUse', 'must be an object', toolUse);
    if (typeof toolUse.name !== 'string' || toolUse.name === '') {
      throw invalid('toolUse.name', 'must be a non-empty string', toolUse.name);
    }
    if (toolUse.id !== undefined && (typeof toolUse.id !== 'string' || toolUse.id === '')) {
      throw invalid('toolUse.id', 'must be a non-empty string when given', toolUse.id);
    }
    if (!isPlainObject(toolUse.input)) {
      throw invalid('toolUse.input', 'must be a plain object (the tool arguments)', toolUse.input);
    }
  }
  if (status !== undefined) {
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 599) {
      throw invalid('status', 'must be an integer HTTP error status from 400 to 599', status);
    }
    if (text !== undefined || toolUse !== undefined) {
      throw invalid(
        'status',
        'cannot be combined with text or toolUse; use separate steps',
        status,
      );
    }
  }
  checkDuration(step, 'delayMs');
  checkDuration(step, 'chunkDelayMs');
  if (
    abortAfterChunks !== undefined &&
    (typeof abortAfterChunks !== 'number' ||
      !Number.isInteger(abortAfterChunks) ||
      abortAfterChunks < 0)
  ) {
    throw invalid('abortAfterChunks', 'must be an integer, 0 or more', abortAfterChunks);
  }
  if (encoding !== undefined && encoding !== 'gzip' && encoding !== 'br') {
    throw invalid('encoding', "must be 'gzip' or 'br'", encoding);
  }
  if (headers !== undefined) {
    if (!isPlainObject(headers)) throw invalid('headers', 'must be an object of strings', headers);
    for (const [name, value] of Object.entries(headers)) {
      if (typeof value !== 'string' || !/^[\t\x20-\x7e\x80-\xff]*$/.test(value)) {
        throw invalid(`headers.${name}`, 'must be a string without control characters', value);
      }
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
        throw invalid(`headers.${name}`, 'is not a valid HTTP header name', name);
      }
    }
  }
  return step as ScriptStep;
}
