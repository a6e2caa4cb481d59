/**
 * The recording proxy: the harness stands between the client (or one of its own probes) and the
 * server under test, relays everything unchanged, and writes the client side of the server's
 * wire to a WireLog (docs/server-contract.md §3, "From the client side of the wire").
 *
 * - HTTP (ai-voice-protocol.md §1) is forwarded as it came; each exchange is one `http` event.
 * - An upgrade (§2) is first tried on the server: the client's socket is upgraded only once the
 *   server has accepted, so a refusal (401…) reaches the client as the same status, as if no
 *   proxy were there.
 * - Frames keep their type (§2, "Framing": JSON in text frames, audio in binary ones), so a server
 *   that puts JSON in a binary frame looks exactly that way to the client and in the log.
 * - Closes are passed on with their code (§7); a server that drops TCP is dropped for the client
 *   too (1006), never turned into a clean close.
 *
 * Nothing secret is logged (server-contract.md §2, "Secrets"): tokens and handles appear as the
 * fingerprints of protocol/redact.ts. Handles are kept in clear only in memory, for the probes.
 */
import { createServer, request, STATUS_CODES, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { Clock } from '../../protocol/clock.ts';
import { SESSION_PATH_PATTERN, WS_PATH } from '../../protocol/messages.ts';
import { fingerprint, redactUrl } from '../../protocol/redact.ts';
import type { WireLog, WireMessage, WireParty, WireUrlFacts } from './wire-log.ts';

export interface RecordingProxyOptions {
  /** The server under test's port on 127.0.0.1. */
  readonly targetPort: number;
  readonly log: WireLog;
  /** Protocol time: every event's `t`. */
  readonly clock: Clock;
  /** Who talks through this proxy: one proxy per party. */
  readonly party: WireParty;
}

export interface RecordingProxy {
  readonly port: number;
  /** http://127.0.0.1:PORT */
  readonly httpUrl: string;
  /** ws://127.0.0.1:PORT + WS_PATH */
  readonly wsUrl: string;
  /** Raw handles of every session_resumption_update with resumable:true the server sent to this party, in order (never logged). */
  handlesReceived(): readonly string[];
  /** Resolves once every proxied WebSocket has closed, or after `ms` real ms. */
  settled(ms: number): Promise<void>;
  /** Ends every proxied connection (terminate) and the listener. Idempotent. */
  close(): Promise<void>;
}

/** Headers that belong to one hop (RFC 9110 §7.6.1) or to the WebSocket handshake of one hop. */
const HOP_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host']);

export async function startRecordingProxy(options: RecordingProxyOptions): Promise<RecordingProxy> {
  const handles: string[] = [];
  const relays = new Set<WsRelay>();
  const exchanges = new Set<ClientRequest>();
  const waiters = new Set<() => void>();
  // The server side of each client socket; noServer: the upgrade is ours to complete (or not).
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });

  const settle = (relay: WsRelay): void => {
    relays.delete(relay);
    if (relays.size > 0) return;
    for (const wake of [...waiters]) wake();
  };

  const http: Server = createServer((req, res) => forwardHttp(req, res, options, exchanges));
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    try {
      const relay = new WsRelay({ ...options, req, socket, head, wss, handles, done: settle });
      relays.add(relay);
      relay.start();
    } catch {
      socket.destroy();
    }
  });
  http.on('clientError', (_error, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', () => resolve());
  });
  const address = http.address();
  if (typeof address !== 'object' || address === null) throw new Error('the recording proxy has no TCP address');
  const port = address.port;

  let closing: Promise<void> | undefined;
  return {
    port,
    httpUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}${WS_PATH}`,
    handlesReceived: () => [...handles],
    settled: (ms) => new Promise<void>((resolve) => {
      if (relays.size === 0) return resolve();
      const wake = (): void => {
        clearTimeout(timer);
        waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, ms));
      waiters.add(wake);
    }),
    close: () => {
      closing ??= (async () => {
        for (const relay of [...relays]) relay.terminate();
        for (const exchange of exchanges) exchange.destroy();
        wss.close();
        const closed = new Promise<void>((resolve) => http.close(() => resolve()));
        http.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}

/* ------------------------------------------------------------------------------------------ */
/* HTTP                                                                                         */
/* ------------------------------------------------------------------------------------------ */

/** One HTTP exchange, relayed as it came; recorded once the server's status is known (0: no answer). */
function forwardHttp(req: IncomingMessage, res: ServerResponse, options: RecordingProxyOptions, exchanges: Set<ClientRequest>): void {
  const { log, clock, party, targetPort } = options;
  let recorded = false;
  const record = (status: number): void => {
    if (recorded) return;
    recorded = true;
    log.record({ kind: 'http', t: clock.now(), party, method: req.method ?? 'GET', path: redactHttpPath(req.url ?? '/'), status });
  };
  try {
    const upstream = request(
      { host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: { ...endToEnd(req.headers), host: `127.0.0.1:${targetPort}` }, agent: false },
      (answer) => {
        const status = answer.statusCode ?? 0;
        record(status);
        res.writeHead(status, answer.statusMessage, endToEnd(answer.headers));
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      },
    );
    exchanges.add(upstream);
    upstream.on('close', () => exchanges.delete(upstream));
    upstream.on('error', () => {
      // The server did not answer (refused, reset): the client gets 502, the log says 0.
      record(0);
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end('the server under test did not answer');
      else res.destroy();
    });
    req.on('error', () => upstream.destroy());
    res.on('error', () => upstream.destroy());
    req.pipe(upstream);
  } catch {
    record(0);
    if (!res.headersSent) res.writeHead(502).end();
  }
}

function endToEnd(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_HEADERS.has(name) || name.startsWith('sec-websocket-')) continue;
    out[name] = value;
  }
  return out;
}

/**
 * A request path fit for the log: secret query parameters fingerprinted (redactUrl), and the share
 * token of the session route (ai-voice-protocol.md §1) replaced by its fingerprint.
 */
export function redactHttpPath(rawUrl: string): string {
  const redacted = redactUrl(rawUrl);
  const q = redacted.indexOf('?');
  const path = q < 0 ? redacted : redacted.slice(0, q);
  const query = q < 0 ? '' : redacted.slice(q);
  const match = SESSION_PATH_PATTERN.exec(path);
  if (!match) return redacted;
  return `/api/sales-agent/${fingerprint(decodeSafely(match[1]!))}/session${query}`;
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/* ------------------------------------------------------------------------------------------ */
/* WebSocket                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/** The facts of an upgrade URL (ai-voice-protocol.md §2), secrets as fingerprints; an empty resumeHandle is none. */
export function urlFacts(rawUrl: string): WireUrlFacts {
  let params: URLSearchParams;
  try {
    params = new URL(rawUrl, 'http://127.0.0.1').searchParams;
  } catch {
    params = new URLSearchParams();
  }
  const secret = (name: string): string | null => {
    const value = params.get(name);
    return value === null || value.length === 0 ? null : fingerprint(value);
  };
  return { path: redactUrl(rawUrl), shareToken: secret('shareToken'), sessionToken: secret('sessionToken'), resumeHandle: secret('resumeHandle') };
}

/**
 * A frame as the log holds it: parsed if it is a JSON object (whatever its frame type), with a
 * string `handle` replaced by its fingerprint (ai-voice-protocol.md §5.1: a handle is a bearer
 * credential).
 */
export function wireMessage(bytes: Buffer): { readonly json: boolean; readonly message?: WireMessage; readonly raw?: Record<string, unknown> } {
  // Audio is large and never starts with '{': skip the parse for it.
  const first = bytes.findIndex((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
  if (first < 0 || bytes[first] !== 0x7b) return { json: false };
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { json: false };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { json: false };
  const raw = value as Record<string, unknown>;
  const message: Record<string, unknown> = { ...raw };
  if (typeof message.handle === 'string') message.handle = fingerprint(message.handle);
  return { json: true, message, raw };
}

function asBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** Close codes a peer can be sent (ws refuses the others): 1005 means "no code", 1006 "no close frame". */
function closeWith(ws: WebSocket | undefined, code: number, reason: string): void {
  if (!ws || ws.readyState === WebSocket.CLOSED) return;
  try {
    if (code === 1005) ws.close();
    else if (sendable(code)) ws.close(code, reason);
    else ws.terminate();
  } catch {
    ws.terminate();
  }
}

function sendable(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

interface RelayInput extends RecordingProxyOptions {
  readonly req: IncomingMessage;
  readonly socket: Duplex;
  readonly head: Buffer;
  readonly wss: WebSocketServer;
  /** The proxy's list of handles received, appended to in order. */
  readonly handles: string[];
  /** Called once both sockets are gone. */
  readonly done: (relay: WsRelay) => void;
}

type Frame = { readonly data: Buffer; readonly binary: boolean };

/**
 * One proxied WebSocket: the server side (`upstream`, a ws client to the server under test) is
 * opened first; the client's socket is upgraded only once the server accepted.
 */
class WsRelay {
  private readonly wc: number;
  private readonly facts: WireUrlFacts;
  /** When the upgrade request arrived: a server opens its upstream after it (the judge pairs connections by it). */
  private readonly requestedAt: number;
  private readonly upstream: WebSocket;
  private client: WebSocket | undefined;
  private state: 'connecting' | 'open' | 'refused' = 'connecting';
  private closeRecorded = false;
  private readonly toServer: Frame[] = [];
  private readonly toClient: Frame[] = [];
  private upstreamGone = false;
  private clientGone = false;
  private finished = false;

  constructor(private readonly input: RelayInput) {
    this.requestedAt = input.clock.now();
    this.wc = input.log.connection();
    this.facts = urlFacts(input.req.url ?? '/');
    input.socket.on('error', () => undefined);
    this.upstream = new WebSocket(`ws://127.0.0.1:${input.targetPort}${input.req.url ?? '/'}`, { perMessageDeflate: false, headers: endToEnd(input.req.headers), maxPayload: 64 * 1024 * 1024 });
  }

  start(): void {
    const up = this.upstream;
    up.on('error', () => undefined);
    up.on('unexpected-response', (_request, response) => this.guard(() => this.refuse(response.statusCode ?? 0, response.statusMessage)));
    up.on('open', () => this.guard(() => this.accept()));
    up.on('message', (data: RawData, isBinary: boolean) => this.guard(() => this.fromServer(asBuffer(data), isBinary)));
    up.on('close', (code: number, reason: Buffer) => this.guard(() => this.upstreamClosed(code, reason.toString('utf8'))));
    // The client's socket ending before its upgrade could be completed (or with no WebSocket made of it).
    this.input.socket.on('close', () => this.guard(() => {
      if (this.client || this.state !== 'open') return;
      this.clientGone = true;
      this.recordClose('network', 1006, '');
      this.upstream.terminate();
      this.maybeDone();
    }));
  }

  /** The harness ends the run: both sides go at once. */
  terminate(): void {
    this.guard(() => {
      if (this.state === 'connecting') this.refuse(0);
      this.upstream.terminate();
      this.client?.terminate();
      this.input.socket.destroy();
    });
  }

  /** Socket handlers never throw: whatever goes wrong ends the connection as a network loss. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch {
      this.recordClose('network', 1006, '');
      try {
        this.upstream.terminate();
        this.client?.terminate();
        this.input.socket.destroy();
      } catch {
        // Nothing more can be done for this connection.
      }
      this.upstreamGone = true;
      this.clientGone = true;
      this.maybeDone();
    }
  }

  private event(): { t: number; wc: number; party: WireParty; requestedAt: number } {
    return { t: this.input.clock.now(), wc: this.wc, party: this.input.party, requestedAt: this.requestedAt };
  }

  /** The server answered the upgrade without switching protocols (status 0: no answer at all). */
  private refuse(status: number, statusMessage?: string): void {
    if (this.state !== 'connecting') return;
    this.state = 'refused';
    this.input.log.record({ kind: 'ws-refused', ...this.event(), status, ...this.facts });
    const shown = status > 0 ? status : 502;
    const text = (status > 0 && statusMessage) || STATUS_CODES[shown] || 'Error';
    const { socket } = this.input;
    if (socket.writable) socket.end(`HTTP/1.1 ${shown} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    else socket.destroy();
    // The handshake request to the server is abandoned; its close event is ignored (state refused).
    this.upstream.terminate();
    this.upstreamGone = true;
    this.clientGone = true;
    this.maybeDone();
  }

  private accept(): void {
    if (this.state !== 'connecting') return;
    this.state = 'open';
    this.input.log.record({ kind: 'ws-open', ...this.event(), ...this.facts });
    const { socket, req, head, wss } = this.input;
    if (socket.destroyed || !socket.writable) {
      this.clientGone = true;
      this.recordClose('network', 1006, '');
      this.upstream.terminate();
      this.maybeDone();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => this.guard(() => this.clientOpened(ws)));
  }

  private clientOpened(ws: WebSocket): void {
    this.client = ws;
    ws.on('error', () => undefined);
    ws.on('message', (data: RawData, isBinary: boolean) => this.guard(() => this.fromClient(asBuffer(data), isBinary)));
    ws.on('close', (code: number, reason: Buffer) => this.guard(() => this.clientClosed(code, reason.toString('utf8'))));
    for (const frame of this.toClient.splice(0)) ws.send(frame.data, { binary: frame.binary });
    if (this.closeRecorded) closeWith(ws, 1006, '');
  }

  private recordFrame(dir: 'to-client' | 'to-server', data: Buffer, binary: boolean): Record<string, unknown> | undefined {
    const parsed = wireMessage(data);
    this.input.log.record({ kind: 'frame', t: this.input.clock.now(), wc: this.wc, dir, binary, bytes: data.byteLength, json: parsed.json, ...(parsed.message ? { message: parsed.message } : {}) });
    return parsed.raw;
  }

  private fromServer(data: Buffer, binary: boolean): void {
    const raw = this.recordFrame('to-client', data, binary);
    // server-contract.md §2, Handles: what a resumable update carries is what a client would keep (ai-voice-protocol.md §6.1).
    if (raw && raw.type === 'session_resumption_update' && raw.resumable === true && typeof raw.handle === 'string' && raw.handle.length > 0) this.input.handles.push(raw.handle);
    if (!this.client) this.toClient.push({ data, binary });
    else if (this.client.readyState === WebSocket.OPEN) this.client.send(data, { binary });
  }

  /**
   * The server side opens before the client's socket is upgraded, so a client frame normally
   * finds it open; should it still be connecting, the frame waits its turn rather than being lost.
   */
  private fromClient(data: Buffer, binary: boolean): void {
    this.recordFrame('to-server', data, binary);
    if (this.upstream.readyState === WebSocket.CONNECTING) this.toServer.push({ data, binary });
    else if (this.upstream.readyState === WebSocket.OPEN) {
      for (const frame of this.toServer.splice(0)) this.upstream.send(frame.data, { binary: frame.binary });
      this.upstream.send(data, { binary });
    }
  }

  /** ws reports 1006 exactly when no close frame came: the server dropped the connection. */
  private upstreamClosed(code: number, reason: string): void {
    this.upstreamGone = true;
    if (this.state === 'connecting') {
      // Closed before any answer to the upgrade: unreachable, reset.
      this.refuse(0);
      return;
    }
    if (this.state === 'refused') return;
    if (code === 1006) {
      this.recordClose('network', 1006, '');
      this.client?.terminate();
    } else {
      this.recordClose('server', code, reason);
      closeWith(this.client, code, reason);
    }
    if (!this.client) {
      // No WebSocket was made of the client's socket: nothing can carry a close frame to it.
      this.input.socket.destroy();
      this.clientGone = true;
    }
    this.maybeDone();
  }

  private clientClosed(code: number, reason: string): void {
    this.clientGone = true;
    if (code === 1006) {
      this.recordClose('network', 1006, '');
      this.upstream.terminate();
    } else {
      this.recordClose('client', code, reason);
      closeWith(this.upstream, code, reason);
    }
    this.maybeDone();
  }

  /** Exactly one ws-close per connection: the first side to end is the one recorded. */
  private recordClose(by: 'server' | 'client' | 'network', code: number, reason: string): void {
    if (this.closeRecorded || this.state !== 'open') return;
    this.closeRecorded = true;
    this.input.log.record({ kind: 'ws-close', t: this.input.clock.now(), wc: this.wc, by, code, reason });
  }

  private maybeDone(): void {
    if (this.finished || !this.upstreamGone || !(this.clientGone || this.state === 'refused')) return;
    this.finished = true;
    this.input.done(this);
  }
}
