/**
 * The real transport: `node:http` + `ws`, bound to 127.0.0.1, port 0 by default. Any
 * client in any language can talk to it; byte-level faults (no close frame, black hole,
 * unanswered pings) are real here.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { MockServerError } from '../errors.ts';
import type { ConnectionPort, IncomingData, TransportFace } from '../core/connection-port.ts';

export interface RunningServer {
  readonly httpUrl: string;
  readonly wsUrl: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface WsServerOptions {
  /** Where to listen: 127.0.0.1 unless given (`serve --host`). Anything not loopback is warned about. */
  host?: string;
  port?: number;
  /** Hears the warning about a host that is not loopback; default: standard error. */
  warn?: (message: string) => void;
}

/** 127.0.0.0/8, ::1 and localhost: the only places the harness listens without a warning. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare) || /^::ffff:127\./.test(bare);
}

const MAX_BODY = 64 * 1024;

export async function startWsServer(server: TransportFace, options: WsServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) {
    // The mock hands out tokens and handles and trusts anyone who presents them: off loopback, anyone who can reach the port can.
    (options.warn ?? ((m: string) => process.stderr.write(`${m}\n`)))(`resume-harness: warning: the mock server listens on ${host}, not loopback: anyone who can reach this port can open sessions with its share token and handles`);
  }
  const wss = new WebSocketServer({ noServer: true, autoPong: false, maxPayload: 1024 * 1024 });
  const sockets = new Set<Duplex>();
  const http = createServer((req, res) => handleHttp(server, req, res));
  http.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    const decision = server.upgradeRequest({ rawUrl: req.url ?? '/', headers: headersOf(req) });
    if (!decision.accept) return refuse(socket, decision.status, decision.body);
    const complete = (): void => {
      if (socket.destroyed) return;
      wss.handleUpgrade(req, socket, head, (ws) => decision.attach(wsPort(ws, server)));
    };
    if (decision.delayMs > 0) server.clock.setTimeout(complete, decision.delayMs);
    else complete();
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, host, () => resolve());
  });
  const address = http.address();
  if (address === null || typeof address === 'string') throw new MockServerError('MOCK_NO_TCP_ADDRESS', 'server has no TCP address');
  const base = `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${address.port}`;
  return {
    httpUrl: `http://${base}`,
    wsUrl: `ws://${base}${server.wsPath}`,
    port: address.port,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      for (const socket of sockets) socket.destroy();
      wss.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function handleHttp(server: TransportFace, req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY) {
      send(res, 400, { error: 'bad_request', message: 'body too large' });
      req.destroy();
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (res.writableEnded) return;
    const result = server.httpRequest(req.method ?? 'GET', req.url ?? '/', Buffer.concat(chunks).toString('utf8'));
    if (!result) send(res, 404, { error: 'not_found', message: `no route for ${req.method} ${req.url}` });
    else send(res, result.status, result.body);
  });
}

function headersOf(req: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return headers;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function refuse(socket: Duplex, status: number, body: string): void {
  socket.end(`HTTP/1.1 ${status} ${statusText(status)}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

function statusText(status: number): string {
  return ({ 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' } as Record<number, string>)[status] ?? 'Error';
}

function wsPort(ws: WebSocket, server: TransportFace): ConnectionPort {
  const rawSocket = (ws as unknown as { _socket: Socket })._socket;
  let pongs: 'answer' | 'ignore' | { lateByMs: number } = 'answer';
  let blackHole = false;
  // A frame ws cannot take (over maxPayload: 1009; bad UTF-8: 1007; a protocol violation: 1002)
  // makes ws close the socket itself with the RFC 6455 code, then emit 'error'. Without a
  // listener that error was thrown out of the server process. The close is the server's.
  // For an oversized frame the answer is RFC 6455 §7.4.1's 1009 with no reason on every face:
  // ws has sent it before any face could choose, and no Gemini answer to an oversized frame
  // is on record (docs/gemini-live.md §1.7 lists gRPC-mapped closes of whole messages; a frame
  // over the WebSocket layer's limit never becomes a message), so 1009 is the answer of the
  // WebSocket front end any Gemini-like service sits behind [inference].
  // The server never reads the client's answering close frame, so ws reports 1006: the
  // journal gets the code ws sent instead.
  let sentByWs: { code: number; message: string } | undefined;
  ws.on('error', (error: Error) => {
    const code = wsStatusCode(error);
    if (code !== undefined) sentByWs = { code, message: error.message };
  });
  ws.on('ping', (data: Buffer) => {
    if (blackHole || pongs === 'ignore') return;
    if (pongs === 'answer') ws.pong(data);
    else server.clock.setTimeout(() => { if (ws.readyState === ws.OPEN) ws.pong(data); }, pongs.lateByMs);
  });
  return {
    capabilities: { pings: true, halfOpen: 'real' },
    sendText: (text) => { if (ws.readyState === ws.OPEN) ws.send(text); },
    sendBinary: (bytes) => { if (ws.readyState === ws.OPEN) ws.send(bytes, { binary: true }); },
    close: (code, reason) => {
      // ws refuses codes that may not appear in a close frame; those become a drop.
      try {
        ws.close(code, reason.slice(0, 123));
      } catch {
        rawSocket.end();
      }
    },
    // FIN without a close frame: the client sees 1006, and every frame written before it still arrives.
    drop: () => rawSocket.end(),
    halfOpen: () => {
      blackHole = true;
      rawSocket.pause();
    },
    setPongs: (mode) => { pongs = mode; },
    onData: (listener: (data: IncomingData) => void) => {
      ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
        // ws hands a Buffer (its default binaryType): read it as it is, no copy per frame.
        const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
        listener(isBinary ? { binary: new Uint8Array(buffer) } : { text: buffer.toString('utf8') });
      });
    },
    onClose: (listener) => {
      ws.on('close', (code: number, reason: Buffer) => {
        // The cause names the client's frame: the judge's protocol axis reads it.
        if (sentByWs !== undefined) listener(sentByWs.code, '', 'server', `transport: the WebSocket layer refused a client frame (${sentByWs.code}: ${sentByWs.message})`);
        else listener(code, reason.toString('utf8'), code === 1006 ? 'network' : 'client');
      });
    },
  };
}

/**
 * The close code ws sent for a frame it refused, which ws keeps on the error under a private
 * symbol. Undefined for the errors ws answers with no close frame (a failed send): those
 * close as ws reports them.
 */
function wsStatusCode(error: Error): number | undefined {
  const key = Object.getOwnPropertySymbols(error).find((symbol) => symbol.description === 'status-code');
  const code = key === undefined ? undefined : (error as unknown as Record<symbol, unknown>)[key];
  return typeof code === 'number' ? code : undefined;
}
