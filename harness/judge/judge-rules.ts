/**
 * Every rule the client axes judge by, with the clause it enforces and the grade a breach
 * earns. The grade is the table's, not the call site's: an axis reports a breach with
 * `breach(ruleId, reason)`, so the published table (docs/judge-rules.md, generated from this
 * file and compared by judge-rules.test.ts) is the judge.
 *
 * How a grade is chosen (issue 12, "the judge is never stricter than the protocol"):
 * - FAILED only for what a MUST (or MUST NOT) of docs/ai-voice-protocol.md, or the result
 *   contract of docs/sut-contract.md §4, forbids.
 * - NON-STRICT where the protocol says SHOULD, "allowed but not ideal", or leaves the choice to
 *   the client, and field experience (docs/field-failures.md) asks for better: the `why` says so.
 */
import type { Axis, AxisVerdict } from './verdict.ts';

export type RuleGrade = 'FAILED' | 'NON-STRICT';

export interface JudgeRule {
  /** Stable id, `<axis>.<name>`. */
  readonly id: string;
  readonly axis: Axis;
  /** The clause it enforces: `spec §x` (docs/ai-voice-protocol.md), `sut-contract §x`, `gemini-live §x.y` (docs/gemini-live.md, for a rule of the Gemini face) or `Fxx` (docs/field-failures.md). */
  readonly clause: string;
  readonly grade: RuleGrade;
  /** What a breach is, in one line. */
  readonly breach: string;
  /** For a NON-STRICT rule: why the protocol allows it and what field experience asks for instead. */
  readonly why?: string;
}

const rule = <const Id extends string>(r: JudgeRule & { id: Id }): JudgeRule & { id: Id } => r;

export const JUDGE_RULES = [
  // context
  rule({ id: 'context.no-result', axis: 'context', clause: 'sut-contract §4', grade: 'FAILED', breach: 'The client reported no result (hung, crashed, unreadable result), so nothing says whether the context survived.' }),
  rule({ id: 'context.silent-loss', axis: 'context', clause: 'spec §6.7; sut-contract §5', grade: 'FAILED', breach: 'The context was lost and the client reported contextLost:false (or nothing).' }),
  rule({ id: 'context.lost-where-resumable', axis: 'context', clause: 'spec §6.3, §6.4', grade: 'FAILED', breach: 'The context was lost where the server would have resumed it (scenario outcome "completes").' }),
  rule({ id: 'context.talked-on-lost-session', axis: 'context', clause: 'spec §6.7', grade: 'NON-STRICT', breach: 'The loss was reported, but the client kept talking on the model session that had lost the context.', why: 'The client did report the loss, so nothing is silent; §6.7 asks for a new session or a graceful end rather than talking on.' }),
  rule({ id: 'context.duplicated', axis: 'context', clause: 'spec §5.1, §6.6; F9', grade: 'FAILED', breach: 'The client replayed history into a restored context that already held it: the model holds turns twice.' }),
  rule({ id: 'context.rolled-back', axis: 'context', clause: 'spec §6.7', grade: 'FAILED', breach: 'The client sent a new message as a turn the agent had already answered: it talked on as if a lost turn had happened.' }),
  rule({ id: 'context.false-loss-report', axis: 'context', clause: 'sut-contract §4', grade: 'NON-STRICT', breach: 'The context survived and the conversation completed, but the client reported contextLost:true.', why: 'A false alarm loses nothing; the result contract asks for contextLost:true only when the context did not survive.' }),
  rule({ id: 'context.gave-up-not-reported', axis: 'context', clause: 'sut-contract §4', grade: 'NON-STRICT', breach: 'The client gave up (status failed, the conversation begun and not ended by the server\'s conversation_end) yet reported contextLost:false.', why: 'Status failed already says the run failed, so no loss is hidden; but the result contract defines contextLost as true when the client gave up, and a report that contradicts itself misleads whoever reads contextLost alone. A run the server ended (conversation_end) or that never began is no give-up: its context did not fail to survive.' }),
  // turns
  rule({ id: 'turns.duplicate', axis: 'turns', clause: 'spec §4, §6.6', grade: 'FAILED', breach: 'A second prospect_message before the next agent turn, or one the restored state already held.' }),
  rule({ id: 'turns.stall', axis: 'turns', clause: 'spec §5.1, §6.6', grade: 'FAILED', breach: 'The agent waited for a prospect message that never came on that connection (longer than stallAfter): the in-flight message was not re-sent. A message that comes late is not a stall (the protocol sets no think time).' }),
  rule({ id: 'turns.no-result', axis: 'turns', clause: 'sut-contract §4', grade: 'FAILED', breach: 'No client result to compare the turn count with.' }),
  rule({ id: 'turns.completed-short', axis: 'turns', clause: 'sut-contract §4', grade: 'FAILED', breach: 'The client reported completion with fewer prospect turns answered than asked.' }),
  rule({ id: 'turns.count-mismatch', axis: 'turns', clause: 'spec §4; sut-contract §4', grade: 'FAILED', breach: 'The client\'s turn count differs from the turns that became part of the conversation.' }),
  rule({ id: 'turns.done-reported-failed', axis: 'turns', clause: 'sut-contract §4', grade: 'NON-STRICT', breach: 'Every turn was answered, yet the client reported status failed.', why: 'What failed is the ending, on which spec §4 is silent (an end_conversation never acknowledged); nothing of the conversation was lost.' }),
  rule({ id: 'turns.beyond-max-turns', axis: 'turns', clause: 'sut-contract §2, §3 (maxTurns)', grade: 'NON-STRICT', breach: 'The client sent a prospect message as a turn past maxTurns of one model context: it asked more turns than it was told to complete.', why: 'The protocol sets no number of turns and nothing is lost by one more; but the contract gives the client the number of prospect turns to complete, and a client that runs past it misreads its configuration (and a turn count compared with the scenario\'s means nothing).' }),
  rule({ id: 'turns.not-completed', axis: 'turns', clause: 'spec §6.3, §6.4', grade: 'FAILED', breach: 'The conversation did not complete where the server would have resumed it.' }),
  // reconnect
  rule({ id: 'reconnect.never-ended', axis: 'reconnect', clause: 'spec §6.7', grade: 'FAILED', breach: 'The client never ended, or ended only past the scenario\'s limit: when resume is impossible it must end.' }),
  rule({ id: 'reconnect.after-conversation-end', axis: 'reconnect', clause: 'spec §3 (conversation_end)', grade: 'FAILED', breach: 'A connection attempt after conversation_end.' }),
  rule({ id: 'reconnect.after-4001', axis: 'reconnect', clause: 'spec §6.3, §7 (4001)', grade: 'FAILED', breach: 'A connection attempt after a 4001 close.' }),
  rule({ id: 'reconnect.rejected-handle-again', axis: 'reconnect', clause: 'spec §7 (4003)', grade: 'FAILED', breach: 'A handle presented again after the server rejected it with 4003.' }),
  rule({ id: 'reconnect.handle-past-budget', axis: 'reconnect', clause: 'spec §6.4', grade: 'FAILED', breach: 'A handle presented again after its resumes were accepted then closed as many times as the attempt budget allows: once the budget is spent the handle MUST NOT be presented again.' }),
  rule({ id: 'reconnect.accept-then-close-repeated', axis: 'reconnect', clause: 'spec §6.4; F6', grade: 'NON-STRICT', breach: 'A handle presented a third time after two accept-then-close cycles with it, within the attempt budget.', why: '§6.4 lets a client present the same handle on every attempt of its budget; field experience (F6: a handle from another model is accepted and closed for ever) says two such cycles already prove it poisoned, and the last attempt is better spent on ending or a fallback.' }),
  rule({ id: 'reconnect.gemini-refused-handle-again', axis: 'reconnect', clause: 'gemini-live §1.6; F5', grade: 'NON-STRICT', breach: 'Gemini face: a handle presented again after Gemini refused it before setupComplete (1008 "session not found", 1007 "Invalid session handle").', why: 'Google documents no answer to a bad handle (§1.6) and 1007/1008 carry other meanings too (§1.7), so no MUST forbids a retry; but in the field these refusals are final, and a client that keeps the handle retries the same way until its budget is spent or for ever (F5: fixed only by deleting the stored handle).' }),
  rule({ id: 'reconnect.abandoned-after-bad-frame', axis: 'reconnect', clause: 'spec §2, §3', grade: 'FAILED', breach: 'The client left a healthy connection after the server sent a frame it must tolerate (not JSON, unknown type, binary audio, a non-fatal error).' }),
  rule({ id: 'reconnect.abandoned-healthy', axis: 'reconnect', clause: 'spec §6.8; F15', grade: 'NON-STRICT', breach: 'More reconnects than the scenario forces, with no frame to blame: the client gave up on a connection that was still delivering.', why: '§6.8 lets each client choose its own inactivity limit, and a resumed reconnect loses nothing; field experience (F15: keepalives and limits shorter than a slow agent) says abandoning a live connection costs a resume and risks the in-flight turn.' }),
  rule({ id: 'reconnect.unbounded', axis: 'reconnect', clause: 'spec §6.4', grade: 'FAILED', breach: 'More attempts in one outage than the scenario\'s budget (spec default 3, the judge allows maxAttemptsPerOutage).' }),
  rule({ id: 'reconnect.storm', axis: 'reconnect', clause: 'spec §6.4', grade: 'FAILED', breach: 'A retry within minRetryGap of the previous failed attempt of the same outage: no back-off at all.' }),
  rule({ id: 'reconnect.never-reconnected', axis: 'reconnect', clause: 'spec §6.3', grade: 'FAILED', breach: 'No attempt after an unplanned close, with the conversation unfinished (a turn still unanswered: a close after the last answer is one end_conversation asks for, §4) and a handle in hand.' }),
  rule({ id: 'reconnect.stopped-silently', axis: 'reconnect', clause: 'spec §6.7', grade: 'FAILED', breach: 'The client stopped where resume was impossible without reporting failure or lost context.' }),
  rule({ id: 'reconnect.gave-up-resumable', axis: 'reconnect', clause: 'spec §6.3, §6.4', grade: 'FAILED', breach: 'The client gave up although the server would have resumed within its budget.' }),
  rule({ id: 'reconnect.fixed-delay', axis: 'reconnect', clause: 'spec §6.4', grade: 'NON-STRICT', breach: 'Three or more attempts in one outage without a growing delay.', why: '§6.4: "A fixed delay is allowed but not ideal."' }),
  rule({ id: 'reconnect.late-after-close', axis: 'reconnect', clause: 'spec §6.3; F14', grade: 'NON-STRICT', breach: 'After an unplanned close of a connection that carried a turn, with the conversation unfinished, the next attempt came later than the scenario\'s stallAfter (default 25 s). Judged on the virtual clock only: on a network an attempt can stall on its way to the server.', why: '§6.3 asks for a reconnect but sets no time, and §6.4\'s delays are defaults; field experience (F14: an abnormal close ignored, noticed only by an inactivity limit or never) asks that a new connection follow within a set time, and a client that reads the close comes back at once or after its first backoff delay.' }),
  rule({ id: 'reconnect.gave-up-newer-handle', axis: 'reconnect', clause: 'spec §6.3, §6.4; F6', grade: 'NON-STRICT', breach: 'The client ended failed right after a handle it had presented twice was accepted then closed, holding a newer handle delivered before that close and never presented, with fewer than 3 attempts (spec §6.4\'s default budget) spent on the outage.', why: 'A client may stop presenting a handle that keeps being accepted then closed (F6), and may end when it has nothing else to try; no MUST makes it try a newer handle. But accept-then-close belongs to the handle presented: a newer handle is another state, and a client that counts the closes against whatever handle it holds now gives up a conversation the server would resume.' }),
  rule({ id: 'reconnect.count-under-reported', axis: 'reconnect', clause: 'sut-contract §4', grade: 'NON-STRICT', breach: 'The client reported fewer reconnects than the journal proves it made: it sent prospect messages on more connections than its count plus one.', why: 'A wrong count loses nothing on the wire, and the contract leaves open how a refused upgrade or an unconfirmed resume counts; but sut-contract §4 defines reconnects as the connections opened after the first, and one that hides connections the client talked on hides its outages from whoever reads the result.' }),
  // expiry
  rule({ id: 'expiry.open-past-deadline', axis: 'expiry', clause: 'spec §6.2', grade: 'FAILED', breach: 'A connection still open when the run ended past its goAway deadline, or left open by a client that reported its result before it (nothing is left to close it).' }),
  rule({ id: 'expiry.waited-for-server', axis: 'expiry', clause: 'spec §6.2', grade: 'FAILED', breach: 'The client waited for the server to cut the connection at its deadline instead of rotating before timeLeft.' }),
  rule({ id: 'expiry.overstayed', axis: 'expiry', clause: 'spec §6.2', grade: 'FAILED', breach: 'The connection was still open past timeLeft (closed by the other side, or by the client too late).' }),
  rule({ id: 'expiry.left-mid-turn', axis: 'expiry', clause: 'spec §6.2', grade: 'NON-STRICT', breach: 'The client rotated in the middle of an agent turn although a turn boundary came after the notice.', why: '§6.2 asks for a turn boundary "if possible": rotating mid-turn is allowed, and costs the turn in flight.' }),
  // protocol
  rule({ id: 'protocol.refused-frame', axis: 'protocol', clause: 'spec §2 (framing)', grade: 'FAILED', breach: 'The client sent a frame the server\'s WebSocket layer refused (over the frame limit, bad UTF-8).' }),
  rule({ id: 'protocol.invalid-frame', axis: 'protocol', clause: 'spec §2, §4', grade: 'FAILED', breach: 'The client sent a frame the protocol does not define (not JSON, unknown type, wrong fields, binary).' }),
  rule({ id: 'protocol.flood', axis: 'protocol', clause: 'spec §4', grade: 'FAILED', breach: 'More than three times the frames the conversation needs: turns strictly alternate, one prospect_message per agent turn.' }),
  // secrets
  rule({ id: 'secrets.leaked', axis: 'secrets', clause: 'spec §5.1', grade: 'NON-STRICT', breach: 'A full resume handle or token in the client\'s output.', why: '§5.1 words it as SHOULD NOT ("a handle is a bearer credential"); a leaked credential is still worth fixing, and --strict fails it.' }),
] as const;

export type RuleId = (typeof JUDGE_RULES)[number]['id'];

const BY_ID = new Map<string, JudgeRule>(JUDGE_RULES.map((r) => [r.id, r]));

export function ruleOf(id: RuleId): JudgeRule {
  return BY_ID.get(id)!;
}

/** Which rule each breach verdict came from: kept aside, so a verdict stays `{ verdict, reason }` in reports. */
const RULE_OF_VERDICT = new WeakMap<AxisVerdict, RuleId>();

/**
 * When the evidence of a timing verdict happened, in protocol ms: a starved harness discounts a
 * verdict only for the lag inside this window (run/starvation.ts, issue 12: "a verdict whose
 * evidence falls in a window where the lag exceeded what the judged timing tolerates").
 */
export interface EvidenceWindow {
  readonly fromMs: number;
  readonly toMs: number;
}

const WINDOW_OF_VERDICT = new WeakMap<AxisVerdict, EvidenceWindow>();

/** A breach of rule `id`: graded as the table says; `evidence`, where the rule's timing was measured. */
export function breach(id: RuleId, reason: string, evidence?: EvidenceWindow): AxisVerdict {
  const verdict: AxisVerdict = { verdict: ruleOf(id).grade, reason };
  RULE_OF_VERDICT.set(verdict, id);
  if (evidence) WINDOW_OF_VERDICT.set(verdict, { fromMs: Math.min(evidence.fromMs, evidence.toMs), toMs: Math.max(evidence.fromMs, evidence.toMs) });
  return verdict;
}

/** The window a timing breach's evidence lies in; none when the rule did not locate it (the whole run counts). */
export const evidenceOf = (verdict: AxisVerdict): EvidenceWindow | undefined => WINDOW_OF_VERDICT.get(verdict);

/** The rule a verdict was given under, if it is a breach. */
export const ruleOfVerdict = (verdict: AxisVerdict): RuleId | undefined => RULE_OF_VERDICT.get(verdict);

/** The table as published in docs/judge-rules.md (judge-rules.test.ts compares them). */
export function judgeRulesMarkdown(): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  const lines = [
    '| rule | clause | grade | a breach is | why not FAILED |',
    '|---|---|---|---|---|',
    ...JUDGE_RULES.map((r: JudgeRule) => `| \`${r.id}\` | ${escape(r.clause)} | ${r.grade} | ${escape(r.breach)} | ${r.why ? escape(r.why) : ''} |`),
  ];
  return `${lines.join('\n')}\n`;
}
