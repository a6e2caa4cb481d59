/**
 * Spec §6 behaviour, one trap per test, against the fake server on a virtual clock.
 * Names carry the trap ids of the brief (T1…T14).
 */
import { describe, expect, it } from 'vitest';
import { createPersona, prospectMessage } from './core/persona.ts';
import type { FakeConnection } from './testing/fake-agent-server.ts';
import { createFixture } from './testing/simulator-fixture.ts';

const SEED = 7;
const persona = createPersona(SEED);
const say = (index: number): string => prospectMessage(persona, index);

/** Every prospect text must reach each model context at most once. */
function expectNoDuplicates(connections: FakeConnection[]): void {
  for (const c of connections) {
    expect(c.duplicates, `duplicates on connection ${c.index}`).toEqual([]);
    expect(new Set(c.prospectTexts).size, `a text sent twice on connection ${c.index}`).toBe(c.prospectTexts.length);
  }
}

function count<T>(items: T[], item: T): number {
  return items.filter((x) => x === item).length;
}

describe('T1: a close the client did not ask for', () => {
  it('reconnects with the newest handle after a 1000 close that follows session_expiring', async () => {
    const f = createFixture({
      maxTurns: 3,
      onProspect: (c, index) => {
        if (c.index !== 0 || index !== 2) return 'answer';
        // Mid-turn: the server warns, then closes normally before the client's planned rotation.
        f.server.expire(c, 60);
        f.server.at(100, () => f.server.drop(c, 1000, 'session expired'));
        return 'ignore';
      },
    });
    const result = await f.run();
    expect(result.status).toBe('completed');
    expect(f.server.connections).toHaveLength(2);
    const [first, second] = f.server.connections as [FakeConnection, FakeConnection];
    expect(second.presentedHandle).toBe(first.lastHandle);
    expect(second.resumed).toBe(true);
    expect(result).toMatchObject({ turns: 3, reconnects: 1, contextLost: false });
    expect(f.server.sessionsCreated).toHaveLength(1);
  });

  it.each([1001, 1006, 1008, 1011])('reconnects with the handle after close code %i', async (code) => {
    const f = createFixture({
      maxTurns: 2,
      afterAnswer: (c, index) => {
        if (c.index === 0 && index === 1) f.server.at(10, () => f.server.drop(c, code, 'bye'));
      },
    });
    const result = await f.run();
    expect(result.status).toBe('completed');
    expect(f.server.connections[1]?.presentedHandle).toBe(f.server.connections[0]?.lastHandle);
  });
});

describe('T2: only session:resumed confirms a resume', () => {
  it('sends nothing on a resume connection that opened without session:resumed, and gives up on it in time', async () => {
    const f = createFixture({
      maxTurns: 3,
      plan: (i) => (i === 1 ? { resume: 'no-confirm' } : {}),
      onProspect: (c, index) => {
        if (c.index === 0 && index === 2) {
          f.server.at(50, () => f.server.drop(c, 1006, ''));
          return 'ignore';
        }
        return 'answer';
      },
    });
    const result = await f.run();
    expect(result.status).toBe('completed');
    const [, unconfirmed, resumed] = f.server.connections as [FakeConnection, FakeConnection, FakeConnection];
    expect(unconfirmed.received).toEqual([]);
    expect(unconfirmed.clientClose?.code).toBe(1000);
    expect(unconfirmed.clientClose!.at - unconfirmed.createdAt).toBe(10_000);
    expect(resumed.presentedHandle).toBe(unconfirmed.presentedHandle);
    expect(count(resumed.prospectTexts, say(2))).toBe(1);
    expect(result.reconnects).toBe(2);
  });

  it('treats a transcript before session:resumed as a silent fresh session: drops the handle, never adopts the new one', async () => {
    const f = createFixture({
      maxTurns: 3,
      plan: (i) => (i === 1 ? { resume: 'silent-fresh' } : {}),
      afterAnswer: (c, index) => {
        if (c.index === 0 && index === 1) f.server.at(10, () => f.server.drop(c, 1011, 'upstream error'));
      },
    });
    const result = await f.run();
    expect(result).toMatchObject({ status: 'failed', contextLost: true });
    expect(result.reason).toMatch(/fresh session/);
    expect(f.server.connections).toHaveLength(2);
    expect(f.server.connections[1]!.received).toEqual([]);
    expect(f.server.connections[1]!.clientClose?.code).toBe(1000);
  });
});

describe('T3: events of a replaced socket are ignored', () => {
  it('ignores the late close of the socket it rotated away from', async () => {
    const f = createFixture({
      maxTurns: 5,
      clientCloseEventDelayMs: 2_000,
      afterAnswer: (c, index) => {
        if (c.index === 0 && index === 1) f.server.expire(c, 60);
      },
    });
    const result = await f.run();
    expect(result.status).toBe('completed');
    expect(f.server.connections).toHaveLength(2);
    expect(result.reconnects).toBe(1);
    expect(result.turns).toBe(5);
    const stale = result.events.filter((e) => e.kind === 'stale-event-ignored' && e.what === 'close');
    expect(stale.length).toBeGreaterThanOrEqual(1);
  });

  it('ignores frames still arriving on the old socket', async () => {
    const f = createFixture({
      maxTurns: 3,
      afterAnswer: (c, index) => {
        if (c.index === 0 && index === 1) {
          f.server.expire(c, 60);
          // The old upstream still talks: a final transcript and a handle, after the rotation.
          f.server.at(1, () => {
            c.socket.dispatch('message', { data: JSON.stringify({ type: 'transcript', role: 'agent', text: 'ghost', final: true }) });
            c.socket.dispatch('message', {
              data: JSON.stringify({ type: 'session_resumption_update', handle: 'ghost_handle_xxxxxxxxxxxxxxxx', resumable: true }),
            });
          });
        }
      },
    });
    const result = await f.run();
    expect(result.status).toBe('completed');
    expect(f.server.connections.some((c) => c.presentedHandle === 'ghost_handle_xxxxxxxxxxxxxxxx')).toBe(false);
    expectNoDuplicates(f.server.connections);
    expect(result.turns).toBe(3);
  });
});

describe('T4: bounded attempts with growing delays', () => {
  it('makes maxAttempts attempts per outage, the first at once, then base·2^(n−2) ± jitter, then fails', async () => {
    const f = createFixture({
      maxTurns: 3,
      plan: (i) => (i >= 1 ? { open: 'refuse' } : {}),
      afterAnswer: (c, index) => {
        if (c.index === 0 && index === 1) f.server.at(10, () => f.server.drop(c, 1006, ''));
      },
    });
    const result = await f.run();
    expect(result).toMatchObject({ status: 'failed', contextLost: true, reconnects: 3 });
    expect(result.reason).toMatch(/3 attempts/);
    const conns = f.server.connections;
    expect(conns).toHaveLength(4);
    const dropAt = conns[0]!.serverClose!.at;
    const latency = 5; // refusals close 5 ms after the attempt
    expect(conns[1]!.createdAt - dropAt).toBe(0);
    const gap2 = conns[2]!.createdAt - (conns[1]!.createdAt + latency);
    const gap3 = conns[3]!.createdAt - (conns[2]!.createdAt + latency);
    expect(gap2).toBeGreaterThanOrEqual(1600);
    expect(gap2).toBeLessThanOrEqual(2400);
    expect(gap3).toBeGreaterThanOrEqual(3200);
    expect(gap3).toBeLessThanOrEqual(4800);
    for (const c of conns.slice(1)) expect(c.presentedHandle).toBe(conns[0]!.lastHandle);
  });

  it('does not reset the count on session:resumed: a handle that is accepted then dropped is abandoned', async () => {
    const f = createFixture({
      maxTurns: 3,
      plan: (i) => (i >= 1 ? { closeAfterResumed: 1011 } : {}),
      afterAnswer: (c, index) => {
        if (c.index === 0 && index === 1) f.server.at(10, () => f.server.drop(c, 1011, 'upstream error'));
      },
    });
    const result = await f.run();
    expect(result).toMatchObject({ status: 'failed', contextLost: true });
    expect(result.reason).toMatch(/before a full agent turn 2 times/);
    // The original connection, then two accept-then-close cycles (maxAcceptThenClose = 2).
    expect(f.server.connections).toHaveLength(3);
  });

  it('resets the count after a resumed connection carried a full agent turn', async () => {
    // Every connection is dropped right after its first answer: each outage is a new one.
    const f = createFixture({
      maxTurns: 6,
      afterAnswer: (c, index) => {
        if (index >= 1) f.server.at(10, () => f.server.drop(c, 1011, 'flap'));
      },
    });
    const result = await f.run();
    expect(result.status).toBe('completed');
    expect(result.turns).toBe(6);
    expect(result.reconnects).toBeGreaterThan(3);
    expect(result.events.filter((e) => e.kind === 'attempts-reset').length).toBeGreaterThan(0);
    expectNoDuplicates(f.server.connections);
  });
});

describe('T5: resumable:false keeps the previous handle', () => {
  it('presents the last resumable handle and replays what its state lacks, in order', async () => {
    const f = createFixture({
      maxTurns: 3,
      resumableAfter: (index) => index !== 2,
      afterAnswer: (c, index) => {
        // Drop during the think time after answer 2, whose update was resumable:false.
        if (c.index === 0 && index === 2) f.server.at(10, () => f.server.drop(c, 1011, 'upstream error'));
      },
    });
    const result = await f.run();
    expect(result.status).toBe('completed');
    const [first, second] = f.server.connections as [FakeConnection, FakeConnection];
    // The handle issued after answer 1 (the second handle: the greeting's was first).
    const handles = [...f.server.handles.keys()];
    expect(second.presentedHandle).toBe(handles[1]);
    expect(second.presentedHandle).not.toBe('');
    expect(first.lastHandle).toBe(handles[1]);
    expect(second.prospectTexts).toEqual([say(2), say(3)]);
    expectNoDuplicates(f.server.connections);
    expect(result.turns).toBe(3);
  });
});

describe('T6: proactive rotation on session_expiring', () => {
  it('rotates at once at a turn boundary, closing 1000 itself long before the deadline', async () => {
    let expiredAt = 0;
    const f = createFixture({
      maxTurns: 3,
      afterAnswer: (c, index) => {
        if (c.index === 0 && index === 1) {
          expiredAt = f.clock.now();
          f.server.expire(c, 60);
        }
      },
    });
    const result = await f.run();
    expect(result.status).toBe('completed');
    const [first, second] = f.server.connections as [FakeConnection, FakeConnection];
    expect(first.serverClose).toBeNull();
    expect(first.clientClose).toMatchObject({ code: 1000, at: expiredAt });
    expect(second.presentedHandle).toBe(first.lastHandle);
    expect(second.createdAt).toBe(expiredAt);
    // Nothing was pending: nothing is re-sent, the conversation just goes on.
    expect(first.prospectTexts).toEqual([say(1)]);
    expect(second.prospectTexts).toEqual([say(2), say(3)]);
    expect(result).toMatchObject({ turns: 3, reconnects: 1, contextLost: false });
  });

  it('mid-turn, rotates at deadline − margin even though the agent has not answered', async () => {
    let expiredAt = 0;
    const f = createFixture({
      maxTurns: 3,
      simulator: { policy: { inactivityTimeoutMs: 120_000 } },
      onProspect: (c, index) => {
        if (c.index === 0 && index === 2) {
          expiredAt = f.clock.now();
          f.server.expire(c, 60);
          return 'ignore';
        }
        return 'answer';
      },
    });
    const result = await f.run();
    expect(result.status).toBe('completed');
    const [first, second] = f.server.connections as [FakeConnection, FakeConnection];
    expect(first.clientClose).toMatchObject({ code: 1000, at: expiredAt + 50_000 });
    expect(first.serverClose).toBeNull();
    expect(count(second.prospectTexts, say(2))).toBe(1);
  });

  it('caps the margin to half of timeLeft', async () => {
    let expiredAt = 0;
    const f = createFixture({
      maxTurns: 2,
      onProspect: (c, index) => {
        if (c.index === 0 && index === 2) {
          expiredAt = f.clock.now();
          f.server.expire(c, 8);
          return 'ignore';
        }
        return 'answer';
      },
    });
    await f.run();
    expect(f.server.connections[0]!.clientClose?.at).toBe(expiredAt + 4_000);
  });

  it('plans one rotation per connection, however many session_expiring arrive', async () => {
    let expiredAt = 0;
    const f = createFixture({
      maxTurns: 3,
      simulator: { policy: { inactivityTimeoutMs: 120_000 } },
      onProspect: (c, index) => {
        if (c.index === 0 && index === 2) {
          expiredAt = f.clock.now();
          f.server.expire(c, 60);
          f.server.at(30_000, () => f.server.expire(c, 60));
          f.server.at(31_000, () => f.server.expire(c, 60));
          return 'ignore';
        }
        return 'answer';
      },
    });
    const result = await f.run();
    expect(result.status).toBe('completed');
    expect(f.server.connections).toHaveLength(2);
    expect(f.server.connections[0]!.clientClose?.at).toBe(expiredAt + 50_000);
    expect(result.events.filter((e) => e.kind === 'rotate')).toHaveLength(1);
  });

  it('waits for the handle that follows the answer, then rotates at that boundary', async () => {
    let expiredAt = 0;
    let answeredAt = 0;
    const f = createFixture({
      maxTurns: 3,
      replyDelayMs: 2_000,
      onProspect: (c, index) => {
        if (c.index === 0 && index === 2) {
          f.server.at(500, () => {
            expiredAt = f.clock.now();
            f.server.expire(c, 60);
          });
        }
        return 'answer';
      },
      afterAnswer: (c, index) => {
        if (c.index === 0 && index === 2) answeredAt = f.clock.now();
      },
    });
    const result = await f.run();
    expect(result.status).toBe('completed');
    const [first, second] = f.server.connections as [FakeConnection, FakeConnection];
    expect(answeredAt).toBeGreaterThan(expiredAt);
    expect(first.clientClose?.at).toBe(answeredAt);
    expect(second.presentedHandle).toBe(first.lastHandle);
    expect(second.prospectTexts).toEqual([say(3)]);
  });
});

describe('T7: re-send after resume', () => {
  it('re-sends the unanswered prospect message exactly once on the resumed connection', async () => {
    const f = createFixture({
      maxTurns: 4,
      onProspect: (c, index) => {
        if (c.index === 0 && index === 3) {
          f.server.at(100, () => f.server.drop(c, 1006, ''));
          return 'ignore';
        }
        return 'answer';
      },
    });
    const result = await f.run();
    expect(result).toMatchObject({ status: 'completed', turns: 4, reconnects: 1, contextLost: false });
    const [first, second] = f.server.connections as [FakeConnection, FakeConnection];
    expect(first.prospectTexts).toEqual([say(1), say(2), say(3)]);
    expect(second.prospectTexts).toEqual([say(3), say(4)]);
    expectNoDuplicates(f.server.connections);
    expect(result.events.filter((e) => e.kind === 'prospect-sent' && e.resend === true)).toHaveLength(1);
  });

  it('re-sends nothing when the handle already covers every message sent', async () => {
    const f = createFixture({
      maxTurns: 3,
      afterAnswer: (c, index) => {
        if (c.index === 0 && index === 2) f.server.at(10, () => f.server.drop(c, 1001, 'restart'));
      },
    });
    const result = await f.run();
    expect(result.status).toBe('completed');
    expect(f.server.connections[1]!.prospectTexts).toEqual([say(3)]);
    expect(result.events.filter((e) => e.kind === 'prospect-sent' && e.resend === true)).toHaveLength(0);
  });
});

describe('T9: half-open connection', () => {
  it('closes a silent connection after inactivityTimeoutMs while awaiting the agent, and resumes', async () => {
    let sentAt = 0;
    const f = createFixture({
      maxTurns: 3,
      onProspect: (c, index) => {
        if (c.index === 0 && index === 2) {
          sentAt = f.clock.now();
          return 'ignore';
        }
        return 'answer';
      },
    });
    const result = await f.run();
    expect(result.status).toBe('completed');
    const [first, second] = f.server.connections as [FakeConnection, FakeConnection];
    // The watch started when the client sent (one 5 ms hop before the server saw it).
    expect(first.clientClose?.at).toBe(sentAt - 5 + 30_000);
    expect(second.presentedHandle).toBe(first.lastHandle);
    expect(count(second.prospectTexts, say(2))).toBe(1);
  });

  it('any frame, binary included, restarts the inactivity watch', async () => {
    const f = createFixture({
      maxTurns: 2,
      onProspect: (c, index) => {
        if (c.index === 0 && index === 2) {
          for (let k = 1; k <= 4; k++) f.server.at(k * 20_000, () => c.socket.serverSendBinary(64));
          f.server.at(85_000, () => f.server.answerNow(c, 2));
          return 'ignore';
        }
        return 'answer';
      },
    });
    const result = await f.run();
    expect(result.status).toBe('completed');
    expect(f.server.connections).toHaveLength(1);
  });

  it('a connection that never opens is abandoned, not waited on forever', async () => {
    const f = createFixture({ maxTurns: 2, plan: (i) => (i === 0 ? { open: 'hang' } : {}) });
    const result = await f.run();
    expect(result.status).toBe('failed');
    expect(f.server.connections[0]!.clientClose?.code).toBe(1000);
  });
});

describe('T11 and close codes that forbid a reconnect', () => {
  it('never reconnects after conversation_end', async () => {
    const f = createFixture({
      maxTurns: 4,
      afterAnswer: (c, index) => {
        if (c.index === 0 && index === 1) {
          f.server.at(10, () => {
            c.socket.serverSend({ type: 'conversation_end', reason: 'agent hung up' });
            f.server.drop(c, 1000, 'conversation ended');
          });
        }
      },
    });
    const result = await f.run();
    expect(f.server.connections).toHaveLength(1);
    expect(result).toMatchObject({ status: 'failed', turns: 1, reconnects: 0 });
    expect(result.reason).toMatch(/agent hung up/);
  });

  it('does not reconnect after 4001, ends failed with context lost', async () => {
    const f = createFixture({
      maxTurns: 3,
      afterAnswer: (c, index) => {
        if (c.index === 0 && index === 1) f.server.at(10, () => f.server.drop(c, 4001, 'unauthorised'));
      },
    });
    const result = await f.run();
    expect(f.server.connections).toHaveLength(1);
    expect(result).toMatchObject({ status: 'failed', contextLost: true, reconnects: 0 });
    expect(result.reason).toMatch(/4001/);
  });

  it('after 4003 drops the handle and never presents it again (fallback fail: ends failed)', async () => {
    const f = createFixture({
      maxTurns: 3,
      plan: (i) => (i === 1 ? { resume: 'reject-4003' } : {}),
      afterAnswer: (c, index) => {
        if (c.index === 0 && index === 1) f.server.at(10, () => f.server.drop(c, 1011, 'upstream'));
      },
    });
    const result = await f.run();
    expect(result).toMatchObject({ status: 'failed', contextLost: true });
    expect(result.reason).toMatch(/4003/);
    expect(f.server.connections).toHaveLength(2);
    expect(f.server.sessionsCreated).toHaveLength(1);
  });

  it('after 4003 with fallback new-session: a second session, no old handle, context reported lost', async () => {
    const f = createFixture({
      maxTurns: 3,
      simulator: { policy: { fallback: 'new-session' } },
      plan: (i) => (i === 1 ? { resume: 'reject-4003' } : {}),
      onProspect: (c, index) => {
        if (c.index === 0 && index === 2) {
          f.server.at(10, () => f.server.drop(c, 1011, 'upstream'));
          return 'ignore';
        }
        return 'answer';
      },
    });
    const result = await f.run();
    expect(result).toMatchObject({ status: 'completed', contextLost: true, turns: 3, conversationId: 'conv_2' });
    expect(f.server.sessionsCreated).toHaveLength(2);
    const rejected = f.server.connections[1]!.presentedHandle;
    expect(rejected).not.toBeNull();
    const later = f.server.connections.slice(2);
    expect(later.length).toBeGreaterThan(0);
    for (const c of later) expect(c.presentedHandle).not.toBe(rejected);
    const fresh = later[0]!;
    expect(fresh.presentedHandle).toBeNull();
    expect(fresh.url.searchParams.get('sessionToken')).toBe(f.server.sessionTokens[1]);
    // The script goes on where it was: the unanswered message follows the new greeting.
    expect(fresh.prospectTexts).toEqual([say(2), say(3)]);
  });
});

describe('T13: resume impossible without a handle', () => {
  it('a drop before the first handle ends failed, without a silent new session', async () => {
    const f = createFixture({
      maxTurns: 3,
      replyDelayMs: 1_000,
      // Dropped 100 ms after opening, before the greeting (and so before any handle).
      plan: (i, c) => {
        if (i === 0) f.server.at(105, () => f.server.drop(c, 1006, ''));
        return {};
      },
    });
    const result = await f.run();
    expect(result).toMatchObject({ status: 'failed', contextLost: true, reconnects: 0, turns: 0 });
    expect(result.reason).toMatch(/before the server issued any resume handle/);
    expect(f.server.connections).toHaveLength(1);
    expect(f.server.sessionsCreated).toHaveLength(1);
  });
});
