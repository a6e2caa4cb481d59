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
 *
 * Most positions of a text start no secret: a rolling hash of the `minLength` characters from
 * each position, looked up in a bit table of the prefixes' hashes, passes them over without a
 * slice or a map lookup. It was a set of the prefixes' first two characters, which a load run's
 * mock (thousands of handles, base64url) filled, so that every position of every frame cost a
 * slice: bench:load's largest garbage. The table has no false negatives (every prefix's hash is
 * in it), so the text is replaced exactly as by a lookup at every position (redact.test.ts
 * checks it against that).
 */
export class SecretRedactor {
  private readonly known = new Set<string>();
  /** Secrets and their encoded forms by their first `minLength` characters, each bucket longest first. */
  private readonly byPrefix = new Map<string, string[]>();
  private readonly fingerprints = new Map<string, string>();
  /** One bit per slot (`slotOf`): set for every prefix of `byPrefix`. Grown as prefixes come, to stay mostly clear. */
  private prefixHashes = new Uint32Array(MIN_TABLE_BITS / 32);
  /** 32 − log2(the table's bits): a hash's slot is its top bits, after mixing. */
  private slotShift = 32 - Math.log2(MIN_TABLE_BITS);
  /** HASH_BASE^(minLength − 1), to take the leaving character out of the rolling hash. */
  private readonly leadingPower: number;

  /** `minLength`: shorter strings are too likely to be ordinary words to be treated as secrets. */
  constructor(private readonly minLength = 8) {
    let power = 1;
    for (let i = 1; i < minLength; i++) power = Math.imul(power, HASH_BASE);
    this.leadingPower = power;
  }

  add(secret: string | undefined | null): void {
    if (!secret || secret.length < this.minLength || this.known.has(secret)) return;
    this.known.add(secret);
    const encoded = encodeURIComponent(secret);
    const forms = encoded !== secret ? [secret, encoded] : [secret];
    for (const form of forms) {
      this.fingerprints.set(form, fingerprint(secret));
      const prefix = form.slice(0, this.minLength);
      const bucket = this.byPrefix.get(prefix);
      if (bucket === undefined) {
        this.byPrefix.set(prefix, [form]);
        if (this.byPrefix.size * 16 > this.prefixHashes.length * 32) this.growTable();
        else this.mark(prefix);
      } else if (!bucket.includes(form)) {
        const at = bucket.findIndex((other) => other.length < form.length);
        bucket.splice(at < 0 ? bucket.length : at, 0, form);
      }
    }
  }

  private mark(prefix: string): void {
    const slot = mix(windowHash(prefix, 0, this.minLength)) >>> this.slotShift;
    this.prefixHashes[slot >>> 5]! |= 1 << (slot & 31);
  }

  /** Twice the bits, every prefix marked again: at most 1 in 16 bits set, so few positions pass. */
  private growTable(): void {
    this.prefixHashes = new Uint32Array(this.prefixHashes.length * 2);
    this.slotShift -= 1;
    for (const prefix of this.byPrefix.keys()) this.mark(prefix);
  }

  redact(text: string): string {
    const k = this.minLength;
    if (this.byPrefix.size === 0 || text.length < k) return text;
    const table = this.prefixHashes;
    const shift = this.slotShift;
    let out = '';
    let copied = 0;
    let i = 0;
    let hash = windowHash(text, 0, k);
    while (i + k <= text.length) {
      const slot = mix(hash) >>> shift;
      if ((table[slot >>> 5]! & (1 << (slot & 31))) !== 0) {
        const bucket = this.byPrefix.get(text.slice(i, i + k));
        const hit = bucket?.find((form) => text.startsWith(form, i));
        if (hit !== undefined) {
          out += text.slice(copied, i) + this.fingerprints.get(hit)!;
          i += hit.length;
          copied = i;
          if (i + k <= text.length) hash = windowHash(text, i, k);
          continue;
        }
      }
      // Roll the window one character on: the first leaves, the one after the window enters.
      if (i + k < text.length) hash = (Math.imul(hash - Math.imul(text.charCodeAt(i), this.leadingPower), HASH_BASE) + text.charCodeAt(i + k)) | 0;
      i += 1;
    }
    return copied === 0 ? text : out + text.slice(copied);
  }

  /** Every secret added, for checks that no output holds one. */
  secrets(): string[] {
    return [...this.known];
  }
}

/** 2^10 bits (128 bytes) to start with: a client's run knows a few dozen secrets, a load run's mock tens of thousands. */
const MIN_TABLE_BITS = 1 << 10;
const HASH_BASE = 0x01000193;

/** The polynomial hash (mod 2^32) of `length` characters from `at`, the one `redact` rolls. */
function windowHash(text: string, at: number, length: number): number {
  let hash = 0;
  for (let i = at; i < at + length; i++) hash = (Math.imul(hash, HASH_BASE) + text.charCodeAt(i)) | 0;
  return hash;
}

/** A final mix, so that the top bits (the slot) depend on every character. */
const mix = (hash: number): number => Math.imul(hash ^ (hash >>> 15), 0x2c1b3c6d) ^ (hash >>> 7);
