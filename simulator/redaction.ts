/**
 * Last line of defence for log lines and events (T12): the simulator only ever writes
 * fingerprints, but any secret it knows of that still slipped into a line is replaced here.
 */
import { fingerprint } from '../protocol/redact.ts';

/** Shorter strings are too likely to be ordinary words; secrets that short are not secrets. */
const MIN_SECRET_LENGTH = 4;

export class SecretRedactor {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | null = null;

  add(secret: string | undefined | null): void {
    if (!secret || secret.length < MIN_SECRET_LENGTH || this.secrets.has(secret)) return;
    this.secrets.add(secret);
    // One alternation, longest first, in a single pass: a fingerprint written for one secret is
    // never rewritten because it happens to contain another.
    const escaped = [...this.secrets]
      .sort((a, b) => b.length - a.length)
      .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    this.pattern = new RegExp(escaped.join('|'), 'g');
  }

  redact(text: string): string {
    if (!this.pattern) return text;
    let out = text.replace(this.pattern, (secret) => fingerprint(secret));
    // URL-encoded forms of a secret can appear in a logged URL.
    for (const secret of this.secrets) {
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret && out.includes(encoded)) out = out.split(encoded).join(fingerprint(secret));
    }
    return out;
  }
}
