/**
 * The reconnect judgements the catalog added: reconnects a scenario never forces, accept-then-close
 * cycles (only a confirmed resume that is cut counts), and an end past the scenario's limit.
 */
import { describe, expect, it } from 'vitest';
import type { HandleRef, JournalEvent } from '../../mock-server/index.ts';
import { Scenario, type Expectation } from '../scenario/schema.ts';
import { judgeReconnect } from './reconnect-axis.ts';
import { ruleOfVerdict } from './judge-rules.ts';
import { conversationFacts } from '../analysis/conversation-facts.ts';
import type { RunAnalysis } from '../analysis/run-analysis.ts';
import { buildTimeline } from '../analysis/timeline.ts';
import type { ClientReport } from '../sut/system-under-test.ts';

const scenario = (expect: Partial<Expectation> & Pick<Expectation, 'outcome'>, limit = 3600) =>
  Scenario.parse({ id: 'unit', title: 't', description: 'd', expectation: 'e', why: 'w', group: 'timing', provenance: ['unit'], expect, limit, conversation: { maxTurns: 2 } });

const handle = (seq: number, t: number): HandleRef => ({ id: `‹h${seq}›`, seq, turns: 0, issuedOnConnection: 1, issuedAt: t });

function open(conn: number, t: number, presented: string | null, extra: Partial<Extract<JournalEvent, { kind: 'open' }>> = {}): JournalEvent {
  return { kind: 'open', t, conn, ordinal: conn, conversationId: 'c1', presented, handle: null, resume: presented ? 'resumed' : 'none', contextTurns: 0, contextIds: [], conversationTurns: 0, latestIssued: null, openConnections: [], ...extra };
}
const close = (conn: number, t: number, code: number, by: 'client' | 'server' = 'server'): JournalEvent => ({ kind: 'close', t, conn, code, reason: '', by });
const greeting = (conn: number, t: number): JournalEvent => ({ kind: 'agent-turn', t, conn, turn: 0, greeting: true });
const issued = (conn: number, t: number, seq: number): JournalEvent => ({ kind: 'handle-issued', t, conn, handle: handle(seq, t), reason: 'turn' });
const session: JournalEvent = { kind: 'http-session', t: 0, status: 201, conversationId: 'c1' };

const failedClient: ClientReport = { state: 'reported', result: { status: 'failed', turns: 0, reconnects: 2, contextLost: true } };
const completedClient: ClientReport = { state: 'reported', result: { status: 'completed', turns: 2, reconnects: 2, contextLost: false } };

/** The run's analysis with the run's end given (the reconnect axis reads the timeline). */
function analysisOf(events: JournalEvent[], end: number): RunAnalysis {
  const timeline = buildTimeline(events, end);
  return { timeline, get facts() { return conversationFacts(timeline); } };
}

function judge(events: JournalEvent[], expect: Parameters<typeof scenario>[0], client: ClientReport, end = 100_000, limit?: number) {
  return judgeReconnect({ scenario: scenario(expect, limit), analysis: analysisOf(events, end), client, output: [], secrets: [] });
}

describe('maxReconnects', () => {
  const answer = (conn: number, t: number, turn: number): JournalEvent => ({ kind: 'agent-turn', t, conn, turn, greeting: false, answers: `‹m${turn}›` });
  const twoRotations = [
    session, open(1, 0, null), greeting(1, 1000), issued(1, 1000, 1), close(1, 5000, 1000, 'client'),
    open(2, 5000, '‹h1›'), answer(2, 6000, 1), issued(2, 6000, 2), close(2, 9000, 1000, 'client'),
    open(3, 9000, '‹h2›'), answer(3, 10_000, 2),
  ];

  it('grades reconnects beyond what the scenario forces NON-STRICT (spec §6.8 lets the client pick its limit; F15), naming the first abandoned connection', () => {
    const verdict = judge(twoRotations, { outcome: 'completes', maxReconnects: 0 }, completedClient);
    expect(verdict.verdict).toBe('NON-STRICT');
    expect(verdict.reason).toMatch(/Reconnected 2 times where the server forces at most 0: the client abandoned a healthy connection; the first to go was connection 1, closed 1000 by the client at 5\.0 s\. Allowed \(spec §6\.8/);
  });

  it('fails them when the client left right after a frame the protocol tells it to tolerate (spec §2, §3)', () => {
    const badFrame: JournalEvent = { kind: 'fault', t: 4900, conn: 1, rule: 0, action: 'send' };
    const verdict = judge([...twoRotations.slice(0, 4), badFrame, ...twoRotations.slice(4)], { outcome: 'completes', maxReconnects: 0 }, completedClient);
    expect(verdict.verdict).toBe('FAILED');
    expect(verdict.reason).toMatch(/abandoned a healthy connection; the first to go was connection 1, .* after the server sent it a frame to tolerate \(send at 4\.9 s; spec §2/);
  });

  it('counts only this run\'s conversations: an upgrade with an unknown session token is not a reconnect of this client', () => {
    const stray: JournalEvent = { kind: 'upgrade-rejected', t: 7000, status: 401, reason: 'unknown sessionToken', handle: '‹zz›' };
    const oneConnection = [session, open(1, 0, null), greeting(1, 1000), issued(1, 1000, 1), stray];
    expect(judge(oneConnection, { outcome: 'completes', maxReconnects: 0 }, completedClient).reason).not.toMatch(/abandoned a healthy connection/);
  });

  it('says nothing when the scenario sets no bound, or the bound holds', () => {
    for (const bound of [{}, { maxReconnects: 2 }]) expect(judge(twoRotations, { outcome: 'completes', ...bound }, completedClient).verdict).toBe('OK');
  });
});

describe('accept-then-close cycles', () => {
  const cycles = (confirmed: boolean): JournalEvent[] => {
    const events: JournalEvent[] = [session, open(1, 0, null), greeting(1, 1000), issued(1, 1000, 1), close(1, 2000, 1006)];
    let t = 2000;
    for (let conn = 2; conn <= 4; conn++) {
      events.push(open(conn, t, '‹h1›', { resume: 'rejected', rejection: 'accept-then-close' }));
      if (confirmed) events.push({ kind: 'resumed-sent', t, conn });
      events.push(close(conn, t + 100, 1011));
      t += 100 + 2000 * (conn - 1);
    }
    return events;
  };

  it('a handle presented a third time after two confirmed-then-cut resumes fails (F6)', () => {
    expect(judge(cycles(true), { outcome: 'gives-up' }, failedClient).reason).toMatch(/a third time at [\d.]+ s after two accept-then-close cycles/);
  });

  it('without session:resumed an open-then-close is an outage: bounded retries with the same handle are fine', () => {
    expect(judge(cycles(false), { outcome: 'gives-up' }, failedClient).verdict).toBe('OK');
  });
});

describe('a newer handle given up with an older one (F6; accept-then-close-loop.newer-handle)', () => {
  // h1 is accepted then closed twice; the second cycle delivers h2 before its close; the client ends there.
  const run = (options: { secondHandle?: boolean; thirdAttempt?: boolean; presentNewer?: boolean } = {}): JournalEvent[] => {
    const { secondHandle = true, thirdAttempt = false, presentNewer = false } = options;
    const at1 = (conn: number, t: number, presented: string, seq: number): JournalEvent => open(conn, t, presented, { handle: handle(seq, 1000) });
    const events: JournalEvent[] = [session, open(1, 0, null), greeting(1, 1000), issued(1, 1000, 1), { kind: 'agent-turn', t: 3000, conn: 1, turn: 1, greeting: false, answers: '‹m1›' }, close(1, 4000, 1006)];
    events.push(at1(2, 4000, '‹h1›', 1), { kind: 'resumed-sent', t: 4000, conn: 2 }, close(2, 4100, 1011));
    events.push(at1(3, 6000, '‹h1›', 1), { kind: 'resumed-sent', t: 6000, conn: 3 });
    if (secondHandle) events.push(issued(3, 6050, 2));
    events.push(close(3, 6100, 1011));
    if (thirdAttempt) events.push(at1(4, 9000, '‹h1›', 1), { kind: 'resumed-sent', t: 9000, conn: 4 }, close(4, 9100, 1011));
    if (presentNewer) events.push(open(4, 9000, '‹h2›', { handle: handle(2, 6050) }), { kind: 'resumed-sent', t: 9000, conn: 4 }, close(4, 9100, 1011));
    return events;
  };

  it('ending failed holding a newer handle never presented, after the old one\'s second cycle, is NON-STRICT', () => {
    const verdict = judge(run(), { outcome: 'reports-loss' }, failedClient);
    expect(verdict.verdict).toBe('NON-STRICT');
    expect(ruleOfVerdict(verdict)).toBe('reconnect.gave-up-newer-handle');
    expect(verdict.reason).toMatch(/handle ‹h1› was accepted then closed a second time \(connection 3, .*holding handle ‹h2›, delivered at 6\.0[0-9]* s and never presented, after 2 attempts/);
  });

  it('is silent when no newer handle came, when the newer one was tried, when the outage spent 3 attempts, or when the client completed', () => {
    expect(judge(run({ secondHandle: false }), { outcome: 'reports-loss' }, failedClient).verdict).toBe('OK');
    expect(judge(run({ presentNewer: true }), { outcome: 'reports-loss' }, failedClient).verdict).toBe('OK');
    expect(ruleOfVerdict(judge(run({ thirdAttempt: true }), { outcome: 'reports-loss' }, failedClient))).not.toBe('reconnect.gave-up-newer-handle');
    expect(judge(run(), { outcome: 'reports-loss' }, completedClient).verdict).not.toBe('NON-STRICT');
  });
});

describe('the scenario\'s limit', () => {
  it('a client that ends only after the limit has hung, whatever it reports', () => {
    const events = [session, open(1, 0, null), close(1, 30_000, 1000, 'client')];
    const verdict = judge(events, { outcome: 'gives-up' }, failedClient, 2_147_483_647, 3600);
    expect(verdict.verdict).toBe('FAILED');
    expect(verdict.reason).toMatch(/past the scenario's limit of 3600 s/);
  });
});

describe('reconnect storms (spec §6.4) and rotations (§6.2)', () => {
  const expiring = (conn: number, t: number): JournalEvent => ({ kind: 'expiring', t, conn, timeLeft: 0, deadline: t, hasHandle: true });
  // Connection 1 carries a turn and is closed; attempt 1 (connection 2) is resumed and closed 0.1 s later; attempt 2 comes at once.
  const outage = (notice: boolean): JournalEvent[] => [
    session, open(1, 0, null), greeting(1, 1000), issued(1, 1000, 1), { kind: 'agent-turn', t: 3000, conn: 1, turn: 1, greeting: false, answers: '‹m1›' }, close(1, 4000, 1000),
    open(2, 4000, '‹h1›'), ...(notice ? [expiring(2, 4000)] : []), close(2, 4100, notice ? 1000 : 1011),
    open(3, 4100, '‹h1›'), { kind: 'agent-turn', t: 6000, conn: 3, turn: 2, greeting: false, answers: '‹m2›' },
  ];

  it('an attempt whose connection was cut without notice, retried at once: a storm', () => {
    expect(judge(outage(false), { outcome: 'completes' }, completedClient)).toMatchObject({ verdict: 'FAILED', reason: expect.stringMatching(/^Reconnect storm: attempt 2 came 0\.0 s after attempt 1 failed/) });
  });

  it('an attempt whose connection got session_expiring, followed at once: a rotation, not a storm (found by explore)', () => {
    expect(judge(outage(true), { outcome: 'completes' }, completedClient).reason).not.toMatch(/storm/);
  });

  // Connection 2 is resumed and gets a 50 s notice at once; it carries no turn, and the client leaves it itself.
  const rotation = (leftAfterMs: number): JournalEvent[] => [
    session, open(1, 0, null), greeting(1, 1000), issued(1, 1000, 1), { kind: 'agent-turn', t: 3000, conn: 1, turn: 1, greeting: false, answers: '‹m1›' }, close(1, 4000, 1006),
    open(2, 4000, '‹h1›'), { kind: 'resumed-sent', t: 4000, conn: 2 }, { kind: 'expiring', t: 4000, conn: 2, timeLeft: 50, deadline: 54_000, hasHandle: true }, close(2, 4000 + leftAfterMs, 1000, 'client'),
    open(3, 4000 + leftAfterMs, '‹h1›'), { kind: 'agent-turn', t: 6000 + leftAfterMs, conn: 3, turn: 2, greeting: false, answers: '‹m2›' },
  ];

  it('a rotation put off until late in the notice\'s lead time, then carried out at once: §6.2, not a storm (found by explore)', () => {
    expect(judge(rotation(40_000), { outcome: 'completes' }, completedClient).reason).not.toMatch(/storm/);
  });

  it('leaving at once, with most of the lead time left, from a connection that carried nothing: still a storm (F3)', () => {
    expect(judge(rotation(100), { outcome: 'completes' }, completedClient)).toMatchObject({ verdict: 'FAILED', reason: expect.stringMatching(/^Reconnect storm: attempt 2 came 0\.0 s after attempt 1 failed/) });
  });
});

describe('a close after the last answer (spec §4, §6.3)', () => {
  const answer = (conn: number, t: number, turn: number): JournalEvent => ({ kind: 'agent-turn', t, conn, turn, greeting: false, answers: `‹m${turn}›` });
  const conversation = (answered: number): JournalEvent[] => {
    const events: JournalEvent[] = [session, open(1, 0, null), greeting(1, 1000), issued(1, 1000, 1)];
    for (let turn = 1; turn <= answered; turn++) events.push(answer(1, 1000 + turn * 5000, turn), issued(1, 1000 + turn * 5000, turn + 1));
    return [...events, close(1, 1000 + answered * 5000, 1006)];
  };

  it('does not ask for a reconnect once every turn is answered: end_conversation asks for that close, and a drop hides whether it arrived (found by explore)', () => {
    // maxTurns is 2: the drop comes right after the second answer, before end_conversation reached the server.
    const verdict = judge(conversation(2), { outcome: 'completes' }, completedClient);
    expect(verdict.verdict).not.toBe('FAILED');
    expect(verdict.reason).not.toMatch(/Never reconnected/);
  });

  it('still fails a client that stays away with a turn unanswered and a handle in hand', () => {
    const verdict = judge(conversation(1), { outcome: 'completes' }, { state: 'reported', result: { status: 'completed', turns: 1, reconnects: 0, contextLost: false } });
    expect(verdict.verdict).toBe('FAILED');
    expect(verdict.reason).toMatch(/^Never reconnected after connection 1 closed \(1006 by server, at 6\.0 s\) with the conversation unfinished/);
  });
});

describe('the reported reconnect count (sut-contract §4)', () => {
  const prospect = (conn: number, t: number, turn: number): JournalEvent => ({ kind: 'prospect-turn', t, conn, turn, contextTurns: turn - 1, textId: `‹m${turn}›` });
  const answer = (conn: number, t: number, turn: number): JournalEvent => ({ kind: 'agent-turn', t, conn, turn, greeting: false, answers: `‹m${turn}›` });
  // Connection 1 carries turn 1 and drops; connection 2 is refused at once (an outage); connection 3 carries turn 2.
  const talkedOnTwo = [
    session, open(1, 0, null), greeting(1, 500), issued(1, 500, 1), prospect(1, 1000, 1), answer(1, 2000, 1), issued(1, 2000, 2), close(1, 3000, 1006),
    open(2, 3000, '‹h2›'), close(2, 3000, 1011),
    open(3, 5000, '‹h2›'), prospect(3, 6000, 2), answer(3, 7000, 2),
  ];
  const reporting = (reconnects: number): ClientReport => ({ state: 'reported', result: { status: 'completed', turns: 2, reconnects, contextLost: false } });

  it('grades a count below the connections the client talked on NON-STRICT, naming them', () => {
    const verdict = judge(talkedOnTwo, { outcome: 'completes' }, reporting(0));
    expect(verdict.verdict).toBe('NON-STRICT');
    expect(verdict.reason).toBe('The client reported 0 reconnects, but the server received prospect messages on 2 connections (1, 3): it opened at least 1 after the first (sut-contract §4: the connections the client opened after the first one).');
  });

  it('accepts every count a client could defend: the refused connection counted (2, as the reference counts) or not (1)', () => {
    expect(judge(talkedOnTwo, { outcome: 'completes' }, reporting(2)).verdict).toBe('OK');
    expect(judge(talkedOnTwo, { outcome: 'completes' }, reporting(1)).verdict).toBe('OK');
  });

  it('says nothing through a server under test: the journal holds its upstream connections, not the client\'s', () => {
    const verdict = judgeReconnect({ scenario: scenario({ outcome: 'completes' }), analysis: analysisOf(talkedOnTwo, 100_000), client: reporting(0), output: [], secrets: [], relayLagMs: new Map() });
    expect(verdict.verdict).toBe('OK');
  });
});

describe('a client that reports status failed on a scenario that completes', () => {
  const answer = (conn: number, t: number, turn: number): JournalEvent => ({ kind: 'agent-turn', t, conn, turn, greeting: false, answers: `‹m${turn}›` });
  const everyTurn = [session, open(1, 0, null), greeting(1, 1000), issued(1, 1000, 1), answer(1, 3000, 1), issued(1, 3000, 2), answer(1, 5000, 2), issued(1, 5000, 3)];
  const gaveUp: ClientReport = { state: 'reported', result: { status: 'failed', turns: 2, reconnects: 0, contextLost: true } };

  it('is no give-up where the server would have resumed once every turn was answered: the ending failed (turns.done-reported-failed)', () => {
    // INFORMATIONAL: the run needed no reconnect at all.
    expect(judge(everyTurn, { outcome: 'completes' }, gaveUp).verdict).toBe('INFORMATIONAL');
  });

  it('is one with a turn still missing (reconnect.gave-up-resumable, FAILED)', () => {
    const verdict = judge(everyTurn.slice(0, 6), { outcome: 'completes' }, { state: 'reported', result: { status: 'failed', turns: 1, reconnects: 0, contextLost: true } });
    expect(verdict.verdict).toBe('FAILED');
    expect(verdict.reason).toMatch(/^Gave up after/);
  });
});

describe('a handle Gemini refused before setupComplete, presented again (gemini-live §1.6; F5)', () => {
  const answer = (conn: number, t: number, turn: number): JournalEvent => ({ kind: 'agent-turn', t, conn, turn, greeting: false, answers: `‹m${turn}›` });
  const refusalClose = (conn: number, t: number, code: number, cause: string): JournalEvent => ({ kind: 'close', t, conn, code, reason: 'BidiGenerateContent session not found', by: 'server', cause });
  // Connection 1 carries turn 1 and drops; each later attempt presents ‹h2› and is closed at once.
  const refusedTwice = (code: number, cause = 'rejection', rejection = `close-${code}`): JournalEvent[] => [
    session, open(1, 0, null), answer(1, 2000, 1), issued(1, 2000, 2), close(1, 3000, 1006),
    open(2, 3000, '‹h2›', { resume: 'rejected', rejection }), refusalClose(2, 3000, code, cause),
    open(3, 5000, '‹h2›', { resume: 'rejected', rejection }), refusalClose(3, 5000, code, cause),
  ];
  const onFace = (events: JournalEvent[], protocol: 'gemini-live' | 'ai-voice') =>
    judgeReconnect({ scenario: scenario({ outcome: 'reports-loss' }), protocol, analysis: analysisOf(events, 8000), client: failedClient, output: [], secrets: [] });

  it('grades 1008 and 1007 refusals followed by the same handle NON-STRICT on the Gemini face, naming the refusal', () => {
    for (const code of [1008, 1007]) {
      const verdict = onFace(refusedTwice(code), 'gemini-live');
      expect(verdict.verdict, String(code)).toBe('NON-STRICT');
      expect(ruleOfVerdict(verdict)).toBe('reconnect.gemini-refused-handle-again');
      expect(verdict.reason).toMatch(new RegExp(`^Presented handle ‹h2› again at 5\\.0 s after Gemini refused it before setupComplete \\(closed ${code} "BidiGenerateContent session not found" at 3\\.0 s\\)`));
    }
  });

  it('is silent on the AI-voice face: there only 4003 names the handle invalid (spec §7), and 1008 is retried within the budget', () => {
    expect(onFace(refusedTwice(1008), 'ai-voice').verdict).toBe('OK');
  });

  it('does not count a 1011 while the old socket was open (F7: transient), nor a refusal of the setup itself', () => {
    expect(onFace(refusedTwice(1011, 'rejection: old socket still open', 'close-1011'), 'gemini-live').verdict).toBe('OK');
    expect(onFace(refusedTwice(1007, 'protocol: first frame not setup', 'bad-setup'), 'gemini-live').verdict).toBe('OK');
  });

  it('accepts a new handle after the refusal: only the refused one may not come back', () => {
    const events = refusedTwice(1008).map((e) => (e.kind === 'open' && e.conn === 3 ? { ...e, presented: '‹h3›' } : e));
    expect(onFace(events, 'gemini-live').verdict).toBe('OK');
  });
});

describe('a reconnect long after an unplanned close (spec §6.3; F14)', () => {
  const answer = (conn: number, t: number, turn: number): JournalEvent => ({ kind: 'agent-turn', t, conn, turn, greeting: false, answers: `‹m${turn}›` });
  // Connection 1 carries turn 1 (of 2) and drops at 10 s; the client resumes `afterMs` later and completes.
  const dropThenResume = (afterMs: number): JournalEvent[] => [
    session, open(1, 0, null), answer(1, 5000, 1), issued(1, 5000, 2), close(1, 10_000, 1006),
    open(2, 10_000 + afterMs, '‹h2›'), { kind: 'resumed-sent', t: 10_000 + afterMs, conn: 2 }, answer(2, 12_000 + afterMs, 2),
  ];
  const run = (events: JournalEvent[], mode?: 'virtual' | 'network', stallAfter?: number) =>
    judgeReconnect({ scenario: scenario({ outcome: 'completes', ...(stallAfter ? { stallAfter } : {}) }), analysis: analysisOf(events, 100_000), client: completedClient, output: [], secrets: [], ...(mode ? { mode } : {}) });

  it('grades a first attempt 30 s after the close NON-STRICT on the virtual clock (stallAfter 25 s), naming the close and the gap', () => {
    const verdict = run(dropThenResume(30_000), 'virtual');
    expect(verdict.verdict).toBe('NON-STRICT');
    expect(ruleOfVerdict(verdict)).toBe('reconnect.late-after-close');
    expect(verdict.reason).toMatch(/^Connection 1 closed \(1006 by server, at 10\.0 s\) with the conversation unfinished, and the next attempt came only 30\.0 s later \(the scenario's stallAfter is 25 s\)/);
  });

  it('takes the bound from the scenario: under its stallAfter the same gap is fine', () => {
    expect(run(dropThenResume(30_000), 'virtual', 45).verdict).toBe('OK');
    expect(run(dropThenResume(2000), 'virtual').verdict).toBe('OK');
  });

  it('says nothing off the virtual clock: on a network an attempt can stall before the server sees it', () => {
    expect(run(dropThenResume(30_000), 'network').verdict).toBe('OK');
    expect(run(dropThenResume(30_000)).verdict).toBe('OK');
  });

  it('says nothing of a close the client asked for, or of one after the last answer', () => {
    const byClient = dropThenResume(30_000).map((e) => (e.kind === 'close' ? { ...e, by: 'client' as const } : e));
    expect(ruleOfVerdict(run(byClient, 'virtual'))).not.toBe('reconnect.late-after-close');
    const lastAnswered = [session, open(1, 0, null), answer(1, 3000, 1), answer(1, 5000, 2), issued(1, 5000, 2), close(1, 10_000, 1006), open(2, 40_000, '‹h2›')];
    expect(ruleOfVerdict(run(lastAnswered, 'virtual'))).not.toBe('reconnect.late-after-close');
  });
});
