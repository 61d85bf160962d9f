/** What the two value walkers share: the compiled rules and how a key name is redacted. */
import type { KeyClassifier } from './keys.js';
import type { PathRule } from './paths.js';
import { isPlaceholder, type PlaceholderWriter } from './placeholder.js';
import type { RedactionScope, TextRedactor } from './text.js';

export interface WalkRules {
  readonly classify: KeyClassifier;
  /** The user's value path rules (`paths`); empty for none. */
  readonly rules: readonly PathRule[];
  readonly text: TextRedactor;
  readonly placeholder: PlaceholderWriter;
  /** A key name with its secrets removed (cached: agents reuse a small set of keys). */
  readonly redactKey: (key: string, scope: RedactionScope | undefined) => string;
}

/** The placeholder for a value removed whole; an existing placeholder is kept as it is. */
export function placeholderFor(rules: WalkRules, kind: string, removed: unknown): string {
  return typeof removed === 'string' && isPlaceholder(removed)
    ? removed
    : rules.placeholder(kind, removed);
}
