/**
 * Text redaction: the value detectors run over a string, as edits. Used for every string value,
 * header value, URL, text body, and every string inside a JSON body.
 */
import { type CompiledDetectors, compileDetectors, type DetectorFlags } from './detectors.js';
import { applyEdits, type Edit } from './edits.js';
import { type KeyClassifier, normaliseKey } from './keys.js';
import type { PlaceholderWriter } from './placeholder.js';

/** Extra detectors one call turns on: PII (e-mail, phone) and card numbers. */
export interface RedactionScope {
  readonly pii?: boolean;
  readonly pci?: boolean;
}

export interface TextRedactor {
  /** False when no active detector can match `text`: a cheap test that skips the full scan. */
  mayMatch(text: string, scope?: RedactionScope): boolean;
  /**
   * Appends the edits that redact `text` to `edits`, offset by `offset`. `latin1` says that `text`
   * holds UTF-8 bytes one per character, which only matters to keyed hashes.
   */
  scan(text: string, edits: Edit[], offset: number, latin1: boolean, scope?: RedactionScope): void;
  /** `text` redacted; the same string when nothing was found. */
  redact(text: string, latin1?: boolean, scope?: RedactionScope): string;
}

/** True when `prefix` ends inside a placeholder it opened. */
function insidePlaceholder(prefix: string): boolean {
  const open = prefix.lastIndexOf('[REDACTED:');
  return open >= 0 && !prefix.includes(']', open);
}

export function createTextRedactor(
  base: DetectorFlags,
  classify: KeyClassifier,
  placeholder: PlaceholderWriter,
): TextRedactor {
  const baseCompiled = compileDetectors(base);
  const compiled = new Map<number, CompiledDetectors>();

  const detectorsFor = (scope: RedactionScope | undefined): CompiledDetectors => {
    // The common case (no extras) skips the cache lookup: this runs for every string.
    if (scope === undefined || (scope.pii !== true && scope.pci !== true)) return baseCompiled;
    const email = base.email || scope.pii === true;
    const phone = base.phone || scope.pii === true;
    const card = base.card || scope.pci === true;
    const mask = (email ? 1 : 0) | (phone ? 2 : 0) | (card ? 4 : 0);
    let entry = compiled.get(mask);
    if (entry === undefined) {
      entry = compileDetectors({ email, phone, card });
      compiled.set(mask, entry);
    }
    return entry;
  };

  const scanWith = (
    set: CompiledDetectors,
    text: string,
    edits: Edit[],
    offset: number,
    latin1: boolean,
  ): void => {
    if (text.length < 3 || !set.mayMatch(text)) return;
    const { regex, detectors } = set;
    regex.lastIndex = 0;
    for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
      const match = m[0];
      const groups = m.groups as Record<string, string | undefined>;
      for (let i = 0; i < detectors.length; i++) {
        if (groups[`d${i}`] === undefined) continue;
        const detector = detectors[i]!;
        if (detector.kind === 'keep') break;
        const secret = groups[`S${i}`] ?? match;
        if (detector.validate !== undefined && !detector.validate(secret)) break;
        const prefix = groups[`P${i}`] ?? '';
        // A kept prefix that ends inside a placeholder (`-u [REDACTED:…`) would cut it in two.
        if (insidePlaceholder(prefix)) break;
        const at = offset + m.index;
        let kind = detector.kind;
        if (kind === 'key') {
          const key = groups[`K${i}`] ?? '';
          const normalised = normaliseKey(key);
          // `PWD=/home/app` in an environment dump is the working directory, not a password.
          if (normalised === 'pwd' && secret.startsWith('/')) break;
          kind = classify(key) ?? 'secret';
          // The key text itself may hold a credential (it is a whole word): scan it too. The
          // expression is shared, so the outer scan resumes where it was.
          const resume = regex.lastIndex;
          scanWith(set, key, edits, at + prefix.indexOf(key), latin1);
          regex.lastIndex = resume;
        }
        const start = at + prefix.length;
        const quoted = secret.length >= 2 && secret.startsWith('"') && secret.endsWith('"');
        const body = placeholder(kind, quoted ? secret.slice(1, -1) : secret, latin1);
        edits.push({ start, end: start + secret.length, text: quoted ? `"${body}"` : body });
        break;
      }
    }
  };

  return {
    mayMatch: (text, scope) => text.length >= 3 && detectorsFor(scope).mayMatch(text),
    scan: (text, edits, offset, latin1, scope) =>
      scanWith(detectorsFor(scope), text, edits, offset, latin1),
    redact(text, latin1 = false, scope) {
      const set = detectorsFor(scope);
      if (text.length < 3 || !set.mayMatch(text)) return text;
      const edits: Edit[] = [];
      scanWith(set, text, edits, 0, latin1);
      return applyEdits(text, edits);
    },
  };
}
