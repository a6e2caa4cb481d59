/**
 * The reference AI-voice server as one object: the HTTP session route
 * (ai-voice-protocol.md §1), the WebSocket upgrade and its checks (§2), and one
 * ClientConnection per accepted socket. Listens on 127.0.0.1 (server-contract.md §1).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { WS_PATH } from '../../protocol/messages.ts';
import { ClientConnection, type ClientSocket } from './client-connection.ts';
import { REFERENCE_BEHAVIOUR, type ServerBehaviour } from './behaviour.ts';
import type { ServerConfig } from './config.ts';
import { HandleRegistry } from './handle-registry.ts';
import { send, SessionStore, type Session } from './http-session.ts';
import type { Log } from './log.ts';
import type { UpstreamFactory } from './upstream.ts';

export interface ReferenceServerOptions {
  readonly config: Pick<ServerConfig, 'agents' | 'apiKey'>;
  readonly log: Log;
  readonly upstreams: UpstreamFactory;
  readonly host?: string;
  /** The server's decisions (behaviour.ts); REFERENCE_BEHAVIOUR when absent, a mutant's in the gallery (servers/mutants/). */
  readonly behaviour?: ServerBehaviour;
}

export interface RunningReferenceServer {
  readonly port: number;
  readonly sessions: SessionStore;
  readonly registry: HandleRegistry;
  /** Closes every client (1001) and upstream, then the listener. */
  close(): Promise<void>;
}

type UpgradeCheck = { readonly ok: true; readonly session: Session; readonly resumeHandle: string | undefined } | { readonly ok: false; readonly status: number; readonly why: string };

/** ai-voice-protocol.md §2: a missing or unknown session token, or a share token it does not belong to, is a 401. */
export function checkUpgrade(rawUrl: string, sessions: SessionStore): UpgradeCheck {
  const url = new URL(rawUrl, 'http://127.0.0.1');
  if (url.pathname !== WS_PATH) return { ok: false, status: 404, why: 'no such path' };
  const params = url.searchParams;
  if (params.get('mode') !== 'sales_agent') return { ok: false, status: 400, why: 'mode must be sales_agent' };
  const session = sessions.get(params.get('sessionToken') ?? '');
  if (!session) return { ok: false, status: 401, why: 'unknown session token' };
  if (params.get('shareToken') !== session.shareToken) return { ok: false, status: 401, why: 'the share token is not the session\'s' };
  const handle = params.get('resumeHandle');
  return { ok: true, session, resumeHandle: handle !== null && handle.length > 0 ? handle : undefined };
}

export async function startReferenceServer(port: number, options: ReferenceServerOptions): Promise<RunningReferenceServer> {
  const { log } = options;
  log.secret(options.config.apiKey);
  for (const token of options.config.agents.keys()) log.secret(token);
  const sessions = new SessionStore(options.config.agents, log);
  const registry = new HandleRegistry();
  const connections = new Set<ClientConnection>();
  const behaviour = options.behaviour ?? REFERENCE_BEHAVIOUR;
  // The newest client socket per share token: the reference never reads it (a conversation's
  // handles go to its own socket); a behaviour that routes handle updates by share token does.
  const newestByShareToken = new Map<string, ClientSocket>();
  const sockets = new Set<Socket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  let next = 0;

  const http: Server = createServer((req, res) => {
    if (sessions.route(req, res)) return;
    send(res, 404, { error: 'not_found', message: 'no such route' });
  });
  http.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    const check = checkUpgrade(req.url ?? '/', sessions);
    if (!check.ok) {
      log.info(`ws: upgrade refused ${check.status} (${check.why}): ${log.url(req.url ?? '/')}`);
      socket.end(`HTTP/1.1 ${check.status} ${check.status === 401 ? 'Unauthorized' : check.status === 404 ? 'Not Found' : 'Bad Request'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const label = `c${++next}`;
      log.info(`${label}: open ${check.session.conversationId}${check.resumeHandle !== undefined ? ' with a resumeHandle' : ''}`);
      const socket = clientSocket(ws);
      const shareToken = check.session.shareToken;
      newestByShareToken.set(shareToken, socket);
      const connection = new ClientConnection({ socket, session: check.session, resumeHandle: check.resumeHandle, registry, upstreams: options.upstreams, log, label, behaviour, newestOfShareToken: (token) => newestByShareToken.get(token) });
      connections.add(connection);
      ws.on('error', () => undefined);
      ws.on('message', (data: RawData, isBinary: boolean) => {
        // The client sends JSON in text frames only (§2); binary from a client carries nothing here.
        if (isBinary) return;
        connection.receive(Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8'));
      });
      ws.on('close', (code: number) => {
        connections.delete(connection);
        if (newestByShareToken.get(shareToken) === socket) newestByShareToken.delete(shareToken);
        connection.clientClosed(code);
      });
      connection.start();
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = http.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  return {
    port: bound,
    sessions,
    registry,
    close: async () => {
      for (const connection of [...connections]) connection.shutdown();
      wss.close();
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      // Clients get a moment's worth of their close frames; the listener does not wait on them.
      for (const socket of sockets) socket.end();
      setImmediate(() => { for (const socket of sockets) socket.destroy(); });
      await closed;
    },
  };
}

function clientSocket(ws: WebSocket): ClientSocket {
  return {
    sendText: (text) => { if (ws.readyState === ws.OPEN) ws.send(text, { binary: false }); },
    sendBinary: (bytes) => { if (ws.readyState === ws.OPEN) ws.send(bytes, { binary: true }); },
    close: (code, reason) => { if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason); },
  };
}
