/**
 * The recording proxy against a tiny target of the test's own (HTTP route + WebSocket): what the
 * client sees is what the target sent (frame types, close codes, refusals, drops), and the log
 * holds the facts with every secret fingerprinted. No sleeps: every wait is on an event.
 */
import { createServer, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { scaledClock } from '../../protocol/clock.ts';
import { fingerprint } from '../../protocol/redact.ts';
import { startRecordingProxy, type RecordingProxy } from './recording-proxy.ts';
import { WireLog, type WireEventOf } from './wire-log.ts';

const HANDLE = 'handle-secret-0123456789abcdef';
const SHARE = 'share_secret_abcdef012345';
const SESSION = 'sess_secret_9876543210';

interface Target {
  readonly port: number;
  /** Frames the target received, with their type. */
  readonly received: Array<{ text: string; binary: boolean }>;
  readonly closes: number[];
  /** Upgrades with hold=1 wait here until released. */
  readonly held: Array<() => void>;
  close(): Promise<void>;
}

/**
 * The target: 401 for sessionToken=bad; on open, a resumable handle (text) and audio (binary);
 * echoes every frame with its type; "close-4003" closes 4003; "drop" destroys the TCP socket.
 */
async function startTarget(): Promise<Target> {
  const received: Target['received'] = [];
  const closes: number[] = [];
  const held: Array<() => void> = [];
  const wss = new WebSocketServer({ noServer: true });
  const http: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.method === 'POST' && /^\/api\/sales-agent\/[^/]+\/session$/.test((req.url ?? '').split('?')[0]!)) {
        res.writeHead(201, { 'content-type': 'application/json', 'x-target': 'yes' }).end(JSON.stringify({ sessionToken: SESSION, conversationId: 'conv_1', echo: body }));
      } else res.writeHead(404).end();
    });
  });
  http.on('upgrade', (req, socket: Duplex, head) => {
    if ((req.url ?? '').includes('sessionToken=bad')) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const accept = (): void => wss.handleUpgrade(req, socket, head, (ws) => {
      ws.send(JSON.stringify({ type: 'session_resumption_update', handle: HANDLE, resumable: true }));
      ws.send(Buffer.from([1, 2, 3, 4]), { binary: true });
      ws.on('close', (code) => closes.push(code));
      ws.on('message', (data: RawData, isBinary: boolean) => {
        const buffer = data as Buffer;
        received.push({ text: buffer.toString(), binary: isBinary });
        if (!isBinary && buffer.toString() === 'close-4003') ws.close(4003, 'invalid resume handle');
        else if (!isBinary && buffer.toString() === 'drop') socket.destroy();
        else if (!isBinary && buffer.toString() === 'say-not-json') ws.send('not json [1]');
        else ws.send(buffer, { binary: isBinary });
      });
    });
    if ((req.url ?? '').includes('hold=1')) held.push(accept);
    else accept();
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));
  const port = (http.address() as { port: number }).port;
  return {
    port,
    received,
    closes,
    held,
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

interface Client {
  readonly ws: WebSocket;
  readonly frames: Array<{ data: Buffer; binary: boolean }>;
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Resolves with the nth frame (0-based) once it has arrived. */
  frame(n: number): Promise<{ data: Buffer; binary: boolean }>;
}

function connect(url: string): Client {
  const ws = new WebSocket(url);
  const frames: Client['frames'] = [];
  const waiting: Array<() => void> = [];
  ws.on('error', () => undefined);
  ws.on('message', (data: RawData, binary: boolean) => {
    frames.push({ data: data as Buffer, binary });
    for (const wake of waiting.splice(0)) wake();
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`status ${res.statusCode}`)));
  });
  opened.catch(() => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const frame = async (n: number): Promise<{ data: Buffer; binary: boolean }> => {
    while (frames.length <= n) await new Promise<void>((resolve) => waiting.push(resolve));
    return frames[n]!;
  };
  return { ws, frames, opened, closed, frame };
}

const query = `?mode=sales_agent&sessionToken=${SESSION}&shareToken=${SHARE}&resumeHandle=${HANDLE}`;

let target: Target | undefined;
let proxy: RecordingProxy | undefined;
let log: WireLog;
afterEach(async () => {
  await proxy?.close();
  await target?.close();
  proxy = undefined;
  target = undefined;
});

async function rig(targetPort?: number): Promise<{ target: Target; proxy: RecordingProxy; log: WireLog }> {
  target = await startTarget();
  log = new WireLog();
  proxy = await startRecordingProxy({ targetPort: targetPort ?? target.port, log, clock: scaledClock(1), party: 'client' });
  return { target, proxy, log };
}

const of = <K extends 'http' | 'ws-open' | 'ws-refused' | 'frame' | 'ws-close'>(l: WireLog, kind: K): Array<WireEventOf<K>> => l.events.filter((e): e is WireEventOf<K> => e.kind === kind);

describe('the recording proxy: WebSocket frames', () => {
  it('keeps text as text and binary as binary both ways, fingerprints the handle, keeps the raw handle for the probes only', async () => {
    const r = await rig();
    const c = connect(r.proxy.wsUrl + query);
    await c.opened;
    expect((await c.frame(0)).binary).toBe(false);
    expect(JSON.parse((await c.frame(0)).data.toString())).toEqual({ type: 'session_resumption_update', handle: HANDLE, resumable: true });
    expect(await c.frame(1)).toMatchObject({ binary: true });
    expect([...(await c.frame(1)).data]).toEqual([1, 2, 3, 4]);
    c.ws.send('{"type":"prospect_message","text":"hi"}');
    c.ws.send(Buffer.from('{"type":"in-binary"}'), { binary: true });
    expect(await c.frame(2)).toMatchObject({ binary: false });
    expect(await c.frame(3)).toMatchObject({ binary: true });
    expect((await c.frame(3)).data.toString()).toBe('{"type":"in-binary"}');
    expect(r.target.received).toEqual([{ text: '{"type":"prospect_message","text":"hi"}', binary: false }, { text: '{"type":"in-binary"}', binary: true }]);
    expect(r.proxy.handlesReceived()).toEqual([HANDLE]);

    const frames = of(r.log, 'frame');
    expect(frames.map((f) => [f.dir, f.binary, f.json, f.bytes])).toEqual([
      ['to-client', false, true, Buffer.byteLength(JSON.stringify({ type: 'session_resumption_update', handle: HANDLE, resumable: true }))],
      ['to-client', true, false, 4],
      ['to-server', false, true, 39],
      ['to-server', true, true, 20],
      ['to-client', false, true, 39],
      ['to-client', true, true, 20],
    ]);
    expect(frames[0]!.message).toEqual({ type: 'session_resumption_update', handle: fingerprint(HANDLE), resumable: true });
    expect(frames[2]!.message).toEqual({ type: 'prospect_message', text: 'hi' });
    expect(of(r.log, 'ws-open')).toMatchObject([{ wc: 1, party: 'client', shareToken: fingerprint(SHARE), sessionToken: fingerprint(SESSION), resumeHandle: fingerprint(HANDLE) }]);
    c.ws.close(1000);
    await r.proxy.settled(5_000);
    const text = JSON.stringify(r.log.events);
    for (const secret of [HANDLE, SHARE, SESSION]) expect(text.includes(secret), `${fingerprint(secret)} in clear`).toBe(false);
  });

  it('a text frame that is not a JSON object is relayed as it is and logged as json: false', async () => {
    const r = await rig();
    const c = connect(r.proxy.wsUrl + query);
    await c.opened;
    c.ws.send('say-not-json');
    expect((await c.frame(2)).data.toString()).toBe('not json [1]');
    expect(of(r.log, 'frame').filter((f) => f.dir === 'to-client').at(-1)).toMatchObject({ binary: false, json: false, bytes: 12 });
    expect(of(r.log, 'frame').at(-1)).not.toHaveProperty('message');
    c.ws.close(1000);
    await c.closed;
  });

  it('an empty resumeHandle counts as none', async () => {
    const r = await rig();
    const c = connect(`${r.proxy.wsUrl}?mode=sales_agent&sessionToken=${SESSION}&shareToken=${SHARE}&resumeHandle=`);
    await c.opened;
    expect(of(r.log, 'ws-open')).toMatchObject([{ resumeHandle: null }]);
    c.ws.close(1000);
    await c.closed;
  });
});

describe('the recording proxy: refusals and closes', () => {
  it('a refused upgrade reaches the client with its status, and is recorded as ws-refused', async () => {
    const r = await rig();
    const c = connect(`${r.proxy.wsUrl}?mode=sales_agent&sessionToken=bad&shareToken=${SHARE}`);
    await expect(c.opened).rejects.toThrow('status 401');
    expect(of(r.log, 'ws-refused')).toMatchObject([{ status: 401, party: 'client', shareToken: fingerprint(SHARE), resumeHandle: null }]);
    expect(of(r.log, 'ws-open')).toEqual([]);
    expect(of(r.log, 'ws-close')).toEqual([]);
  });

  it('an unreachable server is status 0 in the log, a 502 for the client', async () => {
    const dead = await startTarget();
    await dead.close();
    const r = await rig(dead.port);
    const c = connect(r.proxy.wsUrl + query);
    await expect(c.opened).rejects.toThrow('status 502');
    expect(of(r.log, 'ws-refused')).toMatchObject([{ status: 0 }]);
  });

  it('the server closing 4003 reaches the client with its code and reason, recorded once as by server', async () => {
    const r = await rig();
    const c = connect(r.proxy.wsUrl + query);
    await c.opened;
    c.ws.send('close-4003');
    expect(await c.closed).toEqual({ code: 4003, reason: 'invalid resume handle' });
    await r.proxy.settled(5_000);
    expect(of(r.log, 'ws-close')).toMatchObject([{ wc: 1, by: 'server', code: 4003, reason: 'invalid resume handle' }]);
  });

  it('the client closing 1000 reaches the server, recorded once as by client', async () => {
    const r = await rig();
    const c = connect(r.proxy.wsUrl + query);
    await c.opened;
    await c.frame(1);
    c.ws.close(1000, 'bye');
    expect(await c.closed).toMatchObject({ code: 1000 });
    await r.proxy.settled(5_000);
    expect(r.target.closes).toEqual([1000]);
    expect(of(r.log, 'ws-close')).toMatchObject([{ by: 'client', code: 1000, reason: 'bye' }]);
  });

  it('a server that drops TCP looks dropped to the client: 1006, by network', async () => {
    const r = await rig();
    const c = connect(r.proxy.wsUrl + query);
    await c.opened;
    c.ws.send('drop');
    expect(await c.closed).toMatchObject({ code: 1006 });
    await r.proxy.settled(5_000);
    expect(of(r.log, 'ws-close')).toMatchObject([{ by: 'network', code: 1006 }]);
  });

  it('a client gone before the server accepted its upgrade: the server side is ended too, one ws-close by network', async () => {
    const r = await rig();
    const c = connect(`${r.proxy.wsUrl + query}&hold=1`);
    await expect.poll(() => r.target.held.length, { timeout: 5_000 }).toBe(1);
    c.ws.terminate();
    await c.closed;
    r.target.held[0]!();
    await r.proxy.settled(5_000);
    expect(of(r.log, 'ws-open')).toHaveLength(1);
    expect(of(r.log, 'ws-close')).toMatchObject([{ by: 'network', code: 1006 }]);
    await expect.poll(() => r.target.closes, { timeout: 5_000 }).toEqual([1006]);
  });

  it('settled() resolves at once with nothing open, and close() ends open connections and is idempotent', async () => {
    const r = await rig();
    await r.proxy.settled(60_000);
    const c = connect(r.proxy.wsUrl + query);
    await c.opened;
    await Promise.all([r.proxy.close(), r.proxy.close()]);
    expect(await c.closed).toMatchObject({ code: 1006 });
    expect(of(r.log, 'ws-close')).toHaveLength(1);
  });
});

describe('the recording proxy: HTTP', () => {
  it('forwards the session route both ways and records it with the share token fingerprinted', async () => {
    const r = await rig();
    const response = await fetch(`${r.proxy.httpUrl}/api/sales-agent/${SHARE}/session?token=${SESSION}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"prospectName":"Pat"}' });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-target')).toBe('yes');
    expect(await response.json()).toEqual({ sessionToken: SESSION, conversationId: 'conv_1', echo: '{"prospectName":"Pat"}' });
    const missing = await fetch(`${r.proxy.httpUrl}/nowhere`);
    expect(missing.status).toBe(404);
    expect(of(r.log, 'http')).toMatchObject([
      { party: 'client', method: 'POST', path: `/api/sales-agent/${fingerprint(SHARE)}/session?token=${fingerprint(SESSION)}`, status: 201 },
      { method: 'GET', path: '/nowhere', status: 404 },
    ]);
  });
});
