/**
 * One WebSocket connection of the simulator, over the WHATWG API only, because the same code runs
 * against msw's interceptor (globalThis.WebSocket in-process) and the `ws` package (network).
 *
 * A Connection forwards every event of its socket, even after it has been replaced or closed:
 * deciding that an event is stale is the simulator's job (ResumeDecisions.isCurrent), kept in
 * one place so that it can be tested, and broken on purpose, in one place.
 */
import type { KeptHandle } from './handle-keeper.ts';

/** The part of the WHATWG WebSocket the simulator uses. */
export interface WebSocketLike {
  readonly readyState: number;
  binaryType?: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: any) => void): void;
}

/** Constructed with the URL only: msw's proxy and `ws` disagree on everything after it. */
export type WebSocketCtor = new (url: string) => WebSocketLike;

export const READY_STATE = { connecting: 0, open: 1, closing: 2, closed: 3 } as const;

export interface ConnectionListener {
  open(connection: Connection): void;
  text(connection: Connection, text: string): void;
  binary(connection: Connection, bytes: number): void;
  close(connection: Connection, code: number, reason: string): void;
  error(connection: Connection, message: string): void;
}

function byteLength(data: unknown): number {
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (ArrayBuffer.isView(data)) return data.byteLength;
  if (typeof Blob !== 'undefined' && data instanceof Blob) return data.size;
  if (Array.isArray(data)) return data.reduce((sum: number, part) => sum + byteLength(part), 0);
  return 0;
}

export class Connection {
  /** The socket opened (WebSocket `open`). */
  opened = false;
  /**
   * The connection may carry prospect messages: a fresh connection once open, a resume
   * connection only once `session:resumed` confirmed it (spec §5.2).
   */
  usable = false;
  /** An agent final transcript arrived on it: it carried a full turn. */
  carriedFullTurn = false;
  /** The simulator closed it; its close event, whenever it comes, is not an outage. */
  clientClosed = false;
  /** A rotation is already planned for it: repeated session_expiring must not plan another. */
  rotationPlanned = false;
  /** A reply held for the turn boundary of a planned rotation waited long enough: send it (turn-taking.ts). */
  boundaryHoldOver = false;
  /** The agent turn being streamed on it: the chunks so far, until the final one. */
  agentText = '';
  /** Frames received, for the post-mortem. */
  framesReceived = 0;
  binaryFramesReceived = 0;
  private socket: WebSocketLike | null = null;

  constructor(
    readonly id: number,
    /** The handle presented in the URL, or null for a fresh model session. */
    readonly handle: KeptHandle | null,
    /** The URL with its secrets replaced by fingerprints: the only form that may be logged. */
    readonly redactedUrl: string,
    readonly createdAt: number,
  ) {}

  get isResume(): boolean {
    return this.handle !== null;
  }

  get readyState(): number {
    return this.socket?.readyState ?? READY_STATE.closed;
  }

  /** Opens the socket. May throw synchronously (bad URL, constructor refusing): the caller decides. */
  connect(WebSocketClass: WebSocketCtor, url: string, listener: ConnectionListener): void {
    const socket = new WebSocketClass(url);
    this.socket = socket;
    try {
      socket.binaryType = 'arraybuffer';
    } catch {
      // Some implementations make binaryType read-only; binary frames are ignored anyway.
    }
    socket.addEventListener('open', () => listener.open(this));
    socket.addEventListener('message', (event: { data?: unknown }) => {
      const data = event?.data;
      if (typeof data === 'string') listener.text(this, data);
      else listener.binary(this, byteLength(data));
    });
    socket.addEventListener('close', (event: { code?: unknown; reason?: unknown }) => {
      const code = typeof event?.code === 'number' ? event.code : 1006;
      const reason = typeof event?.reason === 'string' ? event.reason : '';
      listener.close(this, code, reason);
    });
    socket.addEventListener('error', (event: { message?: unknown; error?: unknown }) => {
      const message =
        typeof event?.message === 'string' ? event.message : event?.error instanceof Error ? event.error.message : 'websocket error';
      listener.error(this, message);
    });
  }

  /** Sends one text frame; false when the socket cannot take it (not open, or the send threw). */
  send(text: string): boolean {
    if (!this.socket || this.socket.readyState !== READY_STATE.open) return false;
    try {
      this.socket.send(text);
      return true;
    } catch {
      return false;
    }
  }

  /** Client-initiated close. Safe in any state, including while still connecting. */
  close(code: number, reason: string): void {
    this.clientClosed = true;
    const socket = this.socket;
    if (!socket) return;
    if (socket.readyState === READY_STATE.closing || socket.readyState === READY_STATE.closed) return;
    try {
      socket.close(code, reason.slice(0, 120));
    } catch {
      // A socket that refuses to close is abandoned; the simulator has stopped listening to it.
    }
  }
}
