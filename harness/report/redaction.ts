/**
 * The last line of defence for secrets in reports. The journal already carries only
 * fingerprints, but the client's own output and result are its words, not ours: every
 * string that reaches a report goes through `redactText` with every secret the server issued.
 */
import { redactText } from '../../protocol/redact.ts';

/** A deep copy of `value` with every secret in every string replaced by its fingerprint. */
export function redactDeep<T>(value: T, secrets: readonly string[]): T {
  // redactText ignores secrets shorter than 8 characters: so does the detector here.
  const usable = [...new Set(secrets)].filter((s) => s.length >= 8).sort((a, b) => b.length - a.length);
  if (usable.length === 0) return jsonCopy(value);
  // A long session has hundreds of handles and tens of thousands of strings: one compiled
  // pattern finds the few strings that hold a secret, and only those go through redactText,
  // so the result is exactly redactText's at a fraction of the cost.
  const detector = new RegExp(usable.map(escapeRegExp).join('|'));
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return detector.test(v) ? redactText(v, usable) : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[walk(k) as string] = walk(x);
      return out;
    }
    return v;
  };
  return walk(value) as T;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Reports are JSON: a copy through JSON drops what JSON cannot hold (functions, undefined). */
function jsonCopy<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
