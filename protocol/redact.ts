/**
 * Handles are bearer credentials and session tokens are secrets (spec §5.1): logs and
 * reports carry a short, stable fingerprint instead, so two mentions of one handle still
 * match without either being usable.
 */
import { createHash } from 'node:crypto';

const SECRET_PARAMS = ['sessionToken', 'shareToken', 'resumeHandle', 'token', 'handle', 'key', 'access_token'];

export function fingerprint(secret: string): string {
  if (secret.length === 0) return '‹empty›';
  let known = fingerprints.get(secret);
  if (known === undefined) {
    known = `‹${createHash('sha256').update(secret).digest('hex').slice(0, 8)}›`;
    // Bounded: a long-lived process (serve, a load run) must not keep every string it ever fingerprinted.
    if (fingerprints.size >= FINGERPRINT_CACHE) fingerprints.clear();
    fingerprints.set(secret, known);
  }
  return known;
}

/**
 * The same strings are fingerprinted again and again (every prospect message of a context at
 * each resume, each handle as it is issued, journaled and logged): a hash each time was the
 * largest of the mock's own costs per message in bench:load's profile. A cache cannot change a
 * fingerprint, only skip recomputing it.
 */
const FINGERPRINT_CACHE = 50_000;
const fingerprints = new Map<string, string>();

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
 * Redaction for a run that keeps learning secrets (every handle it is issued, every session a
 * client opens). Secrets are indexed by their first `minLength` characters, so a text costs one
 * map lookup per position whatever the number of secrets, and learning one costs a bucket
 * insert. (It was one substring search per secret per text, and a sort of them all per secret
 * learned: a client that opened thousands of sessions made every frame of every conversation
 * slow, the mock-server fuzz found — test/hostile/.) Longest first at each position, so a secret
 * that contains another is replaced whole. URL-encoded forms are caught too, as a logged URL
 * holds them that way.
 */
export class SecretRedactor {
  private readonly known = new Set<string>();
  /** Secrets and their encoded forms by their first `minLength` characters, each bucket longest first. */
  private readonly byPrefix = new Map<string, string[]>();
  private readonly fingerprints = new Map<string, string>();
  /** The first two characters of every prefix: most positions of a text are passed over on them, without a slice. */
  private readonly openings = new Set<number>();

  /** `minLength`: shorter strings are too likely to be ordinary words to be treated as secrets. */
  constructor(private readonly minLength = 8) {}

  add(secret: string | undefined | null): void {
    if (!secret || secret.length < this.minLength || this.known.has(secret)) return;
    this.known.add(secret);
    const encoded = encodeURIComponent(secret);
    const forms = encoded !== secret ? [secret, encoded] : [secret];
    for (const form of forms) {
      this.fingerprints.set(form, fingerprint(secret));
      const prefix = form.slice(0, this.minLength);
      this.openings.add(opening(form, 0));
      const bucket = this.byPrefix.get(prefix);
      if (bucket === undefined) this.byPrefix.set(prefix, [form]);
      else if (!bucket.includes(form)) {
        const at = bucket.findIndex((other) => other.length < form.length);
        bucket.splice(at < 0 ? bucket.length : at, 0, form);
      }
    }
  }

  redact(text: string): string {
    const k = this.minLength;
    if (this.byPrefix.size === 0 || text.length < k) return text;
    let out = '';
    let copied = 0;
    for (let i = 0; i + k <= text.length; ) {
      if (!this.openings.has(opening(text, i))) {
        i += 1;
        continue;
      }
      const bucket = this.byPrefix.get(text.slice(i, i + k));
      const hit = bucket?.find((form) => text.startsWith(form, i));
      if (hit === undefined) {
        i += 1;
        continue;
      }
      out += text.slice(copied, i) + this.fingerprints.get(hit)!;
      i += hit.length;
      copied = i;
    }
    return copied === 0 ? text : out + text.slice(copied);
  }

  /** Every secret added, for checks that no output holds one. */
  secrets(): string[] {
    return [...this.known];
  }
}

/** Two characters as one number (a secret is at least two long: minLength is never below 2 in use). */
const opening = (text: string, at: number): number => text.charCodeAt(at) * 65536 + (text.charCodeAt(at + 1) || 0);
