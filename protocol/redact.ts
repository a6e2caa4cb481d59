/**
 * Handles are bearer credentials and session tokens are secrets (spec §5.1): logs and
 * reports carry a short, stable fingerprint instead, so two mentions of one handle still
 * match without either being usable.
 */
import { createHash } from 'node:crypto';

const SECRET_PARAMS = ['sessionToken', 'shareToken', 'resumeHandle', 'token', 'handle', 'key', 'access_token'];

export function fingerprint(secret: string): string {
  if (secret.length === 0) return '‹empty›';
  return `‹${createHash('sha256').update(secret).digest('hex').slice(0, 8)}›`;
}

/** A URL with every secret-bearing query parameter replaced by its fingerprint. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  const parts: string[] = [];
  for (const [name, value] of params) {
    parts.push(`${name}=${SECRET_PARAMS.includes(name) ? fingerprint(value) : value}`);
  }
  return `${url.slice(0, q)}?${parts.join('&')}`;
}

/**
 * Replaces every occurrence of the given secrets in a text (a frame, a log line) by its
 * fingerprint. Longest first, so a secret that contains another is replaced whole.
 */
export function redactText(text: string, secrets: Iterable<string>): string {
  let out = text;
  const sorted = [...new Set(secrets)].filter((s) => s.length >= 8).sort((x, y) => y.length - x.length);
  for (const secret of sorted) {
    if (out.includes(secret)) out = out.split(secret).join(fingerprint(secret));
  }
  return out;
}
