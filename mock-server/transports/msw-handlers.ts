/**
 * The in-process transport: msw handlers that route the global `fetch` and `WebSocket`
 * of this process to the server logic, so a run needs no socket and virtual time drives
 * it deterministically. msw speaks the WHATWG API only: a drop is a 1006 close event, a
 * half-open socket is one that stops delivering, and pings do not exist.
 */
import { http, HttpResponse, ws, type RequestHandler, type WebSocketHandler } from 'msw';
import { WS_PATH } from '../../protocol/messages.ts';
import type { ConnectionPort, IncomingData, TransportFace } from '../core/connection-port.ts';

/** Loopback discard port: should interception ever fail, nothing leaves this machine. */
export const VIRTUAL_ORIGIN = 'http://127.0.0.1:9';

export interface VirtualEndpoints {
  readonly httpUrl: string;
  readonly wsUrl: string;
}

export const virtualEndpoints = (origin = VIRTUAL_ORIGIN): VirtualEndpoints => ({
  httpUrl: origin,
  wsUrl: `${origin.replace(/^http/, 'ws')}${WS_PATH}`,
});

export interface MswTransport {
  readonly handlers: Array<RequestHandler | WebSocketHandler>;
  /**
   * Lets go of everything msw keeps for these handlers, once they are thrown away (a stopped
   * interception). msw (2.15) puts 'message' listeners on one process-wide BroadcastChannel: one
   * for each `ws.link()` (its client manager, never removed) and one per connection until the
   * client closes. A matrix stops interception before every run (detection-matrix.ts: a link's
   * client list only grows), so each run left its link's listener, holding every client of
   * that run, and any connection the run left open: one or two listeners a run, and Node's
   * MaxListenersExceededWarning after ten.
   */
  dispose(): void;
}

/**
 * `ws.link()` with its client manager's channel listener removable: msw adds it in the
 * manager's constructor, synchronously, with no way to remove it, so the listener is given an
 * abort signal while the link is made. Everything else msw adds to the channel is untouched.
 */
function disposableLink(pattern: RegExp): { link: ReturnType<typeof ws.link>; release: () => void } {
  const controller = new AbortController();
  const proto = BroadcastChannel.prototype as unknown as { addEventListener: (type: string, listener: unknown, options?: unknown) => void };
  const original = proto.addEventListener;
  proto.addEventListener = function (this: unknown, type: string, listener: unknown, options?: unknown) {
    const withSignal = typeof options === 'object' && options !== null ? { ...options, signal: (options as { signal?: AbortSignal }).signal ?? controller.signal } : { signal: controller.signal };
    return original.call(this, type, listener, withSignal);
  };
  try {
    return { link: ws.link(pattern), release: () => controller.abort() };
  } finally {
    proto.addEventListener = original;
  }
}

/** `current` is read on every request, so one set of handlers serves run after run. */
export function mswHandlers(current: () => TransportFace, endpoints: VirtualEndpoints = virtualEndpoints()): Array<RequestHandler | WebSocketHandler> {
  return mswTransport(current, endpoints).handlers;
}

export function mswTransport(current: () => TransportFace, endpoints: VirtualEndpoints = virtualEndpoints()): MswTransport {
  // Every path of the virtual origin: the face decides what it serves (a 404 is its answer too).
  const wsOrigin = endpoints.httpUrl.replace(/^http/, 'ws');
  const { link, release } = disposableLink(new RegExp(`^${escapeRegExp(wsOrigin)}/.*$`));
  const dispose = (): void => {
    // A connection still open keeps its listener until its client closes: close it (the run it belonged to is over).
    for (const client of link.clients) {
      const socket = (client as unknown as { socket?: { readyState?: number } }).socket;
      if (socket?.readyState === 0 || socket?.readyState === 1) client.close(1001, 'interception stopped');
    }
    release();
  };
  return { dispose, handlers: [
    http.all(new RegExp(`^${escapeRegExp(endpoints.httpUrl)}/.*$`), async ({ request }) => {
      const url = new URL(request.url);
      const result = current().httpRequest(request.method, `${url.pathname}${url.search}`, await request.text());
      if (!result) return HttpResponse.json({ error: 'not_found', message: `no route for ${request.method} ${url.pathname}` }, { status: 404 });
      return HttpResponse.json(result.body as Record<string, unknown>, { status: result.status });
    }),
    link.addEventListener('connection', ({ client }) => {
      const server = current();
      const url = client.url;
      const tracked = trackedByMsw(link, client);
      const decision = server.upgradeRequest({ rawUrl: `${url.pathname}${url.search}`, headers: {} });
      if (!decision.accept) {
        // What a browser reports for a refused handshake: an error, then 1006.
        void tracked.then(() => {
          (client as unknown as { socket?: EventTarget }).socket?.dispatchEvent(new Event('error'));
          client.close(1006, '');
        });
        return;
      }
      let halted = false;
      let closedByServer = false;
      const dataListeners: Array<(data: IncomingData) => void> = [];
      const closeListeners: Array<(code: number, reason: string, by: 'client' | 'server' | 'network') => void> = [];
      client.addEventListener('message', (event) => {
        if (halted) return;
        const data = event.data;
        const incoming: IncomingData = typeof data === 'string' ? { text: data } : { binary: new Uint8Array(data instanceof ArrayBuffer ? data : (data as ArrayBufferView).buffer as ArrayBuffer) };
        // A copy, as an EventEmitter (the ws transport) takes one: a listener added while this
        // frame is dispatched does not see it. The Gemini face's setup gate attaches the
        // connection (and its codec's listener) on the first frame; iterating the live array
        // handed that same setup to the codec as a second setup (gemini-live.md §1.2 → 1007).
        for (const listener of [...dataListeners]) listener(incoming);
      });
      let closedByClient = false;
      client.addEventListener('close', (event) => {
        closedByClient = true;
        if (closedByServer) return;
        for (const listener of [...closeListeners]) listener(event.code, event.reason, event.code === 1006 ? 'network' : 'client');
      });
      const port: ConnectionPort = {
        capabilities: { pings: false, halfOpen: 'emulated' },
        sendText: (text) => { if (!halted) client.send(text); },
        sendBinary: (bytes) => { if (!halted) client.send(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer); },
        // msw delivers each send in a microtask and drops it once the socket is closing: close
        // after the sends already queued, as a TCP FIN would arrive after the data before it.
        close: (code, reason) => { closedByServer = true; void tracked.then(() => client.close(code, reason)); },
        drop: () => { closedByServer = true; void tracked.then(() => client.close(1006, '')); },
        halfOpen: () => { halted = true; },
        setPongs: () => undefined,
        onData: (listener) => { dataListeners.push(listener); },
        onClose: (listener) => { closeListeners.push(listener); },
      };
      // msw opens the socket on its own schedule; a slow accept is emulated by a late attach.
      // A client that gave the upgrade up meanwhile has closed its socket: as over the network
      // (ws-server.ts: a destroyed socket is never upgraded), the server never serves it, so an
      // abandoned handshake cannot resume the conversation behind the client's back.
      if (decision.delayMs > 0) server.clock.setTimeout(() => { if (!closedByClient) decision.attach(port); }, decision.delayMs);
      else decision.attach(port);
    }),
  ] };
}

/**
 * Resolves once msw tracks `client`, so a close made after it reaches msw's own close listener.
 * msw (2.15) adds a 'message' listener per connection to one process-wide BroadcastChannel
 * only after two awaits in WebSocketClientManager.addConnection, and removes it on the
 * client's close event; a connection closed before that — a refused upgrade, a 1011 at once
 * (flapping.endless), an outage — kept its listener for ever: a leak per connection, and
 * Node's MaxListenersExceededWarning in the middle of every full run (issue 14). Closing after
 * this (microtasks only: no virtual time passes) lets msw see every close. Bounded, so a
 * later msw that tracks clients differently costs a few microtasks, never a hang.
 */
async function trackedByMsw(link: { readonly clients: ReadonlySet<unknown> }, client: unknown): Promise<void> {
  for (let i = 0; i < MSW_TRACKING_TICKS && !link.clients.has(client); i++) await Promise.resolve();
  // addConnection registers its listener in the continuation after the client set is updated.
  await Promise.resolve();
  await Promise.resolve();
}

const MSW_TRACKING_TICKS = 64;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
