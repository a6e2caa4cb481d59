/**
 * The simulator's resume decisions (spec §6) as one explicit policy object. Every decision a trap
 * of the seed plan gets wrong is here, as a function of what it is given: a read-only view of the
 * run (`DecisionContext`) and the facts of the moment. None of them can reach the simulator's
 * state, so a mutant of the gallery (simulator/mutants/) is a partial override of
 * `DEFAULT_DECISIONS`, passed as `SimulatorOptions.decisions`, and nothing else.
 *
 *   isCurrent                  T3  the event comes from the current socket; anything else is ignored
 *   shouldReconnect            T1/T11/4001  reconnect after a close the client did not ask for
 *                                  (any code, 1000 included), except 4001 and after conversation_end
 *   rejectsHandle              T14 the close code says the presented handle is invalid (4003): drop it
 *   confirmsResume             T2  'open' | 'resumed': only session:resumed proves a resume
 *   handleUpdate               T5  keep the newest resumable handle; resumable:false keeps the previous one
 *   expiringResponse           T6  plan one rotation per connection (turn boundary or deadline − margin)
 *   rotationDelayMs            T6  latest moment to rotate, relative to now
 *   isRotationBoundary         T6  a turn boundary with a handle newer than the last agent turn, on a
 *                                  connection that has carried a full turn (F3: goAway after every resume)
 *   rotationStyle              T6/F7  stop listening, close 1000 ourselves, then connect with the newest handle
 *   reconnectDelayMs           T4  0 for the first attempt, then base·2^(n−2) ± jitter, capped
 *   exceedsAttemptBudget       T4  attempts per outage are bounded
 *   resetAttemptsAfter         T4  'open' | 'resumed' | 'full-turn': only a full agent turn resets
 *   shouldAbandonHandle        T14 after maxAcceptThenClose accept-then-close cycles, stop using a handle
 *   messageToResend            T7  the prospect message the restored state lacks, or null
 *   isRepeatedAgentTurn        F19 after a resume, the restored state's last agent turn delivered again:
 *                                  not an answer to anything (the reference skips it)
 *   maySendProspect            T7  never a second prospect message before the next agent turn
 *   inactivityTimeoutMs        T9  how long silence while awaiting the agent means half-open
 *   withoutHandle              T8/T10/T13 resume impossible: end failed, or (fallback) a new session
 *   givesUp                    T10 end failed, context lost, post-mortem written
 *   honoursConversationEnd     T11 the server ended the conversation: finish, never reconnect
 *   reportsContextLost         T8  a lost context is reported as lost
 *   redactSecrets              T12 replaces every secret the run knows (share/session token, handles) by its fingerprint
 *
 * The numeric knobs stay in ResumePolicy (policy.ts): they are configuration an operator sets
 * and the run logs (`run-start`); the decisions are behaviour, and read the policy from the context.
 */
import { isHandleRejectedClose, isUnauthorisedClose } from '../../protocol/close-codes.ts';
import type { Rng } from '../../protocol/rng.ts';
import { backoffDelayMs } from './backoff.ts';
import type { KeptHandle } from './handle-keeper.ts';
import type { ResumePolicy } from './policy.ts';

/** A run may fall back to a new session once: a second fallback would hide a systematic failure. */
export const MAX_FALLBACK_SESSIONS = 1;

/** What the current model context owes the prospect: the greeting, or the answer to message `index`. */
export type PendingReply = { kind: 'greeting' } | { kind: 'prospect'; index: number };

export type Phase = 'idle' | 'conversing' | 'ending' | 'done';

/** What a decision may know of a connection. */
export interface ConnectionView {
  readonly id: number;
  /** The handle presented when it was opened, or null for a fresh model session. */
  readonly handle: KeptHandle | null;
  readonly isResume: boolean;
  /** It may carry prospect messages (a resume connection: once confirmed, spec §5.2). */
  readonly usable: boolean;
  /** An agent final transcript arrived on it. */
  readonly carriedFullTurn: boolean;
}

/** A read-only view of the run, current at the moment a decision is asked. */
export interface DecisionContext {
  readonly policy: Readonly<ResumePolicy>;
  readonly phase: Phase;
  /** The connection whose events count; null while between connections. */
  readonly current: ConnectionView | null;
  /** The handle the simulator would present next. */
  readonly newestHandle: KeptHandle | null;
  /** Prospect messages answered in the current model context. */
  readonly contextThrough: number;
  readonly maxTurns: number;
  /** The highest prospect message index ever sent. */
  readonly lastSent: number;
  readonly pendingReply: PendingReply | null;
  /** Agent final transcripts seen so far: orders handles relative to agent turns. */
  readonly finalsSeen: number;
  /** The server sent conversation_end. */
  readonly conversationEnded: boolean;
  /** New sessions started as a fallback so far. */
  readonly fallbacksUsed: number;
  /** The final text of the agent turn that answered message `index` (0 = the greeting). */
  agentTurnText(index: number): string | undefined;
}

export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

export interface HandleUpdate {
  readonly handle: string;
  readonly resumable: boolean;
}

export interface ExpiringNotice {
  readonly timeLeft: number;
  readonly hasHandle: boolean;
}

/** Anything that replaces the run's known secrets in a text. */
export interface Redactor {
  redact(text: string): string;
}

export type AttemptResetKind = 'open' | 'resumed' | 'full-turn';

export interface ResumeDecisions {
  /** T3: events of a replaced or abandoned socket, its late close included, are ignored entirely. */
  isCurrent(connection: ConnectionView, ctx: DecisionContext): boolean;
  /** T1/T11: any close the client did not ask for is an outage, 1000 included; not 4001, not after the end. */
  shouldReconnect(close: CloseInfo, ctx: DecisionContext): boolean;
  /** T14: the close says the presented handle is invalid. */
  rejectsHandle(close: CloseInfo, ctx: DecisionContext): boolean;
  /** T2: an open socket proves nothing; only session:resumed confirms a resume. */
  confirmsResume(kind: 'open' | 'resumed', ctx: DecisionContext): boolean;
  /**
   * T5: what a handle update does to the kept handles: 'offer' it to the keeper (which keeps the
   * newest usable one), 'ignore' it altogether, or drop the newest handle first and then offer it.
   */
  handleUpdate(update: HandleUpdate, ctx: DecisionContext): 'offer' | 'ignore' | 'drop-newest-then-offer';
  /**
   * T6: session_expiring plans one rotation per connection ('plan-rotation'); 'ignore' waits for
   * the server to close; 'plan-rotation-and-rotate-per-notice' also schedules a rotation per notice.
   */
  expiringResponse(notice: ExpiringNotice, ctx: DecisionContext): 'plan-rotation' | 'ignore' | 'plan-rotation-and-rotate-per-notice';
  /** T6: rotate at the latest this long from now: deadline minus the margin, the margin capped to half of timeLeft. */
  rotationDelayMs(timeLeftSeconds: number, ctx: DecisionContext): number;
  /**
   * T6: rotating now loses nothing: the agent owes no answer and the newest handle arrived after
   * the last agent turn, so it captures the whole conversation. And the connection has carried a
   * full agent turn: a connection that has not (one just resumed) is no boundary, or a server that
   * sends goAway right after every resume turns rotations into a storm without progress (F3).
   */
  isRotationBoundary(ctx: DecisionContext): boolean;
  /**
   * T6/F7: never wait for the server to close: leave the old socket ourselves and resume at once
   * ('close-then-resume'); 'resume-leaving-old-open' opens the new connection and leaves the old one behind.
   */
  rotationStyle(ctx: DecisionContext): 'close-then-resume' | 'resume-leaving-old-open';
  /** T4: the first attempt of an outage goes at once, later ones back off exponentially with jitter drawn from `jitter`. */
  reconnectDelayMs(attempt: number, jitter: Rng, ctx: DecisionContext): number;
  /** T4: bounded attempts per outage. */
  exceedsAttemptBudget(attempt: number, ctx: DecisionContext): boolean;
  /** T4: an open socket or a session:resumed can still be an accept-then-drop loop; a full turn cannot. */
  resetAttemptsAfter(kind: AttemptResetKind, ctx: DecisionContext): boolean;
  /** T14: a handle whose resumed connections keep dying before a full turn is poisoned. */
  shouldAbandonHandle(handle: KeptHandle, acceptThenCloseCount: number, ctx: DecisionContext): boolean;
  /** T9: silence while awaiting the agent, for longer than this, means a half-open connection. */
  inactivityTimeoutMs(ctx: DecisionContext): number;
  /**
   * T7: the first prospect message the restored state does not include, or null. Normally the one
   * message sent after the handle arrived; more only if handles lagged (resumable:false), and then
   * the rest follows turn by turn through the ordinary flow.
   */
  messageToResend(handle: KeptHandle, lastSent: number, ctx: DecisionContext): number | null;
  /**
   * F19: a final transcript on a resumed connection, before it carried a turn of its own, that
   * repeats the agent turn the restored state ends with (the one the handle covers). Servers
   * replay it after a resume; it answers nothing — above all not the message just re-sent. (A
   * genuine answer is another turn, with other words: the agent numbers its points.)
   */
  isRepeatedAgentTurn(connection: ConnectionView, text: string, ctx: DecisionContext): boolean;
  /** T7: strict alternation: one prospect message per agent turn, on a usable connection, in script order. */
  maySendProspect(index: number, ctx: DecisionContext): boolean;
  /**
   * T8/T10/T13: no handle to resume with: 'give-up', or start over on a 'new-session' and say so
   * (policy.fallback, at most MAX_FALLBACK_SESSIONS); 'fresh-connection' opens a fresh model
   * session on the same HTTP session.
   */
  withoutHandle(reason: string, ctx: DecisionContext): 'give-up' | 'new-session' | 'fresh-connection';
  /** T10: the context did not survive: end the run failed (the post-mortem is written at the end). */
  givesUp(reason: string, ctx: DecisionContext): boolean;
  /** T11: the conversation is over on the server's word: close and finish, never reconnect. */
  honoursConversationEnd(reason: string, ctx: DecisionContext): boolean;
  /** T8: the result says the context was lost when it was. */
  reportsContextLost(contextLost: boolean, ctx: DecisionContext): boolean;
  /** T12: every text that leaves the simulator (log lines, events, reasons) passes here. */
  redactSecrets(text: string, redactor: Redactor): string;
}

export const DEFAULT_DECISIONS: Readonly<ResumeDecisions> = Object.freeze({
  isCurrent: (connection, ctx) => ctx.current === connection,
  shouldReconnect: (close, ctx) => {
    if (ctx.conversationEnded) return false;
    return !isUnauthorisedClose(close.code);
  },
  rejectsHandle: (close) => isHandleRejectedClose(close.code),
  confirmsResume: (kind) => kind === 'resumed',
  handleUpdate: () => 'offer',
  expiringResponse: () => 'plan-rotation',
  rotationDelayMs: (timeLeftSeconds, ctx) => {
    const timeLeftMs = Math.max(0, timeLeftSeconds * 1000);
    const margin = Math.min(ctx.policy.expiryMarginMs, timeLeftMs / 2);
    return Math.max(0, timeLeftMs - margin);
  },
  isRotationBoundary: (ctx) => {
    const connection = ctx.current;
    const handle = ctx.newestHandle;
    return (
      connection !== null &&
      connection.usable &&
      connection.carriedFullTurn &&
      ctx.pendingReply === null &&
      handle !== null &&
      handle.finalsBefore === ctx.finalsSeen &&
      handle.coveredThrough === ctx.contextThrough
    );
  },
  rotationStyle: () => 'close-then-resume',
  reconnectDelayMs: (attempt, jitter, ctx) => backoffDelayMs(attempt, ctx.policy, jitter),
  exceedsAttemptBudget: (attempt, ctx) => attempt > ctx.policy.maxAttempts,
  resetAttemptsAfter: (kind) => kind === 'full-turn',
  shouldAbandonHandle: (_handle, acceptThenCloseCount, ctx) => acceptThenCloseCount >= ctx.policy.maxAcceptThenClose,
  inactivityTimeoutMs: (ctx) => ctx.policy.inactivityTimeoutMs,
  messageToResend: (handle, lastSent) => (lastSent > handle.coveredThrough ? handle.coveredThrough + 1 : null),
  isRepeatedAgentTurn: (connection, text, ctx) => {
    const handle = connection.handle;
    return handle !== null && !connection.carriedFullTurn && ctx.agentTurnText(handle.coveredThrough) === text;
  },
  maySendProspect: (index, ctx) => {
    const connection = ctx.current;
    return (
      connection !== null &&
      connection.usable &&
      ctx.phase === 'conversing' &&
      ctx.pendingReply === null &&
      index === ctx.contextThrough + 1 &&
      index <= ctx.maxTurns
    );
  },
  withoutHandle: (_reason, ctx) =>
    ctx.policy.fallback === 'new-session' && ctx.fallbacksUsed < MAX_FALLBACK_SESSIONS ? 'new-session' : 'give-up',
  givesUp: () => true,
  honoursConversationEnd: () => true,
  reportsContextLost: (contextLost) => contextLost,
  redactSecrets: (text, redactor) => redactor.redact(text),
} satisfies ResumeDecisions);

/** The defaults with `overrides` on top (undefined entries keep the default). */
export function resolveDecisions(overrides: Partial<ResumeDecisions> = {}): ResumeDecisions {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as Partial<ResumeDecisions>;
  return { ...DEFAULT_DECISIONS, ...defined };
}
