import { describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../mock-server/index.ts';
import { analyseRun } from '../analysis/run-analysis.ts';
import { runFacts as runFactsOf } from './run-facts.ts';
import { H2, syntheticJournal } from './testing/synthetic-run.ts';

/** The report's facts of a journal, from the run's analysis as run/ works it out. */
const runFacts = (journal: JournalEvent[], protocolMs: number, maxTurns: number) => runFactsOf(journal, analyseRun(journal, protocolMs), maxTurns);

describe('runFacts', () => {
  const facts = runFacts(syntheticJournal(), 12_000, 5);

  it('turns each connection into a segment with its close, handle and context', () => {
    expect(facts.connections.map((c) => [c.conn, c.openedAt, c.closedAt, c.close?.code, c.close?.by, c.resume])).toEqual([
      [1, 0, 6000, 1006, 'server', 'none'],
      [2, 9000, 10_000, 1000, 'client', 'rejected'],
    ]);
    const [first, second] = facts.connections;
    expect(first).toMatchObject({ agentTurns: 1, prospectTurns: 2, greeting: true, framesIn: 2, framesOut: 2, contextLostTurns: 0, handlePresented: null });
    expect(first!.handlesIssued.map((h) => h.seq)).toEqual([1, 2]);
    expect(first!.expiring).toEqual([{ t: 5000, timeLeftS: 3, deadline: 8000 }]);
    expect(first!.close?.cause).toBe('fault: drop');
    expect(second).toMatchObject({ handlePresented: H2, handleSeq: 2, contextTurns: 0, conversationTurns: 1, contextLostTurns: 1, rejection: 'silent-fresh', durationMs: 1000 });
  });

  it('numbers attempts, counts outages and measures the idle gap from the previous attempt\'s end', () => {
    expect(facts.attempts).toEqual([
      { n: 1, t: 0, state: 'opened', conn: 1, status: null, handle: null, outage: 0, sincePreviousMs: null, idleGapMs: null },
      { n: 2, t: 6500, state: 'refused', conn: null, status: 503, handle: H2, outage: 1, sincePreviousMs: 6500, idleGapMs: 500 },
      { n: 3, t: 9000, state: 'opened', conn: 2, status: null, handle: H2, outage: 1, sincePreviousMs: 2500, idleGapMs: 2500 },
    ]);
  });

  it('shades the expiry notice to its deadline, the drop until the close, the outage until its last refusal', () => {
    expect(facts.windows.map((w) => [w.kind, w.from, w.to, w.conn])).toEqual([
      ['expiry', 5000, 8000, 1],
      ['fault', 6000, 6000, 1],
      ['outage', 6000, 6500, null],
    ]);
    expect(facts.windows[0]!.label).toContain('timeLeft 3 s');
  });

  it('marks the turn in flight, the context a resume did not bring back and the turns that never happened', () => {
    expect(facts.losses.map((l) => [l.kind, l.t, l.conn, l.turn, l.turns])).toEqual([
      ['unanswered', 6000, 1, 2, 1],
      ['context', 9000, 2, 1, 1],
      ['unfinished', 10_000, 2, 2, 4],
    ]);
    expect(facts.losses[2]!.label).toBe('turns 2–5 never happened: 1 of 5 answered');
  });

  it('does not call a message lost when the client re-sent it on the next connection', () => {
    const journal = syntheticJournal();
    const at = journal.findIndex((e) => e.kind === 'agent-turn' && e.conn === 2);
    journal.splice(at + 1, 0,
      { kind: 'prospect-turn', t: 9600, conn: 2, turn: 1, contextTurns: 0, textId: '‹22222222›' },
      { kind: 'agent-turn', t: 9700, conn: 2, turn: 1, greeting: false, answers: '‹22222222›' });
    expect(runFacts(journal, 12_000, 5).losses.map((l) => l.kind)).not.toContain('unanswered');
  });

  it('keeps the wire log in order with both directions and the server\'s decoding', () => {
    expect(facts.wire.map((f) => [f.n, f.t, f.dir])).toEqual([[1, 500, 'out'], [2, 500, 'out'], [3, 1000, 'in'], [4, 4000, 'in'], [5, 9800, 'in']]);
    expect(facts.wire[4]).toMatchObject({ decoded: 'unknown-type', problem: 'unknown type "end"', type: null });
  });

  it('lists what happened, in words, and the server\'s own count', () => {
    expect(facts.happened.map((h) => h.kind)).toEqual(['expiring', 'fault', 'close', 'fault', 'upgrade-rejected', 'close']);
    expect(facts.happened[2]!.label).toBe('connection 1 closed 1006 by server (fault: drop)');
    expect(facts.server).toMatchObject({ turnsAnswered: 1, connections: 2, reconnects: 2, resumed: 0, rejected: 1, conversations: 1, conversationEnded: false });
    expect(facts.events.some((e) => e.kind === 'frame-in')).toBe(false);
  });

  it('copes with an empty journal (a harness error before anything ran)', () => {
    const empty = runFacts([], 0, 3);
    expect(empty.connections).toEqual([]);
    expect(empty.losses).toEqual([{ kind: 'unfinished', t: 0, conn: null, turn: 1, turns: 3, label: 'turns 1–3 never happened: 0 of 3 answered' }]);
  });
});
