/**
 * The scenario language, trigger by trigger and action by action, on the server logic with a
 * manual clock: each test scripts one thing and checks what the client would see (the port)
 * and what the server journaled.
 */
import { describe, expect, it } from 'vitest';
import { converse, say, scripted } from '../testing/scripted.ts';

const NO_EXPIRY = { enabled: false } as const;

describe('triggers', () => {
  it('at: a protocol time from the conversation\'s creation, on its newest open connection', () => {
    const { clock, connect, server } = scripted({ expiry: NO_EXPIRY, faults: [{ when: { at: 10 }, do: { close: { code: 1011, reason: 'at ten' } } }] });
    const port = connect();
    clock.tick(9_999);
    expect(port.closedWith).toBeNull();
    clock.tick(1);
    expect(port.closedWith).toEqual({ code: 1011, reason: 'at ten' });
    expect(server.journal.of('fault')[0]).toMatchObject({ t: 10_000, action: 'close', conn: 1 });
  });

  it('at 0: as the conversation is created, before its first upgrade', () => {
    const { decide } = scripted({ faults: [{ when: { at: 0 }, do: { outage: { attempts: 1, status: 403 } } }] });
    expect(decide()).toMatchObject({ accept: false, status: 403 });
    expect(decide()).toMatchObject({ accept: true });
  });

  it('turn k: each phase at its place in the turn (mid-turn, after-final before the handle, after-handle, after-prospect)', () => {
    const marks = (phase: 'mid-turn' | 'after-final' | 'after-handle' | 'after-prospect') => {
      const { clock, connect } = scripted({ expiry: NO_EXPIRY, faults: [{ when: { turn: 1, phase }, do: { sendRaw: `MARK ${phase}` } }] });
      const port = connect();
      converse(clock, port, 1);
      return port.raw.map((r) => (r.startsWith('MARK') ? 'MARK' : (JSON.parse(r) as { type: string; final?: boolean; resumable?: boolean }))).map((m) =>
        m === 'MARK' ? m : m.type === 'transcript' ? (m.final ? 'final' : 'chunk') : m.type === 'session_resumption_update' ? (m.resumable ? 'handle' : 'not-resumable') : m.type,
      );
    };
    // Turn 0 is the greeting; turn 1 the answer to the first message.
    const greeting = ['not-resumable', 'chunk', 'chunk', 'final', 'handle'];
    expect(marks('after-prospect')).toEqual([...greeting, 'MARK', 'not-resumable', 'chunk', 'chunk', 'final', 'handle']);
    expect(marks('mid-turn')).toEqual([...greeting, 'not-resumable', 'chunk', 'MARK', 'chunk', 'final', 'handle']);
    expect(marks('after-final')).toEqual([...greeting, 'not-resumable', 'chunk', 'chunk', 'final', 'MARK', 'handle']);
    expect(marks('after-handle')).toEqual([...greeting, 'not-resumable', 'chunk', 'chunk', 'final', 'handle', 'MARK']);
  });

  it('connection n: when the n-th connection of the conversation opens', () => {
    const { clock, connect } = scripted({ expiry: NO_EXPIRY, faults: [{ when: { connection: 2 }, do: { close: { code: 4000 } } }] });
    const first = connect();
    clock.tick(3_000);
    first.clientClose();
    expect(first.closedWith).toBeNull();
    expect(connect(first.handles[0]).closedWith?.code).toBe(4000);
  });

  it('event, nth: the n-th occurrence of an event in the conversation, on the connection it happened on', () => {
    const { clock, connect, server } = scripted({ expiry: NO_EXPIRY, faults: [{ when: { event: 'handle-issued', nth: 2 }, do: { sendRaw: 'second handle seen' } }] });
    const port = connect();
    converse(clock, port, 2);
    expect(port.raw.filter((r) => r === 'second handle seen')).toHaveLength(1);
    const issued = server.journal.of('handle-issued');
    const fault = server.journal.of('fault')[0]!;
    expect(fault.t).toBe(issued[1]!.t);
  });

  it('event without nth fires on every occurrence, up to times', () => {
    const { clock, connect } = scripted({ expiry: NO_EXPIRY, faults: [{ when: { event: 'agent-final' }, times: 2, do: { sendRaw: 'tick' } }] });
    const port = connect();
    converse(clock, port, 3);
    expect(port.raw.filter((r) => r === 'tick')).toHaveLength(2);
  });

  it('events resumed, session-expiring, close and prospect-message', () => {
    const { clock, connect, server } = scripted({
      expiry: { lifetime: 30, timeLeft: 10 },
      faults: [
        { when: { event: 'prospect-message' }, do: { sendRaw: 'heard you' } },
        { when: { event: 'session-expiring' }, do: { sendRaw: 'expiring noted' } },
        { when: { event: 'close' }, do: { outage: { attempts: 1, code: 1011 } } },
        { when: { event: 'resumed' }, do: { sendRaw: 'welcome back' } },
      ],
    });
    const port = connect();
    converse(clock, port, 1);
    expect(port.raw).toContain('heard you');
    clock.tick(20_000);
    expect(port.raw).toContain('expiring noted');
    port.clientClose();
    // The close armed an outage: the next attempt is closed at once; the one after resumes.
    expect(connect(port.handles.at(-1)).closedWith?.code).toBe(1011);
    const resumed = connect(port.handles.at(-1));
    expect(resumed.raw).toContain('welcome back');
    expect(server.journal.of('fault').map((f) => f.action)).toEqual(['sendRaw', 'sendRaw', 'outage', 'sendRaw']);
  });

  it('every: bounded in count, seeded jitter within ±jitter, the same times for the same seed', () => {
    const times = (seed: number) => {
      const { clock, connect, server } = scripted({ expiry: NO_EXPIRY, faults: [{ when: { every: 10, jitter: 2, count: 4, start: 5 }, times: 10, do: { sendRaw: 'ping' } }] }, seed);
      connect();
      clock.tick(200_000);
      return server.journal.of('fault').map((f) => f.t);
    };
    const a = times(1);
    expect(a).toHaveLength(4);
    a.reduce((previous, t) => {
      expect(t - previous).toBeGreaterThanOrEqual(8_000);
      expect(t - previous).toBeLessThanOrEqual(12_000);
      return t;
    }, 5_000);
    expect(times(1)).toEqual(a);
    expect(times(2)).not.toEqual(a);
  });
});

describe('rule modifiers', () => {
  it('after delays the action; connection and conversation restrict where a rule applies', () => {
    const { clock, connect, session, server } = scripted({
      expiry: NO_EXPIRY,
      faults: [{ when: { event: 'open' }, times: 10, connection: 1, conversation: 2, after: 2, do: { close: { code: 4000 } } }],
    });
    const a = connect();
    const other = session();
    const b = connect(undefined, other.sessionToken);
    clock.tick(1_999);
    expect(b.closedWith).toBeNull();
    clock.tick(1);
    expect(a.closedWith).toBeNull();
    expect(b.closedWith?.code).toBe(4000);
    expect(server.journal.of('fault')).toHaveLength(1);
  });

  it('toxicity 0 never fires, 1 always; in between it is drawn per firing, reproducibly', () => {
    const fired = (toxicity: number, seed: number) => {
      const { clock, connect, server } = scripted({ expiry: NO_EXPIRY, faults: [{ when: { every: 1, count: 200 }, times: 200, toxicity, do: { sendRaw: 'x' } }] }, seed);
      connect();
      clock.tick(300_000);
      return server.journal.of('fault').map((f) => f.t);
    };
    expect(fired(0, 1)).toHaveLength(0);
    expect(fired(1, 1)).toHaveLength(200);
    const half = fired(0.5, 1);
    expect(half.length).toBeGreaterThan(70);
    expect(half.length).toBeLessThan(130);
    expect(fired(0.5, 1)).toEqual(half);
  });

  it('a list of actions runs in order', () => {
    const { clock, connect } = scripted({ expiry: NO_EXPIRY, faults: [{ when: { turn: 0 }, do: [{ sendRaw: 'one' }, { sendRaw: 'two' }, { close: { code: 4000 } }] }] });
    const port = connect();
    clock.tick(3_000);
    expect(port.raw.slice(-2)).toEqual(['one', 'two']);
    expect(port.closedWith?.code).toBe(4000);
  });
});

describe('actions: messages', () => {
  it('send any message (an unknown type too), sendRaw any text, sendBinary n bytes', () => {
    const { clock, connect, server } = scripted({
      expiry: NO_EXPIRY,
      faults: [{ when: { turn: 0 }, do: [{ send: { type: 'usage_metadata', promptTokenCount: 5 } }, { sendRaw: '{not json' }, { sendBinary: 4800 }, { send: { type: 'error', code: 'x', message: 'y' } }] }],
    });
    const port = connect();
    clock.tick(3_000);
    expect(port.raw.slice(-4)).toEqual(['{"type":"usage_metadata","promptTokenCount":5}', '{not json', '<binary>', '{"type":"error","code":"x","message":"y"}']);
    expect(server.journal.of('frame-out').filter((f) => f.binary)).toEqual([expect.objectContaining({ bytes: 4800 })]);
  });

  it('expire: the latest handle, then session_expiring with any timeLeft, then the close at closeAfter with its code', () => {
    const { clock, connect } = scripted({ expiry: NO_EXPIRY, faults: [{ when: { turn: 0 }, do: { expire: { timeLeft: 42, closeAfter: 5, closeCode: 1008, closeReason: 'overrun' } } }] });
    const port = connect();
    clock.tick(3_000);
    expect(port.sent.slice(-2).map((m) => m.type)).toEqual(['session_resumption_update', 'session_expiring']);
    expect(port.of('session_expiring')[0]).toMatchObject({ timeLeft: 42, hasHandle: true });
    clock.tick(5_000);
    expect(port.closedWith).toEqual({ code: 1008, reason: 'overrun' });
  });

  it('expire: silent stops the agent; resendHandle false sends no handle; several notices keep the earliest deadline', () => {
    const { clock, connect } = scripted({
      expiry: NO_EXPIRY,
      faults: [{ when: { turn: 0 }, do: [{ expire: { timeLeft: 30, silent: true, resendHandle: false } }, { expire: { timeLeft: 60, resendHandle: false } }] }],
    });
    const port = connect();
    clock.tick(3_000);
    expect(port.sent.slice(-2).map((m) => m.type)).toEqual(['session_expiring', 'session_expiring']);
    port.receive(say(1));
    clock.tick(28_000);
    expect(port.finals).toHaveLength(1); // the greeting only: the agent has gone quiet
    expect(port.closedWith).toBeNull();
    clock.tick(1_000);
    expect(port.closedWith?.code).toBe(1000);
  });

  it('delayMessage, duplicateMessage and dropMessage act on the n-th frame of a connection, out or in', () => {
    const { clock, connect, server } = scripted({
      expiry: NO_EXPIRY,
      faults: [{ when: { connection: 1 }, do: [{ delayMessage: { direction: 'out', nth: 2, by: 5 } }, { duplicateMessage: { direction: 'out', nth: 3 } }, { dropMessage: { direction: 'out', nth: 4 } }, { dropMessage: { direction: 'in', nth: 1 } }, { duplicateMessage: { direction: 'in', nth: 2 } }] }],
    });
    const port = connect();
    clock.tick(3_000);
    // Out: 1 not-resumable, 2 chunk (held 5 s), 3 chunk (twice), 4 final (lost), 5 handle.
    expect(port.sent.map((m) => m.type)).toEqual(['session_resumption_update', 'transcript', 'transcript', 'session_resumption_update']);
    clock.tick(5_000);
    expect(port.sent).toHaveLength(5);
    expect(server.journal.of('frame-out').filter((f) => f.dropped)).toHaveLength(1);
    // In: the first message is lost, the second processed twice (a duplicate while generating).
    port.receive(say(1));
    port.receive(say(2));
    clock.tick(1);
    expect(server.journal.of('prospect-turn').map((p) => p.duplicate ?? 'ok')).toEqual(['ok', 'while-generating']);
  });

  it('pings: ignore, or answer late, on the connection (the transport does the rest)', () => {
    const { clock, connect } = scripted({ expiry: NO_EXPIRY, faults: [{ when: { connection: 1 }, do: { pings: { lateBy: 30 } } }, { when: { connection: 2 }, do: { pings: 'ignore' } }] });
    const a = connect();
    expect(a.pongs).toEqual({ lateByMs: 30_000 });
    clock.tick(3_000);
    a.clientClose();
    expect(connect(a.handles[0]).pongs).toBe('ignore');
  });
});

describe('actions: closes and silences', () => {
  it('close with a code, a reason and a delay; drop with no close frame, at once or after a delay', () => {
    const a = scripted({ expiry: NO_EXPIRY, faults: [{ when: { turn: 0 }, do: { close: { code: 1011, reason: 'later', delay: 2 } } }] });
    const pa = a.connect();
    a.clock.tick(3_000);
    expect(pa.closedWith).toBeNull();
    a.clock.tick(2_000);
    expect(pa.closedWith).toEqual({ code: 1011, reason: 'later' });

    const b = scripted({ expiry: NO_EXPIRY, faults: [{ when: { turn: 0 }, do: { drop: { delay: 1 } } }] });
    const pb = b.connect();
    b.clock.tick(2_000);
    expect(pb.dropped).toBe(false);
    b.clock.tick(1_000);
    expect(pb.dropped).toBe(true);
    expect(b.server.journal.of('close')[0]).toMatchObject({ code: 1006, by: 'server', cause: 'fault: drop' });
  });

  it('halfOpen keeps the socket but neither reads nor writes; silence mutes the agent for a while', () => {
    const a = scripted({ expiry: NO_EXPIRY, faults: [{ when: { turn: 0 }, do: { halfOpen: {} } }] });
    const pa = a.connect();
    a.clock.tick(3_000);
    const seen = pa.raw.length;
    pa.receive(say(1));
    a.clock.tick(60_000);
    expect(pa.halted).toBe(true);
    expect(pa.raw).toHaveLength(seen);
    expect(a.server.journal.of('prospect-turn')).toHaveLength(0);

    const b = scripted({ expiry: NO_EXPIRY, faults: [{ when: { turn: 0 }, do: { silence: { duration: 20 } } }] });
    const pb = b.connect();
    b.clock.tick(3_000);
    pb.receive(say(1));
    b.clock.tick(20_000);
    expect(pb.finals).toHaveLength(1); // the answer to the first message was lost in the silence
    pb.receive(say(1));
    b.clock.tick(6_000);
    expect(pb.finals).toHaveLength(2);
  });

  it('endConversation: conversation_end, then close 1000 — or a drop — and the conversation refuses upgrades', () => {
    const a = scripted({ expiry: NO_EXPIRY, faults: [{ when: { turn: 0 }, do: { endConversation: { reason: 'done' } } }] });
    const pa = a.connect();
    a.clock.tick(3_000);
    expect(pa.of('conversation_end')).toEqual([expect.objectContaining({ reason: 'done' })]);
    expect(pa.closedWith?.code).toBe(1000);
    expect(a.decide()).toMatchObject({ accept: false, status: 401 });

    const b = scripted({ expiry: NO_EXPIRY, faults: [{ when: { turn: 0 }, do: { endConversation: { drop: true } } }] });
    const pb = b.connect();
    b.clock.tick(3_000);
    expect(pb.of('conversation_end')).toHaveLength(1);
    expect(pb.dropped).toBe(true);
    expect(b.server.journal.of('conversation-end')).toHaveLength(1);
  });

  it('idleTimeout: the connection is reaped after that long without a client frame; every frame restarts the wait', () => {
    const { clock, connect, server } = scripted({ expiry: NO_EXPIRY, faults: [{ when: { connection: 1 }, do: { idleTimeout: { after: 10 } } }, { when: { connection: 2 }, do: { idleTimeout: { after: 10, code: 1008, reason: 'idle' } } }] });
    const a = connect();
    clock.tick(9_000);
    a.receive(say(1));
    clock.tick(9_999);
    expect(a.dropped).toBe(false);
    clock.tick(1);
    expect(a.dropped).toBe(true);
    const b = connect(a.handles.at(-1));
    clock.tick(10_000);
    expect(b.closedWith).toEqual({ code: 1008, reason: 'idle' });
    expect(server.journal.of('close').map((c) => c.cause)).toEqual(['fault: idle timeout', 'fault: idle timeout']);
  });
});

describe('actions: conversation-wide', () => {
  it('outage: the next n attempts are refused with a status, or opened and closed with a code', () => {
    const { decide, connect, clock } = scripted({ expiry: NO_EXPIRY, faults: [{ when: { turn: 0 }, do: [{ drop: {} }, { outage: { attempts: 2, status: 503 } }] }, { when: { event: 'close', nth: 1 }, after: 60, do: { outage: { attempts: 1, code: 1013, reason: 'try again' } } }] });
    const first = connect();
    clock.tick(3_000);
    expect(first.dropped).toBe(true);
    expect(decide(first.handles[0])).toMatchObject({ accept: false, status: 503 });
    expect(decide(first.handles[0])).toMatchObject({ accept: false, status: 503 });
    clock.tick(60_000);
    expect(connect(first.handles[0]).closedWith).toEqual({ code: 1013, reason: 'try again' });
    expect(connect(first.handles[0]).of('session:resumed')).toHaveLength(1);
  });

  it('slowAccept: the next n upgrades complete only after the delay', () => {
    const { decide } = scripted({ faults: [{ when: { at: 0 }, do: { slowAccept: { delay: 15, attempts: 2 } } }] });
    expect(decide()).toMatchObject({ accept: true, delayMs: 15_000 });
    expect(decide()).toMatchObject({ accept: true, delayMs: 15_000 });
    expect(decide()).toMatchObject({ accept: true, delayMs: 0 });
  });

  it('restart: every open connection closes (1001) and every handle is forgotten (revoked)', () => {
    const { clock, connect, session, server } = scripted({ expiry: NO_EXPIRY, validation: { reject: 'close-4003' }, faults: [{ when: { turn: 1 }, conversation: 1, do: { restart: {} } }] });
    const a = connect();
    const other = session();
    const b = connect(undefined, other.sessionToken);
    converse(clock, a, 1);
    expect(a.closedWith?.code).toBe(1001);
    expect(b.closedWith?.code).toBe(1001);
    expect(connect(a.handles.at(-1)).closedWith?.code).toBe(4003);
    expect(server.journal.of('open').at(-1)).toMatchObject({ resume: 'rejected', rejectReason: 'revoked' });
  });

  it('issueHandle: an extra handle now; a foreign one (another share token or conversation) is rejected by this server', () => {
    const { clock, connect, server } = scripted({ expiry: NO_EXPIRY, validation: { reject: 'close-4003' }, faults: [{ when: { turn: 0 }, do: [{ issueHandle: {} }, { issueHandle: { binding: 'other-share-token' } }, { issueHandle: { binding: 'other-conversation' } }] }] });
    const port = connect();
    clock.tick(3_000);
    const [turnHandle, own, otherAgent, otherConversation] = port.handles;
    expect(port.handles).toHaveLength(4);
    port.clientClose();
    expect(connect(otherAgent).closedWith?.code).toBe(4003);
    expect(connect(otherConversation).closedWith?.code).toBe(4003);
    expect(connect(own).of('session:resumed')).toHaveLength(1);
    expect(server.journal.of('open').slice(1).map((o) => o.rejectReason ?? o.resume)).toEqual(['foreign', 'foreign', 'resumed']);
    expect(turnHandle).toBeDefined();
  });
});

describe('actions: Toxiproxy toxics', () => {
  it('latency delays every frame of the stream and keeps their order, the close behind them', () => {
    const { clock, connect } = scripted({ expiry: NO_EXPIRY, faults: [{ when: { connection: 1 }, do: { toxic: { type: 'latency', attributes: { latency: 1000, jitter: 900 } } } }, { when: { turn: 1, phase: 'after-handle' }, do: { close: { code: 4000 } } }] });
    const port = connect();
    clock.tick(99);
    expect(port.raw).toHaveLength(0);
    converse(clock, port, 1);
    const types = port.sent.map((m) => m.type);
    expect(types).toEqual(['session_resumption_update', 'transcript', 'transcript', 'transcript', 'session_resumption_update', 'session_resumption_update', 'transcript', 'transcript', 'transcript', 'session_resumption_update']);
    expect(port.finals).toHaveLength(2);
    expect(port.closedWith?.code).toBe(4000);
  });

  it('latency upstream delays client frames; the client\'s close follows them', () => {
    const { clock, connect, server } = scripted({ expiry: NO_EXPIRY, faults: [{ when: { connection: 1 }, do: { toxic: { type: 'latency', stream: 'upstream', attributes: { latency: 2000 } } } }] });
    const port = connect();
    clock.tick(3_000);
    port.receive(say(1));
    port.clientClose();
    clock.tick(1_999);
    expect(server.journal.of('prospect-turn')).toHaveLength(0);
    clock.tick(1);
    expect(server.journal.events.filter((e) => e.kind === 'prospect-turn' || e.kind === 'close').map((e) => e.kind)).toEqual(['prospect-turn', 'close']);
  });

  it('timeout: all data stops; with 0 nothing more ever happens, otherwise a drop after timeout ms', () => {
    const a = scripted({ expiry: NO_EXPIRY, faults: [{ when: { turn: 0 }, do: { toxic: { type: 'timeout', attributes: { timeout: 0 } } } }] });
    const pa = a.connect();
    a.clock.tick(600_000);
    expect(pa.halted).toBe(true);
    expect(pa.dropped).toBe(false);
    const b = scripted({ expiry: NO_EXPIRY, faults: [{ when: { turn: 0 }, do: { toxic: { type: 'timeout', attributes: { timeout: 5000 } } } }] });
    const pb = b.connect();
    b.clock.tick(1_700 + 4_999);
    expect(pb.dropped).toBe(false);
    b.clock.tick(1);
    expect(pb.dropped).toBe(true);
  });

  it('reset_peer: a drop with no close frame, at once or after timeout ms', () => {
    const { clock, connect } = scripted({ expiry: NO_EXPIRY, faults: [{ when: { turn: 0 }, do: { toxic: { type: 'reset_peer', attributes: { timeout: 3000 } } } }] });
    const port = connect();
    clock.tick(1_700 + 2_999);
    expect(port.dropped).toBe(false);
    clock.tick(1);
    expect(port.dropped).toBe(true);
  });

  it('slow_close: the server\'s close of the connection comes delay ms late', () => {
    const { clock, connect } = scripted({ expiry: NO_EXPIRY, faults: [{ when: { connection: 1 }, do: { toxic: { type: 'slow_close', attributes: { delay: 4000 } } } }, { when: { turn: 0 }, do: { close: { code: 1011 } } }] });
    const port = connect();
    clock.tick(1_700);
    expect(port.closedWith).toBeNull();
    clock.tick(4_000);
    expect(port.closedWith?.code).toBe(1011);
  });

  it('limit_data: the connection is cut once that many more bytes passed in the stream', () => {
    const { clock, connect, server } = scripted({ expiry: NO_EXPIRY, toxics: [{ type: 'limit_data', attributes: { bytes: 300 } }] });
    const port = connect();
    clock.tick(3_000);
    expect(port.dropped).toBe(true);
    const out = server.journal.of('frame-out').reduce((sum, f) => sum + f.bytes, 0);
    expect(out).toBeGreaterThanOrEqual(300);
    expect(server.journal.of('close')[0]).toMatchObject({ code: 1006, cause: 'fault: limit_data' });
  });

  it('down: open connections drop and upgrades are refused (503) for duration ms, then accepted again', () => {
    const { clock, connect, decide } = scripted({ expiry: NO_EXPIRY, faults: [{ when: { turn: 0 }, do: { toxic: { type: 'down', attributes: { duration: 4000 } } } }] });
    const port = connect();
    clock.tick(1_700);
    expect(port.dropped).toBe(true);
    expect(decide(port.handles[0])).toMatchObject({ accept: false, status: 503 });
    clock.tick(4_000);
    expect(decide(port.handles[0])).toMatchObject({ accept: true });
  });

  it('toxicity is drawn once per connection the toxic meets (Toxiproxy), and spared connections are journaled', () => {
    const { clock, connect, server } = scripted({ expiry: NO_EXPIRY, toxics: [{ type: 'timeout', name: 'coin', toxicity: 0.5, attributes: { timeout: 0 } }] }, 3);
    let port = connect();
    const applied: boolean[] = [];
    for (let i = 0; i < 40; i++) {
      clock.tick(3_000);
      applied.push(port.halted);
      port.clientClose();
      port = connect();
    }
    const hit = applied.filter(Boolean).length;
    expect(hit).toBeGreaterThan(8);
    expect(hit).toBeLessThan(32);
    const notes = server.journal.of('fault').map((f) => f.detail);
    expect(notes.filter((d) => d === 'timeout (coin)')).toHaveLength(hit + (port.halted ? 1 : 0));
    expect(notes.some((d) => d?.includes('spared (toxicity 0.5)'))).toBe(true);
  });

  it('server.toxics meet every connection as it opens, journaled right after its open event', () => {
    const { clock, connect, server } = scripted({ expiry: NO_EXPIRY, toxics: [{ type: 'latency', attributes: { latency: 500 } }] });
    const a = connect();
    clock.tick(3_000);
    a.clientClose();
    connect(a.handles[0]);
    const kinds = server.journal.events.filter((e) => e.kind === 'open' || e.kind === 'fault').map((e) => (e.kind === 'fault' ? `fault rule ${e.rule} toxic ${e.toxic}` : e.kind));
    expect(kinds).toEqual(['open', 'fault rule -1 toxic 0', 'open', 'fault rule -1 toxic 0']);
  });
});

describe('per-conversation state', () => {
  it('rules count triggers and firings per conversation: a second conversation starts from scratch', () => {
    const { clock, connect, session, server } = scripted({ expiry: NO_EXPIRY, faults: [{ when: { event: 'agent-final', nth: 2 }, do: { close: { code: 4000 } } }] });
    const a = connect();
    converse(clock, a, 1);
    expect(a.closedWith?.code).toBe(4000);
    const other = session();
    const b = connect(undefined, other.sessionToken);
    clock.tick(3_000);
    expect(b.closedWith).toBeNull();
    converse(clock, b, 1);
    expect(b.closedWith?.code).toBe(4000);
    expect(server.journal.of('fault')).toHaveLength(2);
  });
});
