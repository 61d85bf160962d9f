import { createHash } from 'node:crypto';

/** Hex SHA-256 of `parts` joined by NUL, so ("a","bc") and ("ab","c") differ. */
export function digestHex(...parts: readonly (string | number)[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

/** An action id derived from where the action was read, so re-exports give the same id. */
export function deriveActionId(...parts: readonly (string | number)[]): string {
  return `act_${digestHex('action', ...parts).slice(0, 32)}`;
}
