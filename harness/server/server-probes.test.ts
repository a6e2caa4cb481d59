/**
 * The server probes against the reference AI-voice server started in-process, with a scripted
 * upstream of the test's own (servers/reference/client-connection.test.ts's `rig`, over real
 * sockets): it becomes ready at once, answers the kick-off with a greeting and every prospect
 * turn with "You said: …", and issues a fresh handle after each turn. Everything the probes did
 * is read back from the WireLog their recording proxies wrote. No fixed sleeps.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { LiveServerMessage } from '@google/genai';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { scaledClock } from '../../protocol/clock.ts';
import { buildConnectUrl, sessionPath } from '../../protocol/messages.ts';
import { fingerprint } from '../../protocol/redact.ts';
import { startReferenceServer, type RunningReferenceServer } from '../../servers/reference/app.ts';
import { KICK_OFF } from '../../servers/reference/client-connection.ts';
import { createLog } from '../../servers/reference/log.ts';
import type { UpstreamFactory, UpstreamRequest } from '../../servers/reference/upstream.ts';
import { startRecordingProxy, type RecordingProxy } from './recording-proxy.ts';
import { ISOLATION_TEXTS, isolationProbe, tenantProbe } from './server-probes.ts';
import { WireLog, type WireEventOf, type WireParty } from './wire-log.ts';

const SHARE_A = 'share_tenant_a_0123456789';
const SHARE_B = 'share_tenant_b_9876543210';
const SCALE = 0.02;
const agent = (shareToken: string) => ({ shareToken, model: 'm-live', systemInstruction: 'Be Riley.' });

/** The scripted upstream: every step on the next turn of the event loop, nothing on a timer. */
function scriptedUpstreams(options: { greet: boolean }) {
  const requests: UpstreamRequest[] = [];
  const factory: UpstreamFactory = (request, events) => {
    requests.push(request);
    let closed = false;
    const soon = (fn: () => void): void => void setImmediate(() => { if (!closed) fn(); });
    const say = (m: object): void => events.message(m as LiveServerMessage);
    soon(() => events.ready());
    return {
      sendTurn: (text) => {
        if (text === KICK_OFF && !options.greet) return;
        soon(() => {
          say({ serverContent: { outputTranscription: { text: text === KICK_OFF ? 'Hi, this is Riley from Acme Solar.' : `You said: ${text}` } } });
          say({ serverContent: { turnComplete: true } });
          say({ sessionResumptionUpdate: { newHandle: `h-${randomBytes(16).toString('hex')}`, resumable: true } });
        });
      },
      close: () => { closed = true; },
    };
  };
  return { requests, factory };
}

let server: RunningReferenceServer | undefined;
const proxies: RecordingProxy[] = [];
afterEach(async () => {
  for (const proxy of proxies.splice(0)) await proxy.close();
  await server?.close();
  server = undefined;
});

async function rig(options = { greet: true }) {
  const upstreams = scriptedUpstreams(options);
  const printed: string[] = [];
  server = await startReferenceServer(0, {
    config: { apiKey: 'rh-test-key', agents: new Map([[SHARE_A, agent(SHARE_A)], [SHARE_B, agent(SHARE_B)]]) },
    log: createLog({ out: (l) => printed.push(l), err: (l) => printed.push(l) }),
    upstreams: upstreams.factory,
  });
  const log = new WireLog();
  const clock = scaledClock(SCALE);
  const proxy = async (party: WireParty): Promise<RecordingProxy> => {
    const p = await startRecordingProxy({ targetPort: server!.port, log, clock, party });
    proxies.push(p);
    return p;
  };
  return { server, upstreams, log, clock, proxy };
}

/** A conversation of the client party under SHARE_A, up to its first handle; returns that handle. */
async function handleOf(proxy: RecordingProxy): Promise<string> {
  const created = (await (await fetch(proxy.httpUrl + sessionPath(SHARE_A), { method: 'POST', body: '{"prospectName":"Pat"}' })).json()) as { sessionToken: string };
  const ws = new WebSocket(buildConnectUrl(proxy.wsUrl, { sessionToken: created.sessionToken, shareToken: SHARE_A }));
  const handle = await new Promise<string>((resolve) => ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as { type: string; handle?: string; resumable?: boolean };
    if (m.type === 'session_resumption_update' && m.resumable && m.handle) resolve(m.handle);
  }));
  const closed = new Promise((resolve) => ws.once('close', resolve));
  ws.close(1000);
  await closed;
  expect(proxy.handlesReceived()).toEqual([handle]);
  return handle;
}

const of = <K extends WireEventOf<'frame'>['kind'] | 'ws-open' | 'ws-close'>(log: WireLog, kind: K) => log.events.filter((e): e is WireEventOf<K> => e.kind === kind);
const wcOf = (log: WireLog, party: WireParty): number[] => of(log, 'ws-open').filter((e) => e.party === party).map((e) => e.wc);
const messagesOn = (log: WireLog, wc: number, dir: 'to-client' | 'to-server') => of(log, 'frame').filter((f) => f.wc === wc && f.dir === dir && f.message).map((f) => f.message!);

describe('tenantProbe (server-contract.md §2: a handle of another share token MUST be refused)', () => {
  it('the reference server refuses the handle: a fresh session, never session:resumed, nothing presented upstream', async () => {
    const r = await rig();
    const handle = await handleOf(await r.proxy('client'));
    const probe = await r.proxy('probe:tenant');
    const outcome = await tenantProbe({ proxy: probe, foreignShareToken: SHARE_B, handle, clock: r.clock, timeScale: SCALE });
    expect(outcome).toMatchObject({ probe: 'tenant', exercised: true, presented: fingerprint(handle) });
    expect(outcome.note).toMatch(/fresh session/);
    expect(outcome.to).toBeGreaterThanOrEqual(outcome.from);
    const [wc] = wcOf(r.log, 'probe:tenant');
    expect(of(r.log, 'ws-open').filter((e) => e.wc === wc)).toMatchObject([{ party: 'probe:tenant', resumeHandle: fingerprint(handle), shareToken: fingerprint(SHARE_B) }]);
    expect(messagesOn(r.log, wc!, 'to-client').map((m) => m.type)).not.toContain('session:resumed');
    expect(messagesOn(r.log, wc!, 'to-server').map((m) => m.type)).toEqual(['end_conversation']);
    expect(r.upstreams.requests.map((q) => q.handle)).toEqual([undefined, undefined]);
    await probe.settled(5_000);
    expect(of(r.log, 'ws-close').filter((e) => e.wc === wc)).toHaveLength(1);
    expect(JSON.stringify(r.log.events).includes(handle)).toBe(false);
  });

  it('a server whose registry accepts any handle passes it upstream and confirms it: the wire shows session:resumed', async () => {
    const r = await rig();
    const handle = await handleOf(await r.proxy('client'));
    r.server.registry.check = () => 'accepted';
    const probe = await r.proxy('probe:tenant');
    const outcome = await tenantProbe({ proxy: probe, foreignShareToken: SHARE_B, handle, clock: r.clock, timeScale: SCALE });
    expect(outcome).toMatchObject({ exercised: true, presented: fingerprint(handle) });
    expect(outcome.note).toMatch(/confirmed it with session:resumed/);
    expect(r.upstreams.requests.at(-1)?.handle).toBe(handle);
    const [wc] = wcOf(r.log, 'probe:tenant');
    expect(messagesOn(r.log, wc!, 'to-client').map((m) => m.type)).toContain('session:resumed');
  });

  it('a server that refuses the upgrade outright (HTTP 401) has answered: exercised, the refusal in the log', async () => {
    // A server of the test's own: sessions are created, every upgrade is refused.
    const refusing = createServer((_req, res) => res.writeHead(201, { 'content-type': 'application/json' }).end('{"sessionToken":"sess_refused_0123","conversationId":"c"}'));
    refusing.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'));
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', () => resolve()));
    try {
      const log = new WireLog();
      const clock = scaledClock(SCALE);
      const probe = await startRecordingProxy({ targetPort: (refusing.address() as { port: number }).port, log, clock, party: 'probe:tenant' });
      proxies.push(probe);
      const outcome = await tenantProbe({ proxy: probe, foreignShareToken: SHARE_B, handle: 'h-foreign-0123456789abcdef', clock, timeScale: SCALE });
      expect(outcome).toMatchObject({ exercised: true, presented: fingerprint('h-foreign-0123456789abcdef') });
      expect(outcome.note).toMatch(/refused the upgrade with HTTP 401/);
      expect(log.events.filter((e) => e.kind === 'ws-refused')).toMatchObject([{ party: 'probe:tenant', status: 401, resumeHandle: fingerprint('h-foreign-0123456789abcdef') }]);
    } finally {
      refusing.closeAllConnections();
      await new Promise<void>((resolve) => refusing.close(() => resolve()));
    }
  });

  it('without a handle nothing is presented', async () => {
    const r = await rig();
    const probe = await r.proxy('probe:tenant');
    const outcome = await tenantProbe({ proxy: probe, foreignShareToken: SHARE_B, handle: undefined, clock: r.clock, timeScale: SCALE });
    expect(outcome).toMatchObject({ exercised: false, note: 'no handle was relayed to the client, so none could be presented under another share token' });
    expect(outcome.presented).toBeUndefined();
    expect(r.log.events).toEqual([]);
  });
});

describe('isolationProbe (server-contract.md §3: two conversations never see each other\'s turns or handles)', () => {
  it('two concurrent conversations: both exercised, each hears only its own answer and gets its own handles', async () => {
    const r = await rig();
    const a = await r.proxy('probe:isolation-a');
    const b = await r.proxy('probe:isolation-b');
    const outcome = await isolationProbe({ a, b, shareToken: SHARE_A, clock: r.clock, timeScale: SCALE });
    expect(outcome).toMatchObject({ probe: 'isolation', exercised: true, texts: { a: fingerprint(ISOLATION_TEXTS.a), b: fingerprint(ISOLATION_TEXTS.b) } });
    expect(outcome.note).toMatch(/A then a handle, B then a handle/);
    const [wa] = wcOf(r.log, 'probe:isolation-a');
    const [wb] = wcOf(r.log, 'probe:isolation-b');
    const finals = (wc: number) => messagesOn(r.log, wc, 'to-client').filter((m) => m.type === 'transcript' && m.final === true).map((m) => m.text);
    expect(finals(wa!)).toEqual(['Hi, this is Riley from Acme Solar.', `You said: ${ISOLATION_TEXTS.a}`]);
    expect(finals(wb!)).toEqual(['Hi, this is Riley from Acme Solar.', `You said: ${ISOLATION_TEXTS.b}`]);
    expect(messagesOn(r.log, wa!, 'to-server')).toEqual([{ type: 'prospect_message', text: ISOLATION_TEXTS.a }, { type: 'end_conversation' }]);
    const handlesA = a.handlesReceived();
    const handlesB = b.handlesReceived();
    expect(handlesA.length).toBeGreaterThanOrEqual(2);
    expect(handlesB.length).toBeGreaterThanOrEqual(2);
    expect(handlesA.filter((h) => handlesB.includes(h))).toEqual([]);
    // Both sockets were open at once: B opened before A closed.
    const opened = of(r.log, 'ws-open').find((e) => e.wc === wb)!;
    await Promise.all([a.settled(5_000), b.settled(5_000)]);
    const closedA = of(r.log, 'ws-close').find((e) => e.wc === wa)!;
    expect(opened.t).toBeLessThanOrEqual(closedA.t);
    expect(of(r.log, 'ws-close').map((e) => e.by)).toEqual(['client', 'client']);
  });

  it('a server that never greets: not exercised, and the note says why', async () => {
    const r = await rig({ greet: false });
    const a = await r.proxy('probe:isolation-a');
    const b = await r.proxy('probe:isolation-b');
    const outcome = await isolationProbe({ a, b, shareToken: SHARE_A, clock: r.clock, timeScale: SCALE });
    expect(outcome).toMatchObject({ probe: 'isolation', exercised: false });
    expect(outcome.note).toMatch(/got no greeting/);
    await Promise.all([a.settled(5_000), b.settled(5_000)]);
    expect(of(r.log, 'ws-close')).toHaveLength(2);
  });
});
