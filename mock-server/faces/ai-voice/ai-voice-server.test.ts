import { describe, expect, it } from 'vitest';
import { AiVoiceServer } from './ai-voice-server.ts';
import { FakePort, manualClock } from '../../testing/fake-port.ts';
import type { ServerScriptInput } from '../../script/schema.ts';

function setup(script: ServerScriptInput = {}) {
  const clock = manualClock();
  const server = new AiVoiceServer({ clock, seed: 7, script });
  const created = server.createSession(server.shareToken, JSON.stringify({ prospectName: 'Ada' }));
  const { sessionToken, conversationId } = created.body as { sessionToken: string; conversationId: string };
  const connect = (handle?: string): FakePort => {
    const url = new URL(`ws://127.0.0.1/ws/ai-voice?mode=sales_agent&sessionToken=${sessionToken}&shareToken=${server.shareToken}${handle ? `&resumeHandle=${encodeURIComponent(handle)}` : ''}`);
    const decision = server.upgrade(url);
    if (!decision.accept) throw new Error(`refused ${decision.status}`);
    const port = new FakePort();
    decision.attach(port);
    return port;
  };
  return { clock, server, sessionToken, conversationId, connect };
}

describe('HTTP session creation (spec §1)', () => {
  it('answers 201 with a session token, 404 for an unknown share token, 400 for a bad body', () => {
    const { server } = setup();
    expect(server.createSession(server.shareToken, '{"prospectName":"Bo"}').status).toBe(201);
    expect(server.createSession('share_nope', '{"prospectName":"Bo"}')).toMatchObject({ status: 404, body: { error: 'unknown_share_token' } });
    expect(server.createSession(server.shareToken, 'not json')).toMatchObject({ status: 400, body: { error: 'bad_request' } });
    expect(server.createSession(server.shareToken, '{}')).toMatchObject({ status: 400, body: { error: 'bad_request' } });
  });
});

describe('upgrade (spec §2)', () => {
  it('refuses with 401 an unknown session token or a share token that does not match it', () => {
    const { server, sessionToken } = setup();
    const refuse = (q: string) => server.upgrade(new URL(`ws://h/ws/ai-voice?mode=sales_agent&${q}`));
    expect(refuse(`sessionToken=st_unknown&shareToken=${server.shareToken}`)).toMatchObject({ accept: false, status: 401 });
    expect(refuse(`sessionToken=${sessionToken}&shareToken=share_other`)).toMatchObject({ accept: false, status: 401 });
    expect(refuse(`shareToken=${server.shareToken}`)).toMatchObject({ accept: false, status: 401 });
  });
});

describe('conversation', () => {
  it('greets on a fresh session, answers each prospect message referring back to earlier facts, and issues a handle after every agent turn', () => {
    const { clock, connect } = setup({ expiry: { enabled: false } });
    const port = connect();
    clock.tick(5_000);
    expect(port.finals).toHaveLength(1);
    expect(port.finals[0]).toMatch(/Who am I speaking with/);
    expect(port.handles).toHaveLength(1);
    port.receive({ type: 'prospect_message', text: "Hi, I'm Dana Whitfield from Borealis Freight. We need better route planning." });
    clock.tick(10_000);
    port.receive({ type: 'prospect_message', text: 'Budget is set for Q3.' });
    clock.tick(10_000);
    expect(port.finals).toHaveLength(3);
    expect(port.finals[2]).toMatch(/Dana/);
    expect(port.finals[2]).toMatch(/Borealis Freight/);
    expect(port.handles).toHaveLength(3);
    expect(new Set(port.handles).size).toBe(3);
    for (const h of port.handles) expect(Buffer.from(h.slice(3), 'base64url').length).toBeGreaterThanOrEqual(16);
  });

  it('restores the captured state on resume and confirms with session:resumed; rejects an unknown handle with a silent fresh session', () => {
    const { clock, connect, server } = setup({ expiry: { enabled: false } });
    const first = connect();
    clock.tick(5_000);
    first.receive({ type: 'prospect_message', text: "I'm Dana Whitfield from Borealis Freight." });
    clock.tick(10_000);
    const handle = first.handles.at(-1)!;
    first.clientClose(1000);
    const resumed = connect(handle);
    expect(resumed.of('session:resumed')).toHaveLength(1);
    clock.tick(5_000);
    expect(resumed.finals).toHaveLength(0); // no new greeting: the agent remembers
    resumed.receive({ type: 'prospect_message', text: 'What does it cost?' });
    clock.tick(10_000);
    expect(resumed.finals[0]).toMatch(/Dana/);

    const stranger = connect('rh_not-a-handle-we-issued');
    clock.tick(5_000);
    expect(stranger.of('session:resumed')).toHaveLength(0);
    expect(stranger.finals[0]).toMatch(/Who am I speaking with/);
    const opens = server.journal.of('open');
    expect(opens.map((o) => o.resume)).toEqual(['none', 'resumed', 'rejected']);
    expect(opens[2]).toMatchObject({ rejection: 'silent-fresh', rejectReason: 'unknown', contextTurns: 0 });
  });

  it('closes 4003 or accepts then closes 1011, per the rejection behaviour', () => {
    const a = setup({ validation: { reject: 'close-4003', rejectAll: true }, expiry: { enabled: false } });
    const p1 = a.connect();
    a.clock.tick(5_000);
    const rejected = a.connect(p1.handles[0]);
    expect(rejected.closedWith).toEqual({ code: 4003, reason: 'invalid resume handle' });

    const b = setup({ validation: { reject: 'accept-then-close', rejectAll: true }, expiry: { enabled: false } });
    const p2 = b.connect();
    b.clock.tick(5_000);
    const flaky = b.connect(p2.handles[0]);
    expect(flaky.of('session:resumed')).toHaveLength(1);
    expect(flaky.closedWith).toBeNull();
    b.clock.tick(600);
    expect(flaky.closedWith?.code).toBe(1011);
  });

  it('sends the latest handle then session_expiring before the deadline, and closes with the configured code at it', () => {
    const { clock, connect, server } = setup({ expiry: { lifetime: 120, timeLeft: 30, closeCode: 1000 } });
    const port = connect();
    clock.tick(89_000);
    expect(port.of('session_expiring')).toHaveLength(0);
    clock.tick(1_000);
    const kinds = port.sent.map((m) => m.type);
    expect(kinds.slice(-2)).toEqual(['session_resumption_update', 'session_expiring']);
    expect(port.of('session_expiring')[0]).toMatchObject({ timeLeft: 30, hasHandle: true });
    clock.tick(29_999);
    expect(port.closedWith).toBeNull();
    clock.tick(1);
    expect(port.closedWith?.code).toBe(1000);
    expect(server.journal.of('close')[0]).toMatchObject({ by: 'server', cause: 'expiry-deadline' });
  });

  it('journals duplicates: a second prospect message while the agent generates', () => {
    const { clock, connect, server } = setup({ expiry: { enabled: false } });
    const port = connect();
    clock.tick(5_000);
    port.receive({ type: 'prospect_message', text: 'one' });
    port.receive({ type: 'prospect_message', text: 'one' });
    clock.tick(10_000);
    expect(server.journal.of('prospect-turn').map((p) => p.duplicate ?? null)).toEqual([null, 'while-generating']);
  });

  it('records invalid frames without crashing', () => {
    const { clock, connect, server } = setup({ expiry: { enabled: false } });
    const port = connect();
    clock.tick(5_000);
    port.receive('{not json');
    port.receive({ type: 'mystery' });
    port.receive({ type: 'prospect_message' });
    expect(server.journal.of('frame-in').map((f) => f.decoded)).toEqual(['not-json', 'unknown-type', 'invalid']);
  });

  it('never lets a full handle or token into the journal', () => {
    const { clock, connect, server } = setup({ expiry: { lifetime: 60, timeLeft: 20 } });
    const port = connect();
    clock.tick(5_000);
    port.receive({ type: 'prospect_message', text: 'hello there' });
    clock.tick(60_000);
    const text = JSON.stringify(server.journal.events);
    for (const secret of server.secrets()) expect(text).not.toContain(secret);
  });

  it('keeps fault state per conversation: a connection-2 fault does not fire on another conversation', () => {
    const { clock, server } = setup({ expiry: { enabled: false }, faults: [{ when: { connection: 2 }, do: { close: { code: 1011 } } }] });
    const other = server.createSession(server.shareToken, '{"prospectName":"Zed"}').body as { sessionToken: string };
    const open = (token: string) => {
      const d = server.upgrade(new URL(`ws://h/ws/ai-voice?mode=sales_agent&sessionToken=${token}&shareToken=${server.shareToken}`));
      if (!d.accept) throw new Error('refused');
      const p = new FakePort();
      d.attach(p);
      return p;
    };
    const first = server.conversations[0]!;
    const a1 = open(first.sessionToken);
    const b1 = open(other.sessionToken);
    clock.tick(1000);
    expect(a1.closedWith).toBeNull();
    expect(b1.closedWith).toBeNull();
    a1.clientClose();
    const a2 = open(first.sessionToken);
    expect(a2.closedWith?.code).toBe(1011);
  });
});
