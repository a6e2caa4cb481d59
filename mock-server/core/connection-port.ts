/**
 * What a transport offers the server logic for one accepted WebSocket. The real `ws`
 * transport implements all of it; the in-process msw transport cannot reach below the
 * WHATWG API, so it says which byte-level faults it can only approximate.
 */
export type IncomingData = { readonly text: string } | { readonly binary: Uint8Array };

export interface ConnectionPort {
  sendText(text: string): void;
  sendBinary(bytes: Uint8Array): void;
  /** A close frame with this code (the server initiates the closing handshake). */
  close(code: number, reason: string): void;
  /** Gone with no close frame: the client sees 1006. */
  drop(): void;
  /** Keep the socket but stop reading and writing (a black hole). */
  halfOpen(): void;
  /** Pong behaviour for client pings: answer, ignore, or answer late (protocol ms). */
  setPongs(mode: 'answer' | 'ignore' | { lateByMs: number }): void;
  onData(listener: (data: IncomingData) => void): void;
  /** `byClient` is false when the server's own close or drop ended the socket. */
  onClose(listener: (code: number, reason: string, by: 'client' | 'server' | 'network') => void): void;
  readonly capabilities: { readonly pings: boolean; readonly halfOpen: 'real' | 'emulated' };
}

export interface UpgradeRequest {
  readonly url: URL;
}

/** The decision for one upgrade request, before any WebSocket exists. */
export type UpgradeDecision =
  | { readonly accept: false; readonly status: number; readonly body: string }
  | { readonly accept: true; readonly delayMs: number; readonly attach: (port: ConnectionPort) => void };

export interface HttpResponseLike {
  readonly status: number;
  readonly body: unknown;
}
