/**
 * The bare side of bench:load: what any AI-voice server must do for the very conversations a
 * load run held, with nothing of the harness. A `node:http` + `ws` server on 127.0.0.1 answers
 * each conversation's session call and, on each of its connections, sends the frames the mock
 * sent on it; clients (fetch and `ws`, as the reference client uses) make the same calls, open
 * the same connections and send the same frames. Every frame is built as an object and
 * serialised when sent, and parsed when received (the least a protocol endpoint does with a
 * frame), and each goes at the moment it went in the load run (the mock's clock, scaled), so
 * the bare side wakes up as often as the harness must for realtime traffic.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { ReplayEvent } from '../harness/run/load-run.ts';

export interface BareReplay {
  /** CPU (user + system, µs) of the process while the replay ran. */
  readonly cpuUs: number;
  readonly messages: number;
  readonly connections: number;
  readonly sessionCalls: number;
}

type Frame = { readonly at: number; readonly body: unknown };
interface ConnectionScript {
  readonly openAt: number;
  readonly in: Frame[];
  readonly out: Frame[];
}

/** `timeScale`: real ms per protocol ms, as in the load run. */
export async function bareRelayReplay(conversations: readonly ReplayEvent[][], timeScale: number): Promise<BareReplay> {
  // Parsed up front, outside the measurement: the mock builds its frames as objects too.
  const t0 = Math.min(...conversations.flatMap((c) => c.map((e) => e.t)));
  const scripts = new Map<number, ConnectionScript>();
  const sessions: number[] = [];
  let messages = 0;
  for (const events of conversations) {
    for (const e of events) {
      const at = (e.t - t0) * timeScale;
      if (e.kind === 'session') sessions.push(at);
      else if (e.kind === 'open') scripts.set(e.conn, { openAt: at, in: [], out: [] });
      else {
        scripts.get(e.conn)?.[e.kind].push({ at, body: JSON.parse(e.text) });
        messages += 1;
      }
    }
  }
  const sessionBody = { conversationId: 'conv_000000000000', sessionToken: 'x'.repeat(43), expiresAt: '2026-01-01T00:00:00.000Z' };
  const http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const text = JSON.stringify(sessionBody);
      res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  const wss = new WebSocketServer({ noServer: true });
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const script = scripts.get(Number(new URL(req.url ?? '/', 'http://x').searchParams.get('conn')));
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (data: Buffer) => JSON.parse(data.toString('utf8')));
      ws.on('error', () => undefined);
      for (const frame of script?.out ?? []) setTimeout(() => { if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame.body)); }, frame.at - elapsed());
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));
  const { port } = http.address() as { port: number };
  const started = performance.now();
  const elapsed = (): number => performance.now() - started;
  const before = process.cpuUsage();
  const sessionCalls = sessions.map((at) => new Promise<void>((resolve) => setTimeout(() => {
    void fetch(`http://127.0.0.1:${port}/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prospectName: 'Aaliyah Bosco' }) })
      .then((response) => response.text())
      .then((text) => { JSON.parse(text); resolve(); }, () => resolve());
  }, at)));
  const connections = [...scripts].map(([conn, script]) => new Promise<void>((resolve) => setTimeout(() => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?conn=${conn}`);
    let received = 0;
    let sent = 0;
    const finish = (): void => { if (received >= script.out.length && sent >= script.in.length) ws.close(); };
    // Nothing hangs the bench: a connection the replay cannot finish closes at its last frame's time plus a minute.
    const last = Math.max(script.openAt, ...script.in.map((f) => f.at), ...script.out.map((f) => f.at));
    const limit = setTimeout(() => ws.terminate(), last - elapsed() + 60_000);
    ws.on('error', () => undefined);
    ws.on('close', () => { clearTimeout(limit); resolve(); });
    ws.on('message', (data: Buffer) => {
      JSON.parse(data.toString('utf8'));
      received += 1;
      finish();
    });
    ws.on('open', () => {
      for (const frame of script.in) {
        setTimeout(() => {
          if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame.body));
          sent += 1;
          finish();
        }, frame.at - elapsed());
      }
      finish();
    });
  }, script.openAt)));
  await Promise.all([...sessionCalls, ...connections]);
  const used = process.cpuUsage(before);
  for (const client of wss.clients) client.terminate();
  wss.close();
  await new Promise<void>((resolve) => http.close(() => resolve()));
  return { cpuUs: used.user + used.system, messages, connections: scripts.size, sessionCalls: sessions.length };
}
