/**
 * The client side of a server under test's wire, as the harness's recording proxy saw it
 * (docs/server-contract.md §3, "From the client side of the wire"). The mock Gemini face's
 * journal holds the other side; the server axes fold over both, on one clock.
 *
 * Facts only, and no secret: share tokens, session tokens and handles appear as fingerprints
 * (protocol/redact.ts), the same fingerprints the Gemini face's journal uses, so a handle the
 * client received can be matched with the upstream connection Gemini issued it on.
 */

/** Who opened a connection: the client under test, or one of the harness's own probes. */
export type WireParty = 'client' | 'probe:tenant' | 'probe:isolation-a' | 'probe:isolation-b';

/** The query of an upgrade, as the proxy read it (fingerprints for the secrets). */
export interface WireUrlFacts {
  /** The path and query with every secret replaced by its fingerprint. */
  readonly path: string;
  readonly shareToken: string | null;
  readonly sessionToken: string | null;
  /** The fingerprint of the `resumeHandle` presented; null when none (or an empty one). */
  readonly resumeHandle: string | null;
}

/**
 * A message of the AI-voice protocol as it crossed, with `handle` replaced by its fingerprint.
 * Whatever did not parse as a JSON object is kept as `undefined` (the frame's `json` says so).
 */
export type WireMessage = Readonly<Record<string, unknown>> & { readonly type?: unknown };

export type WireEvent =
  /** An HTTP request through the proxy (the session route, ai-voice-protocol.md §1). */
  | { readonly kind: 'http'; readonly t: number; readonly party: WireParty; readonly method: string; readonly path: string; readonly status: number }
  /** The server accepted an upgrade: `wc` names the connection in every later event. */
  | ({ readonly kind: 'ws-open'; readonly t: number; readonly wc: number; readonly party: WireParty; /** When the upgrade request reached the proxy (a server opens its upstream after it). */ readonly requestedAt?: number } & WireUrlFacts)
  /** The server refused an upgrade with an HTTP status (401, 404…), or could not be reached (status 0). */
  | ({ readonly kind: 'ws-refused'; readonly t: number; readonly wc: number; readonly party: WireParty; readonly status: number; readonly requestedAt?: number } & WireUrlFacts)
  | {
      readonly kind: 'frame';
      readonly t: number;
      readonly wc: number;
      readonly dir: 'to-client' | 'to-server';
      readonly binary: boolean;
      readonly bytes: number;
      /** The frame parsed as a JSON object (whatever its frame type). */
      readonly json: boolean;
      readonly message?: WireMessage;
    }
  /**
   * The connection ended. `by`: the side whose close frame came first (`server` or `client`);
   * `network` when a socket ended without one (1006).
   */
  | { readonly kind: 'ws-close'; readonly t: number; readonly wc: number; readonly by: 'server' | 'client' | 'network'; readonly code: number; readonly reason: string };

export type WireEventKind = WireEvent['kind'];
export type WireEventOf<K extends WireEventKind> = Extract<WireEvent, { kind: K }>;

/** The recorded wire of one run: appended to by the proxy (and its probes), read by the judge. */
export class WireLog {
  readonly events: WireEvent[] = [];
  private nextConnection = 0;

  /** A fresh connection number, unique within the run. */
  connection(): number {
    return ++this.nextConnection;
  }

  record(event: WireEvent): void {
    this.events.push(event);
  }
}
