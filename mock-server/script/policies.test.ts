/**
 * The scenario language's policies: handle issuance, handle validation, resume confirmation
 * and the agent's state after a resume — each as a script says it, checked on the wire and in
 * the journal.
 */
import { describe, expect, it } from 'vitest';
import { ServerScript } from './schema.ts';
import { converse, say, scripted } from '../testing/scripted.ts';

const NO_EXPIRY = { enabled: false } as const;

describe('handle issuance', () => {
  it('every n turns, from turn k; resumable:false while generating and after chosen turns', () => {
    const { clock, connect, server } = scripted({ expiry: NO_EXPIRY, handles: { every: 2, firstAfterTurn: 1, nonResumableAfterTurns: [3] } });
    const port = connect();
    converse(clock, port, 5);
    expect(server.journal.of('handle-issued').map((h) => h.handle.turns)).toEqual([1, 5]);
    const updates = port.of('session_resumption_update');
    // one resumable:false per generated turn (6 turns, greeting included), plus the one after turn 3
    expect(updates.filter((u) => !u.resumable)).toHaveLength(7);
    expect(updates.filter((u) => u.resumable)).toHaveLength(2);
  });

  it('nonResumableWhileGenerating false: no resumable:false at all', () => {
    const { clock, connect } = scripted({ expiry: NO_EXPIRY, handles: { nonResumableWhileGenerating: false } });
    const port = connect();
    converse(clock, port, 2);
    expect(port.of('session_resumption_update').every((u) => u.resumable)).toBe(true);
  });

  it('firstDelay: no handle before that many seconds; then at once if the agent is idle', () => {
    const { clock, connect, server } = scripted({ expiry: NO_EXPIRY, handles: { firstDelay: 20 } });
    const port = connect();
    converse(clock, port, 2); // turns end at about 1.7, 8.x and 14.x s
    expect(port.handles).toHaveLength(0);
    clock.tick(20_000 - clock.now());
    expect(port.handles).toHaveLength(1);
    expect(server.journal.of('handle-issued')[0]).toMatchObject({ t: 20_000, reason: 'delayed', handle: { turns: 2 } });
    port.receive(say(3));
    clock.tick(6_000);
    expect(port.handles).toHaveLength(2);
  });

  it('firstDelay: while the agent is speaking at the deadline, the first handle comes with its turn', () => {
    const { clock, connect, server } = scripted({ expiry: NO_EXPIRY, handles: { firstDelay: 5 }, agent: { replyDelay: [3, 3] } });
    const port = connect();
    clock.tick(3_000);
    port.receive(say(1)); // answered from 6 s to 7.2 s
    clock.tick(2_500);
    expect(port.handles).toHaveLength(0);
    clock.tick(2_000);
    expect(port.handles).toHaveLength(1);
    expect(server.journal.of('handle-issued')[0]).toMatchObject({ reason: 'turn', handle: { turns: 1 } });
  });

  it('ttl counts from the issuing connection\'s close (or from issue with ttlFromIssue)', () => {
    const fromClose = scripted({ expiry: NO_EXPIRY, handles: { ttl: 10 }, validation: { reject: 'close-4003' } });
    const a = fromClose.connect();
    fromClose.clock.tick(30_000);
    a.clientClose();
    fromClose.clock.tick(10_000);
    expect(fromClose.connect(a.handles[0]).of('session:resumed')).toHaveLength(1);

    const fromIssue = scripted({ expiry: NO_EXPIRY, handles: { ttl: 10, ttlFromIssue: true }, validation: { reject: 'close-4003' } });
    const b = fromIssue.connect();
    fromIssue.clock.tick(12_000);
    b.clientClose();
    expect(fromIssue.connect(b.handles[0]).closedWith?.code).toBe(4003);
    expect(fromIssue.server.journal.of('open').at(-1)).toMatchObject({ rejectReason: 'expired' });
  });

  it('onlyNewestValid: rotation makes every older handle stale', () => {
    const { clock, connect, server } = scripted({ expiry: NO_EXPIRY, handles: { onlyNewestValid: true }, validation: { reject: 'close-4003' } });
    const port = connect();
    converse(clock, port, 2);
    port.clientClose();
    expect(connect(port.handles[0]).closedWith?.code).toBe(4003);
    expect(server.journal.of('open').at(-1)).toMatchObject({ rejectReason: 'stale' });
    expect(connect(port.handles.at(-1)).of('session:resumed')).toHaveLength(1);
  });
});

describe('handle validation (spec §5.2)', () => {
  const dropped = (script: Parameters<typeof scripted>[0]) => {
    const s = scripted({ expiry: NO_EXPIRY, ...script, validation: { rejectAll: true, ...script?.validation } });
    const port = s.connect();
    converse(s.clock, port, 1);
    port.clientClose();
    return { ...s, handle: port.handles.at(-1)! };
  };

  it('close: any code and reason right after opening, Gemini\'s 1008 by default', () => {
    const a = dropped({ validation: { reject: 'close' } });
    expect(a.connect(a.handle).closedWith).toEqual({ code: 1008, reason: 'BidiGenerateContent session not found' });
    const b = dropped({ validation: { reject: 'close', rejectClose: { code: 1007, reason: 'Invalid session handle' } } });
    expect(b.connect(b.handle).closedWith).toEqual({ code: 1007, reason: 'Invalid session handle' });
    expect(b.server.journal.of('open').at(-1)).toMatchObject({ resume: 'rejected', rejection: 'close-1007', rejectReason: 'forced' });
  });

  it('silent-fresh: a fresh session that greets — or, with greet false, says nothing until spoken to', () => {
    const a = dropped({ validation: { reject: 'silent-fresh' } });
    const greeted = a.connect(a.handle);
    a.clock.tick(5_000);
    expect(greeted.finals).toHaveLength(1);
    expect(greeted.of('session:resumed')).toHaveLength(0);

    const b = dropped({ validation: { reject: 'silent-fresh', silentFresh: { greet: false } } });
    const mute = b.connect(b.handle);
    b.clock.tick(60_000);
    expect(mute.sent.filter((m) => m.type !== 'session_resumption_update')).toHaveLength(0);
    mute.receive(say(2));
    b.clock.tick(6_000);
    expect(mute.finals[0]).toMatch(/don't think we've spoken/);
  });

  it('accept-then-close: confirmed or not, then closed after the delay with its code', () => {
    const a = dropped({ validation: { reject: 'accept-then-close', acceptThenClose: { after: 0.1, sendResumed: false } } });
    const port = a.connect(a.handle);
    expect(port.of('session:resumed')).toHaveLength(0);
    a.clock.tick(100);
    expect(port.closedWith?.code).toBe(1011);
  });

  it('refuseWhileOldSocketOpen: a resume while an older connection is open is closed 1011', () => {
    const { clock, connect, server } = scripted({ expiry: NO_EXPIRY, validation: { refuseWhileOldSocketOpen: true } });
    const old = connect();
    clock.tick(3_000);
    expect(connect(old.handles[0]).closedWith?.code).toBe(1011);
    expect(server.journal.of('open').at(-1)).toMatchObject({ rejectReason: 'old-socket-open' });
    old.clientClose();
    expect(connect(old.handles[0]).of('session:resumed')).toHaveLength(1);
  });
});

describe('resume confirmation and the restored state', () => {
  const resumeAfterTwoTurns = (resume: NonNullable<Parameters<typeof scripted>[0]>['resume']) => {
    const s = scripted({ expiry: NO_EXPIRY, resume });
    const port = s.connect();
    converse(s.clock, port, 2);
    port.clientClose();
    return { ...s, resumed: s.connect(port.handles.at(-1)), previous: port };
  };

  it('confirm after a delay, or never', () => {
    const late = resumeAfterTwoTurns({ confirm: { after: 8 } });
    late.clock.tick(7_999);
    expect(late.resumed.of('session:resumed')).toHaveLength(0);
    late.clock.tick(1);
    expect(late.resumed.of('session:resumed')).toHaveLength(1);
    const never = resumeAfterTwoTurns({ confirm: 'never' });
    never.clock.tick(600_000);
    expect(never.resumed.sent).toHaveLength(0);
    expect(never.server.journal.of('open').at(-1)).toMatchObject({ resume: 'resumed', contextTurns: 2 });
  });

  it('state reset, rolled back n turns, or restored with the last agent turn repeated', () => {
    const reset = resumeAfterTwoTurns({ state: 'reset' });
    expect(reset.server.journal.of('open').at(-1)).toMatchObject({ resume: 'resumed', contextTurns: 0 });
    const rolled = resumeAfterTwoTurns({ state: { rollback: 1 } });
    expect(rolled.server.journal.of('open').at(-1)).toMatchObject({ resume: 'resumed', contextTurns: 1 });
    const repeated = resumeAfterTwoTurns({ state: 'repeat-last' });
    expect(repeated.resumed.sent.map((m) => m.type)).toEqual(['session:resumed', 'transcript']);
    expect(repeated.resumed.finals[0]).toBe(repeated.previous.finals.at(-1));
  });

  it('repeatCut: the repeated turn cut to its first n characters, still closed by a final (F19)', () => {
    const cut = resumeAfterTwoTurns({ state: 'repeat-last', repeatCut: 12 });
    const whole = cut.previous.finals.at(-1)!;
    expect(whole.length).toBeGreaterThan(12);
    expect(cut.resumed.sent.map((m) => m.type)).toEqual(['session:resumed', 'transcript']);
    expect(cut.resumed.finals).toEqual([whole.slice(0, 12)]);
    // The cut changes what is said, not the state: the restored context holds both turns.
    expect(cut.server.journal.of('open').at(-1)).toMatchObject({ resume: 'resumed', contextTurns: 2 });
    // A turn no longer than the cut is repeated whole.
    const long = resumeAfterTwoTurns({ state: 'repeat-last', repeatCut: 10_000 });
    expect(long.resumed.finals).toEqual([long.previous.finals.at(-1)]);
  });

  it('repeatCut without state "repeat-last" is refused: nothing would be repeated to cut', () => {
    const refused = ServerScript.safeParse({ resume: { repeatCut: 12 } });
    expect(refused.success).toBe(false);
    expect(refused.error!.issues[0]).toMatchObject({ path: ['resume', 'repeatCut'], message: expect.stringContaining('repeat-last') });
    expect(ServerScript.safeParse({ resume: { state: 'restored', repeatCut: 12 } }).success).toBe(false);
    expect(ServerScript.safeParse({ resume: { state: 'repeat-last', repeatCut: 0 } }).success).toBe(false);
  });
});

describe('the script schema', () => {
  it('every field has a default: an empty script is the reference server', () => {
    const script = ServerScript.parse({});
    expect(script).toMatchObject({
      expiry: { enabled: true, lifetime: 600, timeLeft: 60, closeCode: 1000 },
      handles: { every: 1, firstAfterTurn: 0, firstDelay: 0, ttl: 7200 },
      validation: { reject: 'silent-fresh', rejectClose: { code: 1008 }, silentFresh: { greet: true } },
      resume: { confirm: 'immediate', state: 'restored' },
      faults: [],
      toxics: [],
    });
  });

  it('takes Toxiproxy toxics with Toxiproxy\'s fields: name, type, stream, toxicity, attributes', () => {
    const script = ServerScript.parse({
      toxics: [
        { name: 'latency_downstream', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 1000, jitter: 100 } },
        { type: 'timeout', attributes: { timeout: 0 } },
        { type: 'reset_peer', stream: 'upstream', attributes: { timeout: 500 } },
        { type: 'slow_close', attributes: { delay: 200 } },
        { type: 'limit_data', attributes: { bytes: 4096 } },
        { type: 'down', attributes: { duration: 3000 } },
      ],
    });
    expect(script.toxics.map((t) => t.type)).toEqual(['latency', 'timeout', 'reset_peer', 'slow_close', 'limit_data', 'down']);
    expect(script.toxics[1]).toMatchObject({ stream: 'downstream', toxicity: 1 });
    expect(ServerScript.safeParse({ toxics: [{ type: 'latency', attributes: { latency: 1, bogus: 2 } }] }).success).toBe(false);
    expect(ServerScript.safeParse({ toxics: [{ type: 'bandwidth', attributes: { rate: 1 } }] }).success).toBe(false);
  });

  it('a trigger takes exactly one form, an action exactly one key', () => {
    expect(ServerScript.safeParse({ faults: [{ when: { at: 1, turn: 2 }, do: { drop: {} } }] }).success).toBe(false);
    expect(ServerScript.safeParse({ faults: [{ when: { at: 1 }, do: { drop: {}, halfOpen: {} } }] }).success).toBe(false);
    expect(ServerScript.safeParse({ faults: [{ when: { every: 5, count: 3 }, do: [{ drop: {} }] }] }).success).toBe(true);
  });
});
