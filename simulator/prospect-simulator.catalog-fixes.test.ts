/**
 * Two behaviours the field-failure catalog showed the reference simulator got wrong, and their
 * fixes: a goAway right after every resume (F3) and the last agent turn repeated after a resume
 * (F19). Each is checked with the fix and, through its decision, without it.
 */
import { describe, expect, it } from 'vitest';
import type { ResumeDecisions } from './index.ts';
import type { FakeConnection } from './testing/fake-agent-server.ts';
import { createFixture } from './testing/simulator-fixture.ts';

/** The decision as it was before the F3 fix: right after a resume counts as a turn boundary. */
const BoundaryRightAfterResume: Partial<ResumeDecisions> = {
  isRotationBoundary: (ctx) => {
    const connection = ctx.current;
    const handle = ctx.newestHandle;
    return connection !== null && connection.usable && ctx.pendingReply === null && handle !== null && handle.finalsBefore === ctx.finalsSeen && handle.coveredThrough === ctx.contextThrough;
  },
};

const NoRepeatDetection: Partial<ResumeDecisions> = {
  isRepeatedAgentTurn: () => false,
};

describe('F3: session_expiring right after every resume', () => {
  const fixture = (decisions?: Partial<ResumeDecisions>) => {
    const warned = new Set<number>();
    const f = createFixture({
      maxTurns: 6,
      ...(decisions ? { decisions } : {}),
      afterAnswer: (c, index) => {
        if (c.index === 0 && index === 2) f.server.expire(c, 60);
      },
      plan: (i, connection) => {
        if (i >= 1 && !warned.has(i)) {
          warned.add(i);
          // Right after session:resumed (sent one latency after the open).
          f.server.at(20, () => f.server.expire(connection, 60));
        }
        return {};
      },
    });
    return f;
  };

  it('rotates only after the resumed connection carried a turn: progress on every connection', async () => {
    const f = fixture();
    const result = await f.run();
    expect(result).toMatchObject({ status: 'completed', turns: 6, contextLost: false });
    const connections = f.server.connections as FakeConnection[];
    // One turn per resumed connection at least, so never more connections than turns.
    expect(connections.length).toBeLessThanOrEqual(6);
    for (const c of connections.slice(1, -1)) expect(c.prospectTexts.length, `connection ${c.index}`).toBeGreaterThan(0);
  });

  it('without the fix, it rotates again at once after each resume and gives up without progress', async () => {
    const result = await fixture(BoundaryRightAfterResume).run();
    expect(result.status).toBe('failed');
    expect(result.turns).toBeLessThan(6);
  });
});

describe('F19: the last agent turn delivered again after a resume', () => {
  const fixture = (decisions?: Partial<ResumeDecisions>) => {
    let lastAnswer: { first: string; full: string } | null = null;
    let replayed = false;
    const f = createFixture({
      maxTurns: 4,
      replyDelayMs: 3_000,
      simulator: { thinkTimeMs: [500, 800] },
      ...(decisions ? { decisions } : {}),
      afterAnswer: (_c, index) => {
        if (index === 1) lastAnswer = { first: 'Answer 1: ', full: 'Answer 1: that is a great question about your needs.' };
      },
      onProspect: (c, index) => {
        if (c.index === 0 && index === 2) {
          // The message is in flight when the connection drops.
          f.server.at(100, () => f.server.drop(c, 1006, ''));
          return 'ignore';
        }
        return 'answer';
      },
      plan: (i, connection) => {
        // plan() is asked on every frame: replay once.
        if (i === 1 && !replayed) {
          replayed = true;
          f.server.at(20, () => {
            // The restored state's last turn, streamed again right after session:resumed.
            if (!lastAnswer) return;
            connection.socket.serverSend({ type: 'transcript', role: 'agent', text: lastAnswer.first, final: false });
            connection.socket.serverSend({ type: 'transcript', role: 'agent', text: lastAnswer.full, final: true });
          });
        }
        return {};
      },
    });
    return f;
  };

  it('skips the repeat and waits for the real answer to the message it re-sent', async () => {
    const f = fixture();
    const result = await f.run();
    expect(result).toMatchObject({ status: 'completed', turns: 4 });
    expect(result.events.filter((e) => e.kind === 'agent-turn-repeated')).toHaveLength(1);
    // Message 2 was answered by the agent's real answer to it, not by the repeat of answer 1.
    const answered2 = result.events.find((e) => e.kind === 'turn-answered' && e.index === 2);
    expect(answered2?.text).toMatch(/Answer 2/);
  });

  it('without the fix, the repeat is taken for the answer to the message just re-sent', async () => {
    const result = await fixture(NoRepeatDetection).run();
    expect(result.events.filter((e) => e.kind === 'agent-turn-repeated')).toHaveLength(0);
    const answered2 = result.events.find((e) => e.kind === 'turn-answered' && e.index === 2);
    expect(answered2?.text).toMatch(/Answer 1/);
  });
});
