/**
 * The server mutant gallery: every mutant breaks the one behaviour its axis judges, shown
 * against the reference with the same input. A ClientConnection with a scripted upstream where
 * one connection is enough; the in-process server (real sockets, a scripted upstream) where
 * frames, share tokens or two conversations matter (s4, s9, s10).
 */
import type { LiveServerMessage } from '@google/genai';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { scaledClock } from '../../protocol/clock.ts';
import type { ServerMessage } from '../../protocol/messages.ts';
import { GeminiLiveServer, startWsServer } from '../../mock-server/index.ts';
import { startReferenceServer } from '../reference/app.ts';
import { REFERENCE_BEHAVIOUR, type ServerBehaviour } from '../reference/behaviour.ts';
import { ClientConnection, KICK_OFF } from '../reference/client-connection.ts';
import { HandleRegistry } from '../reference/handle-registry.ts';
import type { Session } from '../reference/http-session.ts';
import { createLog } from '../reference/log.ts';
import { readMutantFlag } from '../reference/mutant-flag.ts';
import { geminiUpstreamFactory, type UpstreamClosed, type UpstreamEvents, type UpstreamFactory, type UpstreamRequest } from '../reference/upstream.ts';
import { findServerMutant, SERVER_AXES, SERVER_MUTANTS, serverMutantIds, type ServerMutant } from './index.ts';

const mutant = (id: string): ServerMutant => {
  const found = findServerMutant(id);
  if (!found) throw new Error(`no mutant ${id}`);
  return found;
};

const REFERENCE = REFERENCE_BEHAVIOUR;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// ---------------------------------------------------------------------------------------------
// A ClientConnection with a scripted upstream (the style of client-connection.test.ts).

const SESSION: Session = { sessionToken: 'sess_x', conversationId: 'conv_1', shareToken: 'share_a', agent: { shareToken: 'share_a', model: 'm-live', systemInstruction: 'Be Riley.' } };

interface FakeUpstream {
  readonly request: UpstreamRequest;
  readonly events: UpstreamEvents;
  readonly turns: string[];
  closedByServer: boolean;
}

type Sent = ServerMessage | { binary: number };

function rig(behaviour: ServerBehaviour, resumeHandle?: string, registry = new HandleRegistry()) {
  const upstreams: FakeUpstream[] = [];
  const factory: UpstreamFactory = (request, events) => {
    const fake: FakeUpstream = { request, events, turns: [], closedByServer: false };
    upstreams.push(fake);
    return { sendTurn: (text) => fake.turns.push(text), close: () => { fake.closedByServer = true; } };
  };
  const sent: Sent[] = [];
  const closes: Array<{ code: number; reason: string }> = [];
  const lines: string[] = [];
  const log = createLog({ out: (l) => lines.push(l), err: (l) => lines.push(l) });
  const connection = new ClientConnection({
    socket: { sendText: (t) => sent.push(JSON.parse(t) as ServerMessage), sendBinary: (b) => sent.push({ binary: b.byteLength }), close: (code, reason) => closes.push({ code, reason }) },
    session: SESSION,
    resumeHandle,
    registry,
    upstreams: factory,
    log,
    label: 'c1',
    behaviour,
  });
  connection.start();
  const types = (): string[] => sent.map((m) => ('type' in m ? m.type : 'binary'));
  const up = (i = 0): FakeUpstream => {
    const fake = upstreams[i];
    if (!fake) throw new Error(`no upstream ${i}`);
    return fake;
  };
  return { connection, upstreams, up, sent, closes, lines, log, registry, types };
}

const msg = (m: Omit<LiveServerMessage, 'text' | 'data'>): LiveServerMessage => m as LiveServerMessage;
const closed = (over: Partial<UpstreamClosed>): UpstreamClosed => ({ code: 1011, reason: '', beforeReady: false, timedOut: false, ...over });
const handle = (newHandle: string, resumable = true): LiveServerMessage => msg({ sessionResumptionUpdate: { newHandle, resumable } });
const goAway = (timeLeft: string): LiveServerMessage => msg({ goAway: { timeLeft } });
const known = (h = 'h-known'): HandleRegistry => {
  const registry = new HandleRegistry();
  registry.record(h, SESSION);
  return registry;
};

/** The handle updates and notices a client heard, in order. */
const heard = (sent: Sent[]): unknown[] => sent.flatMap((m) => {
  if (!('type' in m)) return [];
  if (m.type === 'session_resumption_update') return [`handle ${m.handle || '(empty)'} ${m.resumable ? 'resumable' : 'not resumable'}`];
  if (m.type === 'session_expiring') return [`expiring ${m.timeLeft}s hasHandle=${m.hasHandle}`];
  return [m.type];
});

// ---------------------------------------------------------------------------------------------
// The in-process server, real sockets, a scripted upstream.

const AGENTS = new Map([
  ['share_a', { shareToken: 'share_a', model: 'm-live', systemInstruction: 'Be Riley.' }],
  ['share_b', { shareToken: 'share_b', model: 'm-live', systemInstruction: 'Be Sam.' }],
]);

interface Frame {
  readonly binary: boolean;
  readonly message: ServerMessage;
}

class Client {
  readonly frames: Frame[] = [];
  private waiters: Array<() => void> = [];
  constructor(readonly ws: WebSocket, readonly conversationId: string) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      this.frames.push({ binary: isBinary, message: JSON.parse(data.toString('utf8')) as ServerMessage });
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Resolves with the first frame matching, already here or still to come. */
  async until(match: (m: ServerMessage) => boolean): Promise<Frame> {
    for (;;) {
      const found = this.frames.find((f) => match(f.message));
      if (found) return found;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  types(): string[] {
    return this.frames.map((f) => f.message.type);
  }
}

async function inProcess(behaviour: ServerBehaviour) {
  const upstreams: FakeUpstream[] = [];
  const factory: UpstreamFactory = (request, events) => {
    const fake: FakeUpstream = { request, events, turns: [], closedByServer: false };
    upstreams.push(fake);
    return { sendTurn: (text) => fake.turns.push(text), close: () => { fake.closedByServer = true; } };
  };
  const server = await startReferenceServer(0, { config: { agents: AGENTS, apiKey: 'rh-test-key' }, log: createLog({ out: () => {}, err: () => {} }), upstreams: factory, behaviour });
  cleanups.push(() => server.close());
  const base = `127.0.0.1:${server.port}`;
  /** A new conversation under `shareToken`, connected (with `resumeHandle`, if given). */
  const connect = async (shareToken: string, resumeHandle?: string): Promise<{ client: Client; upstream: FakeUpstream }> => {
    const response = await fetch(`http://${base}/api/sales-agent/${shareToken}/session`, { method: 'POST', body: JSON.stringify({ prospectName: 'Dana' }) });
    const { sessionToken, conversationId } = (await response.json()) as { sessionToken: string; conversationId: string };
    const query = new URLSearchParams({ mode: 'sales_agent', sessionToken, shareToken, ...(resumeHandle !== undefined ? { resumeHandle } : {}) });
    const ws = new WebSocket(`ws://${base}/ws/ai-voice?${query}`);
    cleanups.push(() => { ws.terminate(); });
    const client = new Client(ws, conversationId);
    const before = upstreams.length;
    await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
    // The server opens the upstream as it completes the upgrade, before the client hears of it.
    const upstream = upstreams[before];
    if (!upstream) throw new Error('no upstream opened');
    return { client, upstream };
  };
  return { connect, upstreams };
}

const turnComplete = (text: string): LiveServerMessage[] => [msg({ serverContent: { outputTranscription: { text } } }), msg({ serverContent: { turnComplete: true } })];
const isFinal = (m: ServerMessage): boolean => m.type === 'transcript' && m.final;

// ---------------------------------------------------------------------------------------------

describe('the gallery', () => {
  it('has the fifteen ids, unique and in order, each named sN- with N its place', () => {
    const ids = SERVER_MUTANTS.map((m) => m.id);
    expect(ids).toEqual([
      's1-seed-literal',
      's2-relays-unresumable',
      's3-expiring-before-handle',
      's4-no-share-token-check',
      's5-resumed-before-accept',
      's6-client-left-open',
      's7-logs-full-handles',
      's8-resends-system-instruction',
      's9-binary-frames',
      's10-mixed-handles',
      's11-fixed-time-left',
      's12-orphan-upstream',
      's13-first-handle-only',
      's14-kicks-off-on-resume',
      's15-app-close-code',
    ]);
    expect(new Set(ids).size).toBe(ids.length);
    ids.forEach((id, i) => expect(id).toMatch(new RegExp(`^s${i + 1}-[a-z0-9]+(-[a-z0-9]+)*$`)));
    expect(serverMutantIds()).toEqual(ids);
  });

  it('finds a mutant by its full id or its sN prefix, and nothing by a part of an id', () => {
    expect(findServerMutant('s4')?.id).toBe('s4-no-share-token-check');
    expect(findServerMutant('s4-no-share-token-check')?.id).toBe('s4-no-share-token-check');
    expect(findServerMutant('s1')?.id).toBe('s1-seed-literal');
    expect(findServerMutant('s10')?.id).toBe('s10-mixed-handles');
    expect(findServerMutant('s16')).toBeUndefined();
    expect(findServerMutant('s4-no')).toBeUndefined();
    expect(findServerMutant('seed-literal')).toBeUndefined();
    expect(findServerMutant('')).toBeUndefined();
  });

  it('every mutant names an axis the harness judges, a bug and the clause it breaks, and differs from the reference', () => {
    for (const m of SERVER_MUTANTS) {
      expect(SERVER_AXES).toContain(m.axis);
      expect(m.title.length).toBeGreaterThan(0);
      expect(m.bug.length).toBeGreaterThan(10);
      expect(m.standsFor).toMatch(/(server-contract|ai-voice-protocol)\.md §\d/);
      const replaced = (Object.keys(REFERENCE) as Array<keyof ServerBehaviour>).filter((k) => m.behaviour[k] !== REFERENCE[k]);
      expect(replaced.length, m.id).toBeGreaterThan(0);
    }
    // The axes named in the issue, each caught by at least one mutant but lifecycle (a server
    // that never starts is a process, not a behaviour).
    expect(new Set(SERVER_MUTANTS.map((m) => m.axis))).toEqual(new Set(SERVER_AXES.filter((a) => a !== 'lifecycle')));
    expect(SERVER_MUTANTS.filter((m) => m.detectedAs === 'NON-STRICT').map((m) => m.id)).toEqual(['s8-resends-system-instruction']);
  });

  it('the README\'s Mutants table is the gallery: every id, in order, with its axis', () => {
    const readme = readFileSync(new URL('../reference/README.md', import.meta.url), 'utf8');
    const rows = readme.slice(readme.indexOf('## Mutants')).split('\n').filter((l) => l.startsWith('| `s'));
    expect(rows.map((row) => row.split(' | ').slice(0, 2).join(' | '))).toEqual(SERVER_MUTANTS.map((m) => `| \`${m.id}\` | ${m.axis}${m.detectedAs === 'NON-STRICT' ? ' (NON-STRICT)' : ''}`));
  });
});

describe('selection: --mutant on the server', () => {
  it('no flag is the reference; a full id or sN prefix is the mutant; anything else an error naming the known ids', () => {
    expect(readMutantFlag([])).toEqual({ ok: true, mutant: undefined });
    expect(readMutantFlag(['--mutant', 's9'])).toMatchObject({ ok: true, mutant: { id: 's9-binary-frames' } });
    expect(readMutantFlag(['--mutant=s15-app-close-code'])).toMatchObject({ ok: true, mutant: { id: 's15-app-close-code' } });
    const unknown = readMutantFlag(['--mutant', 's99']);
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) for (const id of serverMutantIds()) expect(unknown.error).toContain(id);
    expect(readMutantFlag(['--other'])).toMatchObject({ ok: false });
  });

  it('the process: an unknown id is one line on stderr and exit 2, before any config is read', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'servers/reference/server.ts', '--mutant', 'nope'], { cwd: new URL('../..', import.meta.url), encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 30_000 });
    expect(run.status).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/unknown mutant "nope"; known: s1-seed-literal, .*s15-app-close-code$/);
    expect(run.stdout).toBe('');
  });
});

describe('handle-relay: what Gemini issues reaches the client as the contract says', () => {
  it('s2: resumable:false goes out as resumable:false with an empty handle; the mutant sends the newest handle as resumable', () => {
    const script = (behaviour: ServerBehaviour): unknown[] => {
      const r = rig(behaviour);
      r.up().events.ready();
      r.up().events.message(handle('h-1'));
      r.up().events.message(handle('h-2', false));
      return heard(r.sent);
    };
    expect(script(REFERENCE)).toEqual(['handle h-1 resumable', 'handle (empty) not resumable']);
    expect(script(mutant('s2').behaviour)).toEqual(['handle h-1 resumable', 'handle h-1 resumable']);
  });

  it('s2: with no handle yet, the update\'s own handle goes out as resumable', () => {
    const r = rig(mutant('s2').behaviour);
    r.up().events.ready();
    r.up().events.message(handle('h-x', false));
    expect(heard(r.sent)).toEqual(['handle h-x resumable']);
  });

  it('s3: goAway is the newest handle then session_expiring; the mutant sends them the other way round', () => {
    const script = (behaviour: ServerBehaviour): unknown[] => {
      const r = rig(behaviour);
      r.up().events.ready();
      r.up().events.message(handle('h-1'));
      r.up().events.message(goAway('20s'));
      return heard(r.sent);
    };
    expect(script(REFERENCE)).toEqual(['handle h-1 resumable', 'handle h-1 resumable', 'expiring 20s hasHandle=true']);
    expect(script(mutant('s3').behaviour)).toEqual(['handle h-1 resumable', 'expiring 20s hasHandle=true', 'handle h-1 resumable']);
  });

  it('s13: every resumable handle is relayed; the mutant relays the first of the connection only, and repeats it at goAway', () => {
    const script = (behaviour: ServerBehaviour): unknown[] => {
      const r = rig(behaviour);
      r.up().events.ready();
      for (const h of ['h-1', 'h-2', 'h-3']) r.up().events.message(handle(h));
      r.up().events.message(goAway('20s'));
      return heard(r.sent);
    };
    expect(script(REFERENCE)).toEqual(['handle h-1 resumable', 'handle h-2 resumable', 'handle h-3 resumable', 'handle h-3 resumable', 'expiring 20s hasHandle=true']);
    expect(script(mutant('s13').behaviour)).toEqual(['handle h-1 resumable', 'handle h-1 resumable', 'expiring 20s hasHandle=true']);
  });

  it('s13: the flag belongs to the upstream connection: after a resume, the new connection\'s first handle goes out again', () => {
    const r = rig(mutant('s13').behaviour, 'h-known', known());
    r.up().events.ready();
    r.up().events.message(handle('h-4'));
    r.up().events.message(handle('h-5'));
    expect(heard(r.sent)).toEqual(['session:resumed', 'handle h-4 resumable']);
    // What Gemini issued is still recorded: the server would accept h-5, it just never told the client.
    expect(r.registry.check('h-5', SESSION)).toBe('accepted');
  });
});

describe('resume-passthrough: session:resumed only after Gemini accepted the handle', () => {
  /** A resume Gemini rejects: the socket opens, then a close before setupComplete; the fallback fresh session answers. */
  const rejectedResume = (behaviour: ServerBehaviour) => {
    const r = rig(behaviour, 'h-known', known());
    const atStart = heard(r.sent);
    r.up(0).events.opened?.();
    const atOpen = heard(r.sent);
    r.up(0).events.closed(closed({ beforeReady: true, code: 1008, reason: 'BidiGenerateContent session not found' }));
    r.up(1).events.ready();
    return { r, atStart, atOpen };
  };

  it('the reference: a rejected resume is a fresh session, silently: never session:resumed', () => {
    const { r, atStart, atOpen } = rejectedResume(REFERENCE);
    expect([atStart, atOpen]).toEqual([[], []]);
    expect(r.up(1).request.handle).toBeUndefined();
    expect(r.up(1).turns).toEqual([KICK_OFF]);
    expect(r.types()).toEqual([]);
  });

  it('s1: session:resumed as the upstream socket opens, before Gemini answered; then the fallback fresh session (the lost context confirmed)', () => {
    const { r, atStart, atOpen } = rejectedResume(mutant('s1').behaviour);
    expect(atStart).toEqual([]);
    expect(atOpen).toEqual(['session:resumed']);
    expect(r.up(1).request.handle).toBeUndefined();
    expect(r.up(1).turns).toEqual([KICK_OFF]);
    expect(r.types()).toEqual(['session:resumed']);
  });

  it('s5: session:resumed the moment the handle is accepted, before any upstream answer; then the fallback fresh session', () => {
    const { r, atStart } = rejectedResume(mutant('s5').behaviour);
    expect(atStart).toEqual(['session:resumed']);
    expect(r.up(0).request.handle).toBe('h-known');
    expect(r.up(1).turns).toEqual([KICK_OFF]);
    expect(r.types()).toEqual(['session:resumed']);
  });

  it('an accepted resume: the reference, s1 and s5 all confirm it exactly once', () => {
    for (const behaviour of [REFERENCE, mutant('s1').behaviour, mutant('s5').behaviour]) {
      const r = rig(behaviour, 'h-known', known());
      r.up().events.opened?.();
      r.up().events.ready();
      expect(r.types()).toEqual(['session:resumed']);
    }
  });

  it('s1\'s other lines: timeLeft 60 whatever goAway said, and resumable:false with a handle passed on as resumable', () => {
    const script = (behaviour: ServerBehaviour): unknown[] => {
      const r = rig(behaviour);
      r.up().events.ready();
      r.up().events.message(handle('h-1'));
      r.up().events.message(handle('h-2', false));
      r.up().events.message(goAway('5s'));
      return heard(r.sent);
    };
    expect(script(REFERENCE)).toEqual(['handle h-1 resumable', 'handle (empty) not resumable', 'handle h-1 resumable', 'expiring 5s hasHandle=true']);
    expect(script(mutant('s1').behaviour)).toEqual(['handle h-1 resumable', 'handle h-2 resumable', 'handle h-2 resumable', 'expiring 60s hasHandle=true']);
  });

  it('s1 through @google/genai 2.32.0: the upstream socket opens before Gemini rejects the handle (so "opened" proves nothing)', async () => {
    const server = new GeminiLiveServer({ clock: scaledClock(0.01), seed: 5 });
    const running = await startWsServer(server);
    cleanups.push(async () => { server.dispose(); await running.close(); });
    const upstreams = geminiUpstreamFactory({ apiKey: server.apiKey, clock: scaledClock(0.01), connectTimeoutMs: 10_000, baseUrl: running.httpUrl });
    const order: string[] = [];
    const ended = new Promise<void>((resolve) => {
      upstreams({ model: 'gemini-live-2.5-flash-preview', handle: 'no-such-handle', label: 't' }, {
        opened: () => order.push('opened'),
        ready: () => order.push('ready'),
        message: () => {},
        closed: (c) => { order.push(`closed ${c.code} beforeReady=${c.beforeReady}`); resolve(); },
      });
    });
    await ended;
    expect(order).toEqual(['opened', 'closed 1008 beforeReady=true']);
  });
});

describe('tenant-binding: a handle resumes only under the share token it was issued for (in-process server)', () => {
  async function foreignHandle(behaviour: ServerBehaviour) {
    const s = await inProcess(behaviour);
    const a = await s.connect('share_a');
    a.upstream.events.ready();
    a.upstream.events.message(handle('h-of-share-a-0123456789'));
    await a.client.until((m) => m.type === 'session_resumption_update');
    const b = await s.connect('share_b', 'h-of-share-a-0123456789');
    b.upstream.events.ready();
    for (const m of turnComplete('Hello.')) b.upstream.events.message(m);
    await b.client.until(isFinal);
    return b;
  }

  it('the reference refuses another share token\'s handle: a fresh session with share_b\'s instruction, never session:resumed', async () => {
    const b = await foreignHandle(REFERENCE);
    expect(b.upstream.request.handle).toBeUndefined();
    expect(b.upstream.request.systemInstruction).toBe('Be Sam.');
    expect(b.upstream.turns).toEqual([KICK_OFF]);
    expect(b.client.types()).toEqual(['transcript']);
  });

  it('s4 passes it to Gemini and confirms the resume: share_b\'s prospect is in share_a\'s conversation', async () => {
    const b = await foreignHandle(mutant('s4').behaviour);
    expect(b.upstream.request.handle).toBe('h-of-share-a-0123456789');
    expect(b.upstream.turns).toEqual([]);
    expect(b.client.types()).toEqual(['session:resumed', 'transcript']);
  });

  it('s4 also accepts another conversation\'s handle under the same share token; a never-issued one still is not', () => {
    const registry = new HandleRegistry();
    registry.record('h-other', { shareToken: 'share_a', conversationId: 'conv_2' });
    expect(rig(REFERENCE, 'h-other', registry).up().request.handle).toBeUndefined();
    expect(rig(mutant('s4').behaviour, 'h-other', registry).up().request.handle).toBe('h-other');
    expect(rig(mutant('s4').behaviour, 'h-forged', registry).up().request.handle).toBeUndefined();
  });
});

describe('isolation: a conversation\'s handles go to its own client (in-process server)', () => {
  async function twoConversations(behaviour: ServerBehaviour) {
    const s = await inProcess(behaviour);
    const one = await s.connect('share_a');
    const two = await s.connect('share_a');
    one.upstream.events.ready();
    two.upstream.events.ready();
    one.upstream.events.message(handle('h-of-one'));
    for (const m of turnComplete('One.')) one.upstream.events.message(m);
    two.upstream.events.message(handle('h-of-two'));
    for (const m of turnComplete('Two.')) two.upstream.events.message(m);
    // Frames of one socket arrive in order: once its final transcript is in, its handle would be too.
    await one.client.until(isFinal);
    await two.client.until(isFinal);
    const handles = (c: Client): string[] => c.frames.flatMap((f) => (f.message.type === 'session_resumption_update' ? [f.message.handle] : []));
    return { one: handles(one.client), two: handles(two.client) };
  }

  it('the reference: each conversation hears its own handle only', async () => {
    expect(await twoConversations(REFERENCE)).toEqual({ one: ['h-of-one'], two: ['h-of-two'] });
  });

  it('s10: both handles go to the newest connection of the share token; the first conversation hears none', async () => {
    expect(await twoConversations(mutant('s10').behaviour)).toEqual({ one: [], two: ['h-of-one', 'h-of-two'] });
  });
});

describe('frame-types: JSON in text frames, binary for audio only (in-process server)', () => {
  async function frames(behaviour: ServerBehaviour): Promise<Array<{ binary: boolean; type: string }>> {
    const s = await inProcess(behaviour);
    const c = await s.connect('share_a');
    c.upstream.events.ready();
    c.upstream.events.message(handle('h-1'));
    c.client.ws.send(JSON.stringify({ type: 'end_conversation' }));
    await c.client.until((m) => m.type === 'conversation_end');
    return c.client.frames.map((f) => ({ binary: f.binary, type: f.message.type }));
  }

  it('the reference sends every JSON message as a text frame', async () => {
    expect(await frames(REFERENCE)).toEqual([{ binary: false, type: 'session_resumption_update' }, { binary: false, type: 'conversation_end' }]);
  });

  it('s9 sends them as binary frames', async () => {
    expect(await frames(mutant('s9').behaviour)).toEqual([{ binary: true, type: 'session_resumption_update' }, { binary: true, type: 'conversation_end' }]);
  });
});

describe('expiry-relay: the upstream\'s end reaches the client, with goAway\'s timeLeft', () => {
  it.each([
    ['after goAway', true, 1000, 1000],
    ['on an upstream error', false, 1011, 1011],
  ])('s6: the upstream ending %s (goAway: %s, upstream close %i): the reference closes the client with %i; the mutant leaves it open and silent', (_name, withGoAway, upstreamCode, clientCode) => {
    const script = (behaviour: ServerBehaviour) => {
      const r = rig(behaviour);
      r.up().events.ready();
      if (withGoAway) r.up().events.message(goAway('1s'));
      const heardBefore = r.sent.length;
      r.up().events.closed(closed({ code: upstreamCode }));
      // The client speaks into the silence: nothing answers, nothing is opened for it.
      r.connection.receive(JSON.stringify({ type: 'prospect_message', text: 'Hello?' }));
      return { closes: r.closes.map((c) => c.code), after: r.sent.length - heardBefore, upstreams: r.upstreams.length };
    };
    expect(script(REFERENCE)).toEqual({ closes: [clientCode], after: 0, upstreams: 1 });
    expect(script(mutant('s6').behaviour)).toEqual({ closes: [], after: 0, upstreams: 1 });
  });

  it('s6: a fresh session that cannot be set up is not closed either', () => {
    const reference = rig(REFERENCE);
    reference.up().events.closed(closed({ beforeReady: true, code: 1011 }));
    const m = rig(mutant('s6').behaviour);
    m.up().events.closed(closed({ beforeReady: true, code: 1011 }));
    expect([reference.closes.map((c) => c.code), m.closes]).toEqual([[1011], []]);
  });

  it('s11: session_expiring carries goAway\'s timeLeft; the mutant always says 60', () => {
    const script = (behaviour: ServerBehaviour, timeLeft: string): unknown[] => {
      const r = rig(behaviour);
      r.up().events.ready();
      r.up().events.message(goAway(timeLeft));
      return heard(r.sent);
    };
    expect([script(REFERENCE, '5s'), script(REFERENCE, '0.500s')]).toEqual([['expiring 5s hasHandle=false'], ['expiring 0.5s hasHandle=false']]);
    expect([script(mutant('s11').behaviour, '5s'), script(mutant('s11').behaviour, '0.500s')]).toEqual([['expiring 60s hasHandle=false'], ['expiring 60s hasHandle=false']]);
  });
});

describe('close-codes: only the codes of ai-voice-protocol.md §7', () => {
  it.each([
    ['after goAway', true, 1008, [1000], [4000]],
    ['a normal close without goAway', false, 1000, [1000], [1000]],
    ['an upstream error', false, 1011, [1011], [1011]],
  ])('s15: the upstream ending %s', (_name, withGoAway, upstreamCode, referenceCodes, mutantCodes) => {
    const script = (behaviour: ServerBehaviour): number[] => {
      const r = rig(behaviour);
      r.up().events.ready();
      if (withGoAway) r.up().events.message(goAway('1s'));
      r.up().events.closed(closed({ code: upstreamCode }));
      return r.closes.map((c) => c.code);
    };
    expect(script(REFERENCE)).toEqual(referenceCodes);
    expect(script(mutant('s15').behaviour)).toEqual(mutantCodes);
  });

  it('s15\'s close says "session expired", the reason it gives with its 4000', () => {
    const r = rig(mutant('s15').behaviour);
    r.up().events.ready();
    r.up().events.message(goAway('1s'));
    r.up().events.closed(closed({ code: 1008 }));
    expect(r.closes).toEqual([{ code: 4000, reason: 'session expired' }]);
  });
});

describe('upstream: setup, kick-off and the upstream\'s end as the contract says', () => {
  it('s8: a resume\'s setup carries no system instruction; the mutant\'s does (graded NON-STRICT); fresh setups are alike', () => {
    expect(rig(REFERENCE, 'h-known', known()).up().request.systemInstruction).toBeUndefined();
    expect(rig(mutant('s8').behaviour, 'h-known', known()).up().request).toMatchObject({ handle: 'h-known', systemInstruction: 'Be Riley.' });
    expect(rig(REFERENCE).up().request.systemInstruction).toBe('Be Riley.');
    expect(rig(mutant('s8').behaviour).up().request.systemInstruction).toBe('Be Riley.');
  });

  it('s14: a resume gets no kick-off; the mutant sends one before the prospect\'s waiting turn', () => {
    const script = (behaviour: ServerBehaviour): string[] => {
      const r = rig(behaviour, 'h-known', known());
      r.connection.receive(JSON.stringify({ type: 'prospect_message', text: 'again' }));
      r.up().events.ready();
      return r.up().turns;
    };
    expect(script(REFERENCE)).toEqual(['again']);
    expect(script(mutant('s14').behaviour)).toEqual([KICK_OFF, 'again']);
  });

  it('s14: a fresh session still gets exactly one kick-off', () => {
    const r = rig(mutant('s14').behaviour);
    r.up().events.ready();
    expect(r.up().turns).toEqual([KICK_OFF]);
  });

  it('s12: the client leaving closes its upstream; the mutant leaves it open (and no longer listens to it)', () => {
    const script = (behaviour: ServerBehaviour) => {
      const r = rig(behaviour);
      r.up().events.ready();
      r.connection.clientClosed(1000);
      r.up().events.message(handle('h-late'));
      return { closedByServer: r.up().closedByServer, heard: r.sent.length };
    };
    expect(script(REFERENCE)).toEqual({ closedByServer: true, heard: 0 });
    expect(script(mutant('s12').behaviour)).toEqual({ closedByServer: false, heard: 0 });
  });
});

describe('secrets: no handle printed in full', () => {
  const ISSUED = 'h-issued-4f9c2a7e1b3d5f60';
  const PRESENTED = 'h-presented-8a1c3e5b7d9f0213';

  /** A handle met both ways, then a line that holds both (as a later log line might). */
  const script = (behaviour: ServerBehaviour): string => {
    const registry = new HandleRegistry();
    registry.record(PRESENTED, SESSION);
    const r = rig(behaviour, PRESENTED, registry);
    r.up().events.ready();
    r.up().events.message(handle(ISSUED));
    r.log.info(`later: ${ISSUED} ${PRESENTED}`);
    return r.lines.join('\n');
  };

  it('the reference makes every handle it meets a secret of its log: no line holds one in full', () => {
    const out = script(REFERENCE);
    expect(out).toContain('later: ');
    expect(out).not.toContain(ISSUED);
    expect(out).not.toContain(PRESENTED);
  });

  it('s7 logs them in full, and its log never learns they are secrets', () => {
    const out = script(mutant('s7').behaviour);
    expect(out).toContain(`relayed handle ${ISSUED}`);
    expect(out).toContain(`presented handle ${PRESENTED}`);
    expect(out).toContain(`later: ${ISSUED} ${PRESENTED}`);
  });
});
