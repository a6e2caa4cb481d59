/**
 * The context axis's reading of the result contract (sut-contract §4): a client that gives up must
 * say the context did not survive, and only a give-up is held to that.
 */
import { describe, expect, it } from 'vitest';
import type { HandleRef, JournalEvent } from '../../mock-server/index.ts';
import type { SutResult } from '../../protocol/sut-result.ts';
import { conversationFacts } from '../analysis/conversation-facts.ts';
import type { RunAnalysis } from '../analysis/run-analysis.ts';
import { buildTimeline } from '../analysis/timeline.ts';
import { Scenario, type Expectation } from '../scenario/schema.ts';
import { judgeContext } from './context-axis.ts';
import { ruleOfVerdict } from './judge-rules.ts';

const scenario = (outcome: Expectation['outcome']) =>
  Scenario.parse({ id: 'unit', title: 't', description: 'd', expectation: 'e', why: 'w', group: 'timing', provenance: ['unit'], expect: { outcome }, conversation: { maxTurns: 2 } });

const handle: HandleRef = { id: '‹h1›', seq: 1, turns: 1, issuedOnConnection: 1, issuedAt: 2000 };
const session: JournalEvent = { kind: 'http-session', t: 0, status: 201, conversationId: 'c1' };
const open: JournalEvent = { kind: 'open', t: 0, conn: 1, ordinal: 1, conversationId: 'c1', presented: null, handle: null, resume: 'none', contextTurns: 0, contextIds: [], conversationTurns: 0, latestIssued: null, openConnections: [] };
const greeting: JournalEvent = { kind: 'agent-turn', t: 500, conn: 1, turn: 0, greeting: true };
const prospect: JournalEvent = { kind: 'prospect-turn', t: 1000, conn: 1, turn: 1, contextTurns: 0, textId: '‹m1›' };
const answer: JournalEvent = { kind: 'agent-turn', t: 2000, conn: 1, turn: 1, greeting: false, answers: '‹m1›' };
const issued: JournalEvent = { kind: 'handle-issued', t: 2000, conn: 1, handle, reason: 'turn' };
const drop: JournalEvent = { kind: 'close', t: 3000, conn: 1, code: 1006, reason: '', by: 'server' };
const ended: JournalEvent = { kind: 'conversation-end', t: 3000, conn: 1, reason: 'the agent hung up' };

function judge(events: JournalEvent[], result: SutResult, outcome: Expectation['outcome'] = 'gives-up') {
  const timeline = buildTimeline(events, 10_000);
  const analysis: RunAnalysis = { timeline, get facts() { return conversationFacts(timeline); } };
  const verdict = judgeContext({ scenario: scenario(outcome), analysis, client: { state: 'reported', result }, output: [], secrets: [] });
  return { ...verdict, rule: ruleOfVerdict(verdict) };
}

const gaveUp = (contextLost: boolean): SutResult => ({ status: 'failed', turns: 1, reconnects: 3, contextLost });
const run = [session, open, greeting, prospect, answer, issued, drop];

describe('context.gave-up-not-reported (sut-contract §4: contextLost is true when the client gave up)', () => {
  it('grades a give-up reported as contextLost:false NON-STRICT: status failed already reports the failure', () => {
    const verdict = judge(run, gaveUp(false));
    expect(verdict.verdict).toBe('NON-STRICT');
    expect(verdict.rule).toBe('context.gave-up-not-reported');
    expect(verdict.reason).toMatch(/gave up \(status failed\) after 1 connection, yet reported contextLost:false/);
  });

  it('accepts the same give-up reported as contextLost:true', () => {
    expect(judge(run, gaveUp(true)).verdict).toBe('OK');
  });

  it('never fires on a client that completed', () => {
    const complete = [session, open, greeting, prospect, answer, issued];
    expect(judge(complete, { status: 'completed', turns: 1, reconnects: 0, contextLost: false }, 'completes').verdict).toBe('OK');
  });

  it('does not hold a run the server ended (conversation_end) to it: the context lasted to the server\'s end, spec §3', () => {
    const verdict = judge([session, open, greeting, prospect, answer, issued, ended], gaveUp(false), 'completes');
    expect(verdict.verdict).toBe('OK');
  });

  it('does not hold a run that never opened a connection to it: there was no context to lose', () => {
    expect(judge([session], gaveUp(false)).verdict).toBe('OK');
  });
});
