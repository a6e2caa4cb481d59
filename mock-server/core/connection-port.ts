import type { Clock } from '../../protocol/clock.ts';

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
  /**
   * `by` is 'server' when the server side ended the socket; `cause` says why when the
   * transport itself did (a frame the WebSocket layer refused: over the size limit, bad UTF-8).
   */
  onClose(listener: (code: number, reason: string, by: 'client' | 'server' | 'network', cause?: string) => void): void;
  readonly capabilities: { readonly pings: boolean; readonly halfOpen: 'real' | 'emulated' };
}

/** An upgrade request as a transport sees it: the path as sent (`//ws/…` included) and the headers. */
export interface UpgradeRequest {
  readonly rawUrl: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
}

/**
 * What a transport needs of a protocol face: its clock (slow accepts), its upgrade decision
 * for any path, and its plain HTTP routes. The ws and msw transports move bytes for any face.
 */
export interface TransportFace {
  readonly clock: Clock;
  /** The WebSocket path a person is told to use (shown in URLs; the face decides what it accepts). */
  readonly wsPath: string;
  upgradeRequest(request: UpgradeRequest): UpgradeDecision;
  /** An HTTP request that is not an upgrade; undefined: no such route (404). */
  httpRequest(method: string, rawPath: string, body: string): HttpResponseLike | undefined;
}

/** The decision for one upgrade request, before any WebSocket exists. */
export type UpgradeDecision =
  | { readonly accept: false; readonly status: number; readonly body: string }
  | { readonly accept: true; readonly delayMs: number; readonly attach: (port: ConnectionPort) => void };

export interface HttpResponseLike {
  readonly status: number;
  readonly body: unknown;
}
