/**
 * The expiry axis's deadline: counted from the notice the client got. Meeting the mock, that is
 * the journal's notice; through a server, the server's relays (measured, judge/server/relay-lag.ts)
 * move it later, and only by what was measured.
 */
import { describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../mock-server/index.ts';
import { Scenario } from '../scenario/schema.ts';
import { conversationFacts } from '../analysis/conversation-facts.ts';
import type { RunAnalysis } from '../analysis/run-analysis.ts';
import { buildTimeline } from '../analysis/timeline.ts';
import type { ClientReport } from '../sut/system-under-test.ts';
import { judgeExpiry } from './expiry-axis.ts';

const scenario = Scenario.parse({ id: 'unit', title: 't', description: 'd', expectation: 'e', why: 'w', group: 'expiry', provenance: ['unit'], expect: { outcome: 'completes' }, limit: 3600, conversation: { maxTurns: 2 } });
const completed: ClientReport = { state: 'reported', result: { status: 'completed', turns: 2, reconnects: 1, contextLost: false } };

/** A notice at 10 s with timeLeft 5 (deadline 15 s); the client closes connection 1 at `closedAt`, then resumes. */
function run(closedAt: number): JournalEvent[] {
  return [
    { kind: 'http-session', t: 0, status: 201, conversationId: 'c1' },
    { kind: 'open', t: 0, conn: 1, ordinal: 1, conversationId: 'c1', presented: null, handle: null, resume: 'none', contextTurns: 0, contextIds: [], conversationTurns: 0, latestIssued: null, openConnections: [] },
    { kind: 'expiring', t: 10_000, conn: 1, timeLeft: 5, deadline: 15_000, hasHandle: true },
    { kind: 'close', t: closedAt, conn: 1, code: 1000, reason: '', by: 'client' },
  ];
}

function judge(events: JournalEvent[], relayLagMs?: ReadonlyMap<number, number>, end = 20_000, client: ClientReport = completed) {
  const timeline = buildTimeline(events, end);
  const analysis: RunAnalysis = { timeline, get facts() { return conversationFacts(timeline); } };
  return judgeExpiry({ scenario, analysis, client, output: [], secrets: [], ...(relayLagMs ? { relayLagMs } : {}) });
}

describe('the expiry deadline', () => {
  it('meeting the mock: a close before the deadline is OK, 100 ms after it FAILED', () => {
    expect(judge(run(14_900)).verdict).toBe('OK');
    expect(judge(run(15_100))).toMatchObject({ verdict: 'FAILED', reason: 'Overstayed timeLeft: the client closed connection 1 0.1 s after the announced deadline.' });
  });

  it('a connection still open when the run ended: FAILED past the deadline, or left open by a client that reported; not for a hang stopped before it', () => {
    const open = run(0).slice(0, 3);
    expect(judge(open, undefined, 20_000)).toMatchObject({ verdict: 'FAILED', reason: 'Connection 1 was still open when the run ended, 5.0 s past its goAway deadline.' });
    // The client reported its result at 12 s, 3 s before the deadline, and left the socket open: nothing closes it.
    expect(judge(open, undefined, 12_000)).toMatchObject({ verdict: 'FAILED', reason: 'Connection 1 was left open when the client ended its run, 3.0 s before its goAway deadline: nothing is left to close it before the deadline.' });
    // Stopped at 12 s with no result (a hang): never past the deadline; the other axes judge the hang.
    expect(judge(open, undefined, 12_000, { state: 'hung', reason: 'limit' }).verdict).not.toBe('FAILED');
  });

  it('through a server: later by the relays measured on that connection, and not one ms more', () => {
    expect(judge(run(15_100), new Map([[1, 300]])).verdict).toBe('OK');
    expect(judge(run(15_400), new Map([[1, 300]]))).toMatchObject({ verdict: 'FAILED', reason: expect.stringMatching(/0\.1 s after the announced deadline \(counted from when the server relayed the notice, 0\.3 s of relays allowed\)/) });
    // Another connection's lag is not this one's.
    expect(judge(run(15_100), new Map([[2, 300]])).verdict).toBe('FAILED');
  });
});
