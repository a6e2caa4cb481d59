/**
 * What every capture format is read into: connections opening, frames crossing, connections
 * closing, on one clock in protocol seconds. The inference (infer-scenario.ts) reads only
 * this, so a new format is one reader, not a new inference.
 */
import { fingerprint } from '../../protocol/redact.ts';

export type CloseSide = 'server' | 'client' | 'network';

export type CaptureEvent =
  | {
      readonly kind: 'open';
      readonly conn: string;
      /** Protocol seconds since the capture began. */
      readonly t: number;
      /** Which conversation (HTTP session) the connection belongs to, when the capture says; null: one conversation. */
      readonly conversation: string | null;
      /** Whether the client presented a resume handle; null when the capture does not say. */
      readonly resume: boolean | null;
      readonly where: string;
    }
  /** A WebSocket upgrade the server refused with an HTTP status (no connection opened). */
  | { readonly kind: 'refused'; readonly t: number; readonly conversation: string | null; readonly status: number; readonly where: string }
  | { readonly kind: 'frame'; readonly conn: string; readonly t: number; readonly dir: 'in' | 'out'; readonly text?: string; readonly binaryBytes?: number; readonly where: string }
  | {
      readonly kind: 'close';
      readonly conn: string;
      readonly t: number;
      /** 1006 when the connection ended with no close frame; null when the capture does not record closes (a DevTools HAR). */
      readonly code: number | null;
      readonly reason: string;
      readonly by: CloseSide | null;
      readonly where: string;
    };

/** One capture as a reader yields it: events in time order per connection, and what it learnt about secrets. */
export interface CaptureSource {
  readonly format: string;
  readonly events: AsyncIterable<CaptureEvent>;
}

/**
 * The secrets met while reading (tokens and keys in URLs, handles in frames): every text the
 * import keeps goes through it (protocol/redact.ts), and long opaque strings are masked too,
 * since a handle the reader did not recognise as one must not survive either.
 */
export class ImportRedactor {
  /** Secrets as met; their ordered forms are built when a text is redacted (rarely), not per handle (a capture issues thousands). */
  private readonly met = new Set<string>();
  private ordered: Array<[form: string, secret: string]> | null = null;

  add(secret: string | null | undefined): void {
    if (!secret || secret.length < 8 || this.met.has(secret)) return;
    this.met.add(secret);
    this.ordered = null;
  }

  secrets(): string[] {
    return [...this.met];
  }

  /** Every secret met (and its URL-encoded form) by its fingerprint, longest first (protocol/redact.ts), then opaque runs masked. */
  redact(text: string): string {
    this.ordered ??= [...this.met]
      .flatMap((secret): Array<[string, string]> => (encodeURIComponent(secret) !== secret ? [[secret, secret], [encodeURIComponent(secret), secret]] : [[secret, secret]]))
      .sort((a, b) => b[0].length - a[0].length);
    let out = text;
    for (const [form, secret] of this.ordered) if (out.includes(form)) out = out.split(form).join(fingerprint(secret));
    return out.replace(/[A-Za-z0-9_\-+/=.]{24,}/g, '‹redacted›');
  }
}

const SECRET_URL_PARAMS = ['sessionToken', 'shareToken', 'resumeHandle', 'token', 'key', 'access_token', 'handle'];

/** Learns every secret of a URL's query, and tells whether it presented a resume handle. */
export function learnUrl(url: string, redactor: ImportRedactor): { resume: boolean; sessionToken: string | null } {
  const q = url.indexOf('?');
  // The share token also sits in the session path (spec §1).
  const shareInPath = /\/api\/sales-agent\/([^/?]+)\/session/.exec(url);
  if (shareInPath) redactor.add(decodeURIComponent(shareInPath[1]!));
  if (q < 0) return { resume: false, sessionToken: null };
  const params = new URLSearchParams(url.slice(q + 1));
  for (const name of SECRET_URL_PARAMS) for (const value of params.getAll(name)) redactor.add(value);
  return { resume: (params.get('resumeHandle') ?? '') !== '', sessionToken: params.get('sessionToken') };
}

/**
 * A binary frame's payload: Gemini Live sends its JSON messages in binary frames
 * (docs/gemini-live.md §1.2), so bytes that decode to a JSON object are read as that text;
 * anything else is audio, known only by its size.
 */
export function binaryPayload(bytes: Buffer): { text?: string; binaryBytes: number } {
  const first = bytes.subarray(0, 16).toString('utf8').trimStart();
  if (first.startsWith('{')) {
    const text = bytes.toString('utf8');
    try {
      const value = JSON.parse(text) as unknown;
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return { text, binaryBytes: bytes.length };
    } catch {
      // Not JSON: audio that happens to start with "{".
    }
  }
  return { binaryBytes: bytes.length };
}
