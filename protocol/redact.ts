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

/**
 * Redaction for a run that keeps learning secrets (every handle it is issued): secrets are added
 * as they appear and kept longest first, so each text costs one native substring search per
 * secret — no sort and no list to rebuild per line, even after hundreds of handles.
 * Their URL-encoded forms are caught too, as a logged URL holds them that way.
 */
export class SecretRedactor {
  private readonly known = new Set<string>();
  /** Secrets and their encoded forms, longest first, so a secret that contains another is replaced whole. */
  private ordered: string[] = [];
  private readonly fingerprints = new Map<string, string>();

  /** `minLength`: shorter strings are too likely to be ordinary words to be treated as secrets. */
  constructor(private readonly minLength = 8) {}

  add(secret: string | undefined | null): void {
    if (!secret || secret.length < this.minLength || this.known.has(secret)) return;
    this.known.add(secret);
    const encoded = encodeURIComponent(secret);
    const forms = encoded !== secret ? [secret, encoded] : [secret];
    for (const form of forms) this.fingerprints.set(form, fingerprint(secret));
    this.ordered = [...this.ordered, ...forms].sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.ordered) {
      if (out.includes(secret)) out = out.split(secret).join(this.fingerprints.get(secret)!);
    }
    return out;
  }

  /** Every secret added, for checks that no output holds one. */
  secrets(): string[] {
    return [...this.known];
  }
}
