/**
 * The turns axis on a client that reports failure: FAILED only when turns were missing where the
 * server would have resumed; a failure reported after every turn was answered is a misreport of
 * the ending (sut-contract §4), graded NON-STRICT (in-flight-lost.end-swallowed).
 */
import { describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../mock-server/index.ts';
import type { SutResult } from '../../protocol/sut-result.ts';
import { conversationFacts } from '../analysis/conversation-facts.ts';
import type { RunAnalysis } from '../analysis/run-analysis.ts';
import { buildTimeline } from '../analysis/timeline.ts';
import { Scenario } from '../scenario/schema.ts';
import { judgeTurns } from './turns-axis.ts';
import { ruleOfVerdict } from './judge-rules.ts';

const scenario = Scenario.parse({ id: 'unit', title: 't', description: 'd', expectation: 'e', why: 'w', group: 'delivery', provenance: ['unit'], expect: { outcome: 'completes' }, conversation: { maxTurns: 2 } });

const session: JournalEvent = { kind: 'http-session', t: 0, status: 201, conversationId: 'c1' };
const open: JournalEvent = { kind: 'open', t: 0, conn: 1, ordinal: 1, conversationId: 'c1', presented: null, handle: null, resume: 'none', contextTurns: 0, contextIds: [], conversationTurns: 0, latestIssued: null, openConnections: [] };
const greeting: JournalEvent = { kind: 'agent-turn', t: 500, conn: 1, turn: 0, greeting: true };
const prospect = (turn: number, t: number): JournalEvent => ({ kind: 'prospect-turn', t, conn: 1, turn, contextTurns: turn - 1, textId: `‹m${turn}›` });
const answer = (turn: number, t: number): JournalEvent => ({ kind: 'agent-turn', t, conn: 1, turn, greeting: false, answers: `‹m${turn}›` });

function judge(events: JournalEvent[], result: SutResult) {
  const timeline = buildTimeline(events, 10_000);
  const analysis: RunAnalysis = { timeline, get facts() { return conversationFacts(timeline); } };
  const verdict = judgeTurns({ scenario, analysis, client: { state: 'reported', result }, output: [], secrets: [] });
  return { ...verdict, rule: ruleOfVerdict(verdict) };
}

describe('a client that reports status failed on a scenario that completes', () => {
  it('every turn answered: NON-STRICT turns.done-reported-failed (the ending failed, nothing was lost)', () => {
    const verdict = judge([session, open, greeting, prospect(1, 1000), answer(1, 2000), prospect(2, 3000), answer(2, 4000)], { status: 'failed', turns: 2, reconnects: 0, contextLost: true });
    expect(verdict.verdict).toBe('NON-STRICT');
    expect(verdict.rule).toBe('turns.done-reported-failed');
    expect(verdict.reason).toMatch(/Every turn was answered \(2\/2\)/);
  });

  it('a turn missing: FAILED turns.not-completed', () => {
    const verdict = judge([session, open, greeting, prospect(1, 1000), answer(1, 2000)], { status: 'failed', turns: 1, reconnects: 0, contextLost: true });
    expect(verdict.verdict).toBe('FAILED');
    expect(verdict.rule).toBe('turns.not-completed');
  });

  it('the same run reported completed: OK', () => {
    const verdict = judge([session, open, greeting, prospect(1, 1000), answer(1, 2000), prospect(2, 3000), answer(2, 4000)], { status: 'completed', turns: 2, reconnects: 0, contextLost: false });
    expect(verdict.verdict).toBe('OK');
  });
});

describe('more prospect turns than asked (sut-contract §2, §3: maxTurns)', () => {
  const on = (conn: number, e: JournalEvent): JournalEvent => ({ ...e, conn } as JournalEvent);
  const completed = (turns: number): SutResult => ({ status: 'completed', turns, reconnects: 0, contextLost: false });
  const threeTurns = [session, open, greeting, prospect(1, 1000), answer(1, 2000), prospect(2, 3000), answer(2, 4000), prospect(3, 5000), answer(3, 6000)];

  it('a third message where maxTurns is 2: NON-STRICT turns.beyond-max-turns, naming it', () => {
    const verdict = judge(threeTurns, completed(3));
    expect(verdict.verdict).toBe('NON-STRICT');
    expect(verdict.rule).toBe('turns.beyond-max-turns');
    expect(verdict.reason).toMatch(/^The client sent a prospect message as turn 3 of the model context on connection 1 at 5\.0 s: more than the 2 prospect turns/);
  });

  it('a message re-sent after a resume lands in its own slot again: not counted twice', () => {
    const resumed: JournalEvent = { ...open, conn: 2, ordinal: 2, presented: '‹h1›', resume: 'resumed', contextTurns: 1, contextIds: ['‹m1›'] } as JournalEvent;
    const events = [session, open, greeting, prospect(1, 1000), answer(1, 2000), prospect(2, 3000), { kind: 'close', t: 3500, conn: 1, code: 1006, reason: '', by: 'server' } as JournalEvent,
      resumed, on(2, prospect(2, 4000)), on(2, answer(2, 5000))];
    expect(judge(events, completed(2)).verdict).toBe('OK');
  });

  it('a fresh model session after a context loss numbers its turns from 1 again: not counted beyond', () => {
    const fresh: JournalEvent = { ...open, conn: 2, ordinal: 2 } as JournalEvent;
    const events = [session, open, greeting, prospect(1, 1000), answer(1, 2000), { kind: 'close', t: 2500, conn: 1, code: 1006, reason: '', by: 'server' } as JournalEvent,
      fresh, on(2, prospect(1, 3000)), on(2, answer(1, 3500)), on(2, prospect(2, 4000)), on(2, answer(2, 4500))];
    expect(judge(events, { status: 'completed', turns: 2, reconnects: 1, contextLost: true }).verdict).toBe('OK');
  });
});
