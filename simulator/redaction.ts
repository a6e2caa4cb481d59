/**
 * Last line of defence for log lines and events (T12): the simulator only ever writes
 * fingerprints, but any secret it knows of that still slipped into a line is replaced here.
 */
import { fingerprint } from '../protocol/redact.ts';

/** Shorter strings are too likely to be ordinary words; secrets that short are not secrets. */
const MIN_SECRET_LENGTH = 4;

export class SecretRedactor {
  private readonly secrets = new Set<string>();
  /** Longest first, so a secret that contains another is replaced whole. */
  private ordered: string[] = [];

  add(secret: string | undefined | null): void {
    if (!secret || secret.length < MIN_SECRET_LENGTH || this.secrets.has(secret)) return;
    this.secrets.add(secret);
    const encoded = encodeURIComponent(secret);
    this.ordered = [...this.ordered, secret, ...(encoded !== secret ? [encoded] : [])].sort((a, b) => b.length - a.length);
    this.fingerprints.set(secret, fingerprint(secret));
    if (encoded !== secret) this.fingerprints.set(encoded, fingerprint(secret));
  }

  private readonly fingerprints = new Map<string, string>();

  // A native substring search per secret beats one regex alternation of them all by far
  // once a long conversation has issued hundreds of handles.
  redact(text: string): string {
    let out = text;
    for (const secret of this.ordered) {
      if (out.includes(secret)) out = out.split(secret).join(this.fingerprints.get(secret)!);
    }
    return out;
  }
}
