import { describe, expect, it } from 'vitest';
import { createPersona, prospectMessage } from './core/persona.ts';
import { createFixture } from './testing/simulator-fixture.ts';

describe('ProspectSimulator: an uneventful conversation', () => {
  it('greets, alternates strictly, ends with end_conversation and reports completed', async () => {
    const f = createFixture({ maxTurns: 4 });
    const result = await f.run();
    expect(result.status).toBe('completed');
    expect(result.turns).toBe(4);
    expect(result.reconnects).toBe(0);
    expect(result.contextLost).toBe(false);
    expect(result.conversationId).toBe('conv_1');
    expect(f.server.sessionsCreated).toHaveLength(1);
    expect(f.server.connections).toHaveLength(1);
    const conn = f.server.connections[0]!;
    expect(conn.presentedHandle).toBeNull();
    const persona = createPersona(7);
    expect(conn.received.map((m) => m.type)).toEqual([
      'prospect_message',
      'prospect_message',
      'prospect_message',
      'prospect_message',
      'end_conversation',
    ]);
    expect(conn.prospectTexts).toEqual([1, 2, 3, 4].map((i) => prospectMessage(persona, i)));
    expect(conn.duplicates).toEqual([]);
    expect(conn.clientClose?.code).toBe(1000);
    expect(f.server.sessionsCreated[0]?.body).toEqual({ prospectName: persona.fullName });
  });

  it('waits the seeded think time after each agent turn before replying', async () => {
    const f = createFixture({ maxTurns: 3, simulator: { thinkTimeMs: [4000, 9000] } });
    const result = await f.run();
    const finals = result.events.filter((e) => e.kind === 'agent-greeting' || e.kind === 'turn-answered');
    const sends = result.events.filter((e) => e.kind === 'prospect-sent');
    expect(sends).toHaveLength(3);
    sends.forEach((send, i) => {
      const gap = send.t - finals[i]!.t;
      expect(gap).toBeGreaterThanOrEqual(4000);
      expect(gap).toBeLessThanOrEqual(9000);
    });
  });

  it('is deterministic: same seed, same wire traffic and same event log', async () => {
    const a = await createFixture({ maxTurns: 3, seed: 21 }).run();
    const b = await createFixture({ maxTurns: 3, seed: 21 }).run();
    expect(b.events).toEqual(a.events);
  });

  it('with maxTurns 0 ends right after the greeting', async () => {
    const f = createFixture({ maxTurns: 0 });
    const result = await f.run();
    expect(result).toMatchObject({ status: 'completed', turns: 0, reconnects: 0, contextLost: false });
    expect(f.server.connections[0]!.received.map((m) => m.type)).toEqual(['end_conversation']);
  });
});
