/**
 * The reference Prospect Simulator: a client of the AI-voice protocol v1
 * (docs/ai-voice-protocol.md) that plays a sales prospect and implements spec §6.
 *
 * Decision hooks. Every decision a trap of the seed plan gets wrong sits in its own protected
 * method, so a test can subclass the simulator and re-introduce exactly one bug:
 *
 *   isCurrent(connection)              T3  the event comes from the current socket; anything else is ignored
 *   shouldReconnect(code, reason)      T1/T11/4001  reconnect after a close the client did not ask for
 *                                           (any code, 1000 included), except 4001 and after conversation_end
 *   rejectsHandle(code, reason)        T14 the close code says the presented handle is invalid (4003): drop it
 *   confirmsResume(kind)               T2  'open' | 'resumed': only session:resumed proves a resume
 *   onTranscriptBeforeResumed(conn)    T2/T14 a transcript before session:resumed = silent fresh session: drop the handle
 *   onHandleUpdate(msg, conn)          T5  keep the newest resumable handle; resumable:false keeps the previous one;
 *                                           updates on an unconfirmed resume connection are not adopted
 *   onExpiring(msg, conn)              T6  plan one rotation per connection (turn boundary or deadline − margin)
 *   rotationDelayMs(timeLeftSeconds)   T6  latest moment to rotate, relative to now
 *   isRotationBoundary()               T6  a turn boundary with a handle newer than the last agent turn, on a
 *                                           connection that has carried a full turn (F3: goAway after every resume)
 *   rotate(why)                        T6  stop listening, close 1000 ourselves, connect with the newest handle
 *   reconnectDelayMs(attempt)          T4  0 for the first attempt, then base·2^(n−2) ± jitter, capped
 *   exceedsAttemptBudget(attempt)      T4  attempts per outage are bounded
 *   resetAttemptsAfter(kind)           T4  'open' | 'resumed' | 'full-turn': only a full agent turn resets
 *   shouldAbandonHandle(handle, count) T14 after maxAcceptThenClose accept-then-close cycles, stop using a handle
 *   messageToResend(handle, lastSent)  T7  the prospect message the restored state lacks, or null
 *   isRepeatedAgentTurn(conn, text)    F19 after a resume, the restored state's last agent turn delivered again:
 *                                           not an answer to anything (the reference skips it)
 *   maySendProspect(index)             T7  never a second prospect_message before the next agent turn
 *   inactivityTimeoutMs()              T9  how long silence while awaiting the agent means half-open
 *   recoverWithoutHandle(reason)       T8/T10/T13 resume impossible: end failed, or (fallback) a new session
 *   giveUp(reason)                     T10 end failed, context lost, post-mortem written
 *   onConversationEnd(msg, conn)       T11 the server ended the conversation: finish, never reconnect
 *   redactSecrets(text)                T12 replaces every secret the run knows (share/session token, handles) by its fingerprint
 *   logLine(line)                      T12 every log line leaves through here, redacted
 *
 * Resolved ambiguities of the spec:
 * - A handle captures the answers the current context held when it arrived (`coveredThrough`);
 *   a repeated copy of the current handle keeps its first arrival's bookkeeping.
 * - After a resume, the first prospect message the restored state lacks is (re-)sent at once; if
 *   the state lags by more than one message (possible only after resumable:false), the later ones
 *   are replayed in order, one per agent turn, so the context is rebuilt rather than skipped.
 * - The attempt counter resets after a full agent turn that answered a prospect message not
 *   answered before (or a greeting), so replays cannot loop forever against a flapping server.
 * - Fallback 'new-session' is used at most once per run; the script continues where it was (the
 *   next unanswered message follows the new greeting).
 */
import { globalClock, type Clock } from '../protocol/clock.ts';
import { CloseCode, isHandleRejectedClose, isUnauthorisedClose } from '../protocol/close-codes.ts';
import {
  buildConnectUrl,
  CreateSessionResponse,
  decodeServerFrame,
  encodeMessage,
  HttpErrorBody,
  sessionPath,
  type ServerMessage,
} from '../protocol/messages.ts';
import { fingerprint, redactUrl, SecretRedactor } from '../protocol/redact.ts';
import { createRng, type Rng } from '../protocol/rng.ts';
import { backoffDelayMs } from './backoff.ts';
import { Connection, type ConnectionListener, type WebSocketCtor } from './connection.ts';
import { HandleKeeper, type KeptHandle } from './handle-keeper.ts';
import { NamedTimers, type TimerName } from './named-timers.ts';
import { createPersona, prospectMessage, type Persona } from './persona.ts';
import { DEFAULT_RESUME_POLICY, DEFAULT_THINK_TIME_MS, resolvePolicy, type ResumePolicy } from './policy.ts';
import { writePostMortem, type PostMortem } from './post-mortem.ts';
import type { SimulatorEvent, SimulatorOptions, SimulatorResult } from './simulator-types.ts';

export type { ResumePolicy } from './policy.ts';
export { DEFAULT_RESUME_POLICY, DEFAULT_THINK_TIME_MS } from './policy.ts';
export type { SimulatorEvent, SimulatorOptions, SimulatorResult } from './simulator-types.ts';
export type { WebSocketCtor, WebSocketLike } from './connection.ts';
export type { KeptHandle } from './handle-keeper.ts';

type Message<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

/** What the current model context owes the prospect: the greeting, or the answer to message `index`. */
export type PendingReply = { kind: 'greeting' } | { kind: 'prospect'; index: number };

/** Why a connection is gone without the simulator having planned it. */
export type ConnectionLoss =
  | { kind: 'closed'; code: number; reason: string }
  | { kind: 'inactivity' }
  | { kind: 'resume-timeout' }
  | { kind: 'silent-rejection' };

export type RecoveryTrigger = ConnectionLoss['kind'] | 'rotation' | 'handle-rejected';

type Phase = 'idle' | 'conversing' | 'ending' | 'done';

/** A run may fall back to a new session once: a second fallback would hide a systematic failure. */
const MAX_FALLBACK_SESSIONS = 1;
/** Bound on session creation (protocol ms): generous, because at a time scale it is also real time. */
const HTTP_TIMEOUT_MS = 60_000;

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function snippet(text: string, max = 100): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export class ProspectSimulator {
  protected readonly policy: ResumePolicy;
  protected readonly clock: Clock;
  protected readonly persona: Persona;
  protected readonly handles = new HandleKeeper();
  protected readonly maxTurns: number;

  private readonly options: SimulatorOptions;
  private readonly configError: string | null;
  private readonly thinkRange: readonly [number, number];
  private readonly timers: NamedTimers;
  // Short session tokens of other servers are secrets too: anything from 4 characters on.
  private readonly redactor = new SecretRedactor(4);
  private readonly rng: Rng;
  private readonly jitterRng: Rng;
  private readonly events: SimulatorEvent[] = [];

  private runPromise: Promise<SimulatorResult> | null = null;
  private resolveRun: ((result: SimulatorResult) => void) | null = null;
  private result: SimulatorResult | null = null;

  private phase: Phase = 'idle';
  private session: CreateSessionResponse | null = null;
  private sessionsCreated = 0;
  private fallbacksUsed = 0;
  private connectionCount = 0;
  private reconnects = 0;
  private contextLost = false;
  private conversationEnded = false;
  private everHadHandle = false;
  private lastHandleDrop: string | null = null;

  /** The socket whose events count; null while between connections. */
  protected current: Connection | null = null;
  /** Connection attempts in the current outage (spec §6.4). */
  protected attempts = 0;
  /** Prospect messages answered in the current model context (the script index it has reached). */
  protected contextThrough = 0;
  /** Prospect turns counted: the highest message index the agent answered. */
  protected turns = 0;
  /** The highest prospect message index ever sent. */
  protected lastSent = 0;
  /** What the current connection's model owes the prospect, if anything. */
  protected pendingReply: PendingReply | null = null;
  /** Agent final transcripts seen so far: orders handles relative to agent turns. */
  protected finalsSeen = 0;
  private thinkingFor: number | null = null;
  private readyToSend: number | null = null;
  /** The final text of each agent turn, by the prospect message it answered (0 = the greeting). */
  private readonly agentTurnTexts = new Map<number, string>();

  constructor(options: SimulatorOptions) {
    this.options = options;
    this.clock = options.clock ?? globalClock;
    this.timers = new NamedTimers(this.clock);
    const problems: string[] = [];
    let policy: ResumePolicy;
    try {
      policy = resolvePolicy(options.policy);
    } catch (error) {
      problems.push((error as Error).message);
      policy = { ...DEFAULT_RESUME_POLICY };
    }
    this.policy = policy;
    const think = options.thinkTimeMs ?? DEFAULT_THINK_TIME_MS;
    if (!(think.length === 2 && think[0] >= 0 && think[1] >= think[0] && Number.isFinite(think[1]))) {
      problems.push(`thinkTimeMs must be [min, max] with 0 <= min <= max, got ${JSON.stringify(think)}`);
    }
    this.thinkRange = [think[0], think[1]];
    if (!Number.isInteger(options.maxTurns) || options.maxTurns < 0) {
      problems.push(`maxTurns must be an integer >= 0, got ${String(options.maxTurns)}`);
    }
    this.maxTurns = Number.isInteger(options.maxTurns) && options.maxTurns >= 0 ? options.maxTurns : 0;
    if (!Number.isFinite(options.seed)) problems.push(`seed must be a finite number, got ${String(options.seed)}`);
    const seed = Number.isFinite(options.seed) ? options.seed : 0;
    for (const key of ['httpUrl', 'wsUrl', 'shareToken'] as const) {
      if (typeof options[key] !== 'string' || options[key].length === 0) problems.push(`${key} is required`);
    }
    this.configError = problems.length > 0 ? problems.join('; ') : null;
    this.rng = createRng(seed);
    this.jitterRng = this.rng.fork('reconnect-jitter');
    this.persona = createPersona(seed);
    this.redactor.add(options.shareToken);
  }

  /** Runs the conversation to its end. Never rejects: every failure is a result with a reason. */
  run(): Promise<SimulatorResult> {
    if (this.runPromise) return this.runPromise;
    this.runPromise = new Promise<SimulatorResult>((resolve) => {
      this.resolveRun = resolve;
      this.guard('start', () => this.start());
    });
    return this.runPromise;
  }

  // ───────────────────────────── decision hooks ─────────────────────────────

  /** T3: events of a replaced or abandoned socket, its late close included, are ignored entirely. */
  protected isCurrent(connection: Connection): boolean {
    return this.current === connection;
  }

  /** T1/T11: any close the client did not ask for is an outage, 1000 included; not 4001, not after the end. */
  protected shouldReconnect(code: number, _reason: string): boolean {
    if (this.conversationEnded) return false;
    return !isUnauthorisedClose(code);
  }

  /** T14: the close says the presented handle is invalid. */
  protected rejectsHandle(code: number, _reason: string): boolean {
    return isHandleRejectedClose(code);
  }

  /** T2: an open socket proves nothing; only session:resumed confirms a resume. */
  protected confirmsResume(kind: 'open' | 'resumed'): boolean {
    return kind === 'resumed';
  }

  /** T4: the first attempt of an outage goes at once, later ones back off exponentially with jitter. */
  protected reconnectDelayMs(attempt: number): number {
    return backoffDelayMs(attempt, this.policy, this.jitterRng);
  }

  /** T4: bounded attempts per outage. */
  protected exceedsAttemptBudget(attempt: number): boolean {
    return attempt > this.policy.maxAttempts;
  }

  /** T4: an open socket or a session:resumed can still be an accept-then-drop loop; a full turn cannot. */
  protected resetAttemptsAfter(kind: 'open' | 'resumed' | 'full-turn'): boolean {
    return kind === 'full-turn';
  }

  /** T14: a handle whose resumed connections keep dying before a full turn is poisoned. */
  protected shouldAbandonHandle(_handle: KeptHandle, acceptThenCloseCount: number): boolean {
    return acceptThenCloseCount >= this.policy.maxAcceptThenClose;
  }

  /** T9: silence while awaiting the agent, for longer than this, means a half-open connection. */
  protected inactivityTimeoutMs(): number {
    return this.policy.inactivityTimeoutMs;
  }

  /**
   * T7: the first prospect message the restored state does not include, or null. Normally the one
   * message sent after the handle arrived; more only if handles lagged (resumable:false), and then
   * the rest follows turn by turn through the ordinary flow.
   */
  protected messageToResend(handle: KeptHandle, lastSent: number): number | null {
    return lastSent > handle.coveredThrough ? handle.coveredThrough + 1 : null;
  }

  /**
   * F19: a final transcript on a resumed connection, before it carried a turn of its own, that
   * repeats the agent turn the restored state ends with (the one the handle covers). Servers
   * replay it after a resume; it answers nothing — above all not the message just re-sent. (A
   * genuine answer is another turn, with other words: the agent numbers its points.)
   */
  protected isRepeatedAgentTurn(connection: Connection, text: string): boolean {
    const handle = connection.handle;
    return handle !== null && !connection.carriedFullTurn && this.agentTurnTexts.get(handle.coveredThrough) === text;
  }

  /** T7: strict alternation: one prospect message per agent turn, on a usable connection, in script order. */
  protected maySendProspect(index: number): boolean {
    const connection = this.current;
    return (
      connection !== null &&
      connection.usable &&
      this.phase === 'conversing' &&
      this.pendingReply === null &&
      index === this.contextThrough + 1 &&
      index <= this.maxTurns
    );
  }

  /** T6: rotate at the latest this long from now: deadline minus the margin, the margin capped to half of timeLeft. */
  protected rotationDelayMs(timeLeftSeconds: number): number {
    const timeLeftMs = Math.max(0, timeLeftSeconds * 1000);
    const margin = Math.min(this.policy.expiryMarginMs, timeLeftMs / 2);
    return Math.max(0, timeLeftMs - margin);
  }

  /**
   * T6: rotating now loses nothing: the agent owes no answer and the newest handle arrived after
   * the last agent turn, so it captures the whole conversation. And the connection has carried a
   * full agent turn: a connection that has not (one just resumed) is no boundary, or a server that
   * sends goAway right after every resume turns rotations into a storm without progress (F3).
   */
  protected isRotationBoundary(): boolean {
    const connection = this.current;
    const handle = this.handles.newest();
    return (
      connection !== null &&
      connection.usable &&
      connection.carriedFullTurn &&
      this.pendingReply === null &&
      handle !== null &&
      handle.finalsBefore === this.finalsSeen &&
      handle.coveredThrough === this.contextThrough
    );
  }

  /** T5: keep the newest usable handle; resumable:false or an empty handle keeps the previous one. */
  protected onHandleUpdate(message: Message<'session_resumption_update'>, connection: Connection): void {
    if (connection.isResume && !connection.usable) {
      // Before session:resumed this may be the handle of a fresh session the server silently
      // started instead: adopting it would make the lost context look resumable.
      this.event('handle-ignored', { conn: connection.id, why: 'resume not confirmed', handle: this.fp(message.handle) });
      return;
    }
    if (message.handle) this.redactor.add(message.handle);
    const outcome = this.handles.offer(message.handle, message.resumable, {
      receivedAt: this.clock.now(),
      coveredThrough: this.contextThrough,
      sentAtArrival: this.lastSent,
      finalsBefore: this.finalsSeen,
    });
    if (outcome.kind === 'kept-new') {
      this.everHadHandle = true;
      this.event('handle-kept', {
        conn: connection.id,
        handle: outcome.handle.fingerprint,
        coveredThrough: outcome.handle.coveredThrough,
        sentAtArrival: outcome.handle.sentAtArrival,
      });
    } else if (outcome.kind === 'same-as-current') {
      this.event('handle-repeated', { conn: connection.id, handle: outcome.handle.fingerprint });
    } else {
      this.event('handle-kept-previous', { conn: connection.id, why: outcome.why, handle: outcome.handle?.fingerprint ?? null });
    }
    this.maybeRotateAtBoundary();
  }

  /** T6: one rotation per connection, at the next turn boundary or at the latest before the deadline. */
  protected onExpiring(message: Message<'session_expiring'>, connection: Connection): void {
    this.event('expiring', { conn: connection.id, timeLeft: message.timeLeft, hasHandle: message.hasHandle });
    if (connection.rotationPlanned) {
      this.event('expiring-repeated', { conn: connection.id });
      return;
    }
    if (this.phase !== 'conversing') return;
    connection.rotationPlanned = true;
    const delay = this.rotationDelayMs(message.timeLeft);
    this.event('rotation-planned', { conn: connection.id, latestInMs: delay, deadlineInMs: message.timeLeft * 1000 });
    this.after('rotation', delay, () => {
      if (this.isCurrent(connection)) this.rotate('deadline');
    });
    this.maybeRotateAtBoundary();
  }

  /** T6: never wait for the server to close: leave the old socket ourselves and resume at once. */
  protected rotate(why: 'turn-boundary' | 'deadline'): void {
    const old = this.current;
    if (!old) return;
    this.event('rotate', { conn: old.id, why, pendingReply: this.pendingReply?.kind ?? null });
    this.detachCurrent();
    old.close(CloseCode.normal, 'rotating before session expiry');
    this.recover('rotation');
  }

  /** T2/T14: the model spoke before session:resumed: the server started a fresh session, the handle is dead. */
  protected onTranscriptBeforeResumed(connection: Connection): void {
    this.event('resume-silently-rejected', { conn: connection.id, handle: connection.handle?.fingerprint ?? null });
    if (connection.handle) this.dropHandle(connection.handle, 'the server started a fresh session instead of resuming');
    this.detachCurrent();
    connection.close(CloseCode.normal, 'resume rejected');
    this.loseConnection(connection, { kind: 'silent-rejection' });
  }

  /** T8/T10/T13: no handle to resume with: give up, or start over on a new session and say so. */
  protected recoverWithoutHandle(reason: string): void {
    if (this.policy.fallback === 'new-session' && this.fallbacksUsed < MAX_FALLBACK_SESSIONS) {
      this.startFallbackSession(reason);
      return;
    }
    this.giveUp(reason);
  }

  /** T10: the context did not survive; the post-mortem is written by finish(). */
  protected giveUp(reason: string): void {
    this.finish('failed', reason, true);
  }

  /** T11: the conversation is over on the server's word: close and finish, never reconnect. */
  protected onConversationEnd(message: Message<'conversation_end'>, connection: Connection): void {
    this.conversationEnded = true;
    this.event('conversation-end', { conn: connection.id, reason: message.reason });
    this.detachCurrent();
    connection.close(CloseCode.normal, 'conversation ended');
    if (this.turns >= this.maxTurns) this.finish('completed');
    else this.finish('failed', `the server ended the conversation after ${this.turns} of ${this.maxTurns} turns: ${message.reason}`, this.contextLost);
  }

  /** T12: every text that leaves the simulator (log lines, events, reasons) passes here. */
  protected redactSecrets(text: string): string {
    return this.redactor.redact(text);
  }

  /** T12: the one exit for log lines. */
  protected logLine(line: string): void {
    this.options.logger?.(this.redactSecrets(line));
  }

  // ───────────────────────────── run lifecycle ─────────────────────────────

  private start(): void {
    if (this.configError) {
      this.finish('failed', `invalid options: ${this.configError}`, false);
      return;
    }
    const WebSocketClass = this.webSocketClass();
    if (!WebSocketClass) {
      this.finish('failed', 'no WebSocket implementation: pass options.WebSocket or provide globalThis.WebSocket', false);
      return;
    }
    if (!this.fetchFn()) {
      this.finish('failed', 'no fetch implementation: pass options.fetch or provide globalThis.fetch', false);
      return;
    }
    this.event('run-start', {
      maxTurns: this.maxTurns,
      seed: this.options.seed,
      persona: this.persona.fullName,
      company: this.persona.company,
      policy: { ...this.policy },
    });
    this.phase = 'conversing';
    void this.createSession('initial').then((created) => {
      if (created) this.guard('first connect', () => this.openConnection(null));
    });
  }

  private webSocketClass(): WebSocketCtor | undefined {
    return this.options.WebSocket ?? (globalThis as { WebSocket?: WebSocketCtor }).WebSocket;
  }

  private fetchFn(): typeof fetch | undefined {
    return this.options.fetch ?? globalThis.fetch;
  }

  /** Creates a session; on failure it ends the run itself and resolves false. */
  private async createSession(purpose: 'initial' | 'fallback'): Promise<boolean> {
    try {
      const session = await this.postSession();
      if (this.done) return false;
      this.session = session;
      this.sessionsCreated += 1;
      this.redactor.add(session.sessionToken);
      this.event('session-created', { purpose, conversationId: session.conversationId });
      return true;
    } catch (error) {
      if (!this.done) {
        this.event('session-failed', { purpose, error: describeError(error) });
        this.finish('failed', `could not create a session (${purpose}): ${describeError(error)}`, purpose === 'fallback');
      }
      return false;
    }
  }

  private async postSession(): Promise<CreateSessionResponse> {
    const fetchFn = this.fetchFn();
    if (!fetchFn) throw new Error('no fetch implementation');
    const url = `${this.options.httpUrl.replace(/\/+$/, '')}${sessionPath(this.options.shareToken)}`;
    const controller = new AbortController();
    const timeout = new Promise<never>((_, reject) => {
      this.timers.set('http', HTTP_TIMEOUT_MS, () => {
        controller.abort();
        reject(new Error(`no answer within ${HTTP_TIMEOUT_MS} ms`));
      });
    });
    timeout.catch(() => undefined);
    try {
      const body: Record<string, string> = { prospectName: this.persona.fullName };
      if (this.options.testMode) body.testMode = this.options.testMode;
      this.event('session-request', { url: redactUrl(url) });
      const response = await Promise.race([
        fetchFn(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: controller.signal,
        }),
        timeout,
      ]);
      const text = await Promise.race([response.text(), timeout]);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new Error(`HTTP ${response.status}: body is not JSON`);
      }
      if (!response.ok) {
        const problem = HttpErrorBody.safeParse(json);
        throw new Error(`HTTP ${response.status}${problem.success ? ` ${problem.data.error}: ${problem.data.message}` : ''}`);
      }
      const parsed = CreateSessionResponse.safeParse(json);
      if (!parsed.success) throw new Error(`HTTP ${response.status}: unexpected body (${parsed.error.issues[0]?.message ?? 'invalid'})`);
      return parsed.data;
    } finally {
      this.timers.clear('http');
    }
  }

  private get done(): boolean {
    return this.result !== null;
  }

  /** The run's end, from any path: exactly once, every timer stopped, the socket closed, the state saved. */
  protected finish(status: 'completed' | 'failed', reason?: string, contextLost = false): void {
    if (this.result) return;
    if (contextLost) this.contextLost = true;
    this.phase = 'done';
    this.timers.clearAll();
    const connection = this.current;
    this.current = null;
    connection?.close(CloseCode.normal, status === 'completed' ? 'conversation complete' : 'giving up');
    this.event('run-end', {
      status,
      reason: reason ?? null,
      turns: this.turns,
      reconnects: this.reconnects,
      contextLost: this.contextLost,
    });
    const result: SimulatorResult = {
      status,
      turns: this.turns,
      reconnects: this.reconnects,
      contextLost: this.contextLost,
      events: [...this.events],
    };
    if (this.session) result.conversationId = this.session.conversationId;
    if (reason !== undefined) result.reason = this.redactSecrets(reason);
    this.result = result;
    const resolve = (): void => this.resolveRun?.(result);
    const stateFile = this.options.stateFile;
    if (!stateFile) {
      resolve();
      return;
    }
    writePostMortem(stateFile, this.postMortem(result))
      .catch((error: unknown) => this.logLine(`post-mortem could not be written: ${describeError(error)}`))
      .finally(resolve);
  }

  private postMortem(result: SimulatorResult): PostMortem {
    return {
      status: result.status,
      reason: result.reason ?? null,
      conversationId: result.conversationId ?? null,
      turns: result.turns,
      maxTurns: this.maxTurns,
      reconnects: result.reconnects,
      contextLost: result.contextLost,
      handle: this.handles.newest()?.fingerprint ?? null,
      lastProspectMessageSent: this.lastSent,
      sessionsCreated: this.sessionsCreated,
      seed: this.options.seed,
      endedAt: this.clock.now(),
      events: result.events,
    };
  }

  // ───────────────────────────── connections ─────────────────────────────

  private readonly listener: ConnectionListener = {
    open: (c) => this.dispatch(c, 'open', () => this.onOpen(c)),
    text: (c, text) => this.dispatch(c, 'text', () => this.onText(c, text)),
    binary: (c, bytes) => this.dispatch(c, 'binary', () => this.onBinary(c, bytes)),
    close: (c, code, reason) => this.dispatch(c, 'close', () => this.onClose(c, code, reason), { code, reason }),
    error: (c, message) => this.dispatch(c, 'error', () => this.event('socket-error', { conn: c.id, message }), { message }),
  };

  private dispatch(connection: Connection, what: string, handler: () => void, detail: Record<string, unknown> = {}): void {
    if (this.done) return;
    if (!this.isCurrent(connection)) {
      if (what !== 'binary') this.event('stale-event-ignored', { conn: connection.id, what, ...detail });
      return;
    }
    this.guard(what, handler);
  }

  /** An upper bound on connections per run, as a backstop should any path loop. */
  private connectionBudget(): number {
    return (this.maxTurns + 2) * (this.policy.maxAttempts + 1) * (MAX_FALLBACK_SESSIONS + 1) + 8;
  }

  /** Opens a connection on the current session: with a handle = a resume attempt, without = a fresh model session. */
  protected openConnection(handle: KeptHandle | null): void {
    const session = this.session;
    if (!session) throw new Error('openConnection without a session');
    if (this.connectionCount >= this.connectionBudget()) {
      this.giveUp(`connection budget of ${this.connectionBudget()} exhausted`);
      return;
    }
    this.connectionCount += 1;
    if (this.connectionCount > 1) this.reconnects += 1;
    const url = buildConnectUrl(this.options.wsUrl, {
      sessionToken: session.sessionToken,
      shareToken: this.options.shareToken,
      testMode: this.options.testMode,
      resumeHandle: handle?.value,
    });
    const connection = new Connection(this.connectionCount, handle, redactUrl(url), this.clock.now());
    this.clearConnectionTimers();
    this.current = connection;
    // A fresh model session greets first; a resumed one owes nothing until told what it lacks.
    this.pendingReply = handle ? null : { kind: 'greeting' };
    this.event('connect', {
      conn: connection.id,
      url: connection.redactedUrl,
      handle: handle?.fingerprint ?? null,
      attempt: this.attempts,
    });
    if (handle) {
      this.after('resume-confirm', this.policy.resumeConfirmTimeoutMs, () => {
        if (this.isCurrent(connection)) this.onResumeTimeout(connection);
      });
    }
    this.armInactivity();
    const WebSocketClass = this.webSocketClass();
    try {
      if (!WebSocketClass) throw new Error('no WebSocket implementation');
      connection.connect(WebSocketClass, url, this.listener);
    } catch (error) {
      this.event('connect-failed', { conn: connection.id, error: describeError(error) });
      this.detachCurrent();
      this.loseConnection(connection, { kind: 'closed', code: CloseCode.abnormal, reason: 'could not open the socket' });
    }
  }

  /** The current socket stops counting: its later events, close included, are stale. */
  private detachCurrent(): void {
    this.current = null;
    this.clearConnectionTimers();
  }

  private clearConnectionTimers(): void {
    this.timers.clear('inactivity');
    this.timers.clear('resume-confirm');
    this.timers.clear('rotation');
  }

  private onOpen(connection: Connection): void {
    connection.opened = true;
    this.event('open', { conn: connection.id, resume: connection.isResume });
    if (!connection.isResume) connection.usable = true;
    else if (this.confirmsResume('open')) this.onResumeConfirmed(connection, 'open');
    if (this.resetAttemptsAfter('open')) this.resetAttempts('open');
    this.armInactivity();
  }

  private onBinary(connection: Connection, bytes: number): void {
    this.armInactivity();
    connection.binaryFramesReceived += 1;
    // Agent audio can stream many frames per second: the first one per connection is enough for the log.
    if (connection.binaryFramesReceived === 1) this.event('binary-ignored', { conn: connection.id, bytes, note: 'later binary frames are not logged' });
  }

  private onText(connection: Connection, text: string): void {
    connection.framesReceived += 1;
    this.armInactivity();
    const decoded = decodeServerFrame(text);
    if (decoded.state !== 'valid') {
      const detail = decoded.state === 'unknown-type' ? decoded.type : decoded.problem;
      this.event('frame-ignored', { conn: connection.id, state: decoded.state, detail: snippet(detail) });
      return;
    }
    const message = decoded.message;
    switch (message.type) {
      case 'transcript':
        this.onTranscript(connection, message);
        return;
      case 'session_resumption_update':
        this.onHandleUpdate(message, connection);
        return;
      case 'session_expiring':
        this.onExpiring(message, connection);
        return;
      case 'session:resumed':
        this.onSessionResumed(connection, message);
        return;
      case 'conversation_end':
        this.onConversationEnd(message, connection);
        return;
      case 'error':
        this.event('server-error', { conn: connection.id, code: message.code, message: snippet(message.message) });
        return;
    }
  }

  private onTranscript(connection: Connection, message: Message<'transcript'>): void {
    if (connection.isResume && !connection.usable) {
      this.onTranscriptBeforeResumed(connection);
      return;
    }
    // A turn streams as chunks; only the whole turn's words identify it (F19's repeated turn).
    if (!message.final) {
      connection.agentText += message.text;
      return;
    }
    const text = connection.agentText + message.text;
    connection.agentText = '';
    this.onAgentFinal(connection, text);
  }

  private onSessionResumed(connection: Connection, message: Message<'session:resumed'>): void {
    if (!connection.isResume) {
      this.event('resumed-unexpected', { conn: connection.id, why: 'no handle was presented' });
      return;
    }
    if (connection.usable) {
      this.event('resumed-repeated', { conn: connection.id });
      return;
    }
    if (message.conversationId && this.session && message.conversationId !== this.session.conversationId) {
      this.event('resumed-other-conversation', { conn: connection.id, conversationId: message.conversationId });
    }
    if (this.confirmsResume('resumed')) this.onResumeConfirmed(connection, 'resumed');
  }

  private onResumeConfirmed(connection: Connection, via: 'open' | 'resumed'): void {
    const handle = connection.handle;
    if (!handle) return;
    connection.usable = true;
    this.timers.clear('resume-confirm');
    this.event('resumed', { conn: connection.id, via, handle: handle.fingerprint, coveredThrough: handle.coveredThrough });
    if (this.resetAttemptsAfter('resumed')) this.resetAttempts('resumed');
    this.contextThrough = handle.coveredThrough;
    this.pendingReply = null;
    const resend = this.messageToResend(handle, this.lastSent);
    if (resend !== null) {
      this.cancelThinking();
      this.sendProspect(connection, resend, 'resend');
    } else if (this.lastSent > this.contextThrough) {
      // Nothing to re-send means the restored state is taken to hold every message sent, so the
      // agent owes the last one. (Unreachable with the reference messageToResend; it gives a
      // hook that wrongly answers null the consequence it has on a real server: a stall.)
      this.cancelThinking();
      this.contextThrough = this.lastSent - 1;
      this.pendingReply = { kind: 'prospect', index: this.lastSent };
    } else {
      this.continueConversation(connection);
    }
    this.armInactivity();
  }

  /** After a resume that owes nothing: end if done, else keep (or start) thinking about the next line. */
  private continueConversation(connection: Connection): void {
    if (this.contextThrough >= this.maxTurns) {
      this.beginEnding(connection);
      return;
    }
    const next = this.contextThrough + 1;
    if (this.thinkingFor !== null && this.thinkingFor !== next) this.cancelThinking();
    if (this.readyToSend !== null && this.readyToSend !== next) this.readyToSend = null;
    if (this.readyToSend === next) this.trySendNext();
    else if (this.thinkingFor === null) this.planNext(next);
  }

  private onAgentFinal(connection: Connection, text: string): void {
    if (this.isRepeatedAgentTurn(connection, text)) {
      this.event('agent-turn-repeated', { conn: connection.id, text: snippet(text) });
      return;
    }
    this.finalsSeen += 1;
    const answered = this.pendingReply;
    if (!answered) {
      this.event('agent-final-unsolicited', { conn: connection.id, text: snippet(text) });
      return;
    }
    this.pendingReply = null;
    connection.carriedFullTurn = true;
    let progress: boolean;
    if (answered.kind === 'greeting') {
      progress = true;
      this.agentTurnTexts.set(this.contextThrough, text);
      this.event('agent-greeting', { conn: connection.id, text: snippet(text) });
    } else {
      progress = answered.index > this.turns;
      this.agentTurnTexts.set(answered.index, text);
      this.contextThrough = answered.index;
      this.turns = Math.max(this.turns, answered.index);
      this.event('turn-answered', { conn: connection.id, index: answered.index, turns: this.turns, text: snippet(text) });
    }
    if (progress && this.resetAttemptsAfter('full-turn')) this.resetAttempts('full-turn');
    this.armInactivity();
    if (this.contextThrough >= this.maxTurns) this.beginEnding(connection);
    else this.planNext(this.contextThrough + 1);
    this.maybeRotateAtBoundary();
  }

  private onClose(connection: Connection, code: number, reason: string): void {
    this.event('close', { conn: connection.id, code, reason: snippet(reason), opened: connection.opened });
    this.detachCurrent();
    this.loseConnection(connection, { kind: 'closed', code, reason });
  }

  private onResumeTimeout(connection: Connection): void {
    this.event('resume-timeout', { conn: connection.id, afterMs: this.policy.resumeConfirmTimeoutMs });
    this.detachCurrent();
    connection.close(CloseCode.normal, 'no session:resumed in time');
    this.loseConnection(connection, { kind: 'resume-timeout' });
  }

  private onInactivity(connection: Connection): void {
    this.event('half-open', { conn: connection.id, silentForMs: this.inactivityTimeoutMs() });
    this.detachCurrent();
    connection.close(CloseCode.normal, 'no data while awaiting the agent');
    this.loseConnection(connection, { kind: 'inactivity' });
  }

  /** The connection is gone (already detached): decide between finishing, dropping the handle and resuming. */
  private loseConnection(connection: Connection, loss: ConnectionLoss): void {
    if (this.done) return;
    if (this.phase === 'ending') {
      // Every turn is done and end_conversation was sent: there is nothing left to resume for.
      this.event('lost-while-ending', { conn: connection.id, loss: loss.kind });
      this.finish('completed');
      return;
    }
    if (loss.kind === 'closed') {
      if (!this.shouldReconnect(loss.code, loss.reason)) {
        if (this.conversationEnded) this.finish(this.turns >= this.maxTurns ? 'completed' : 'failed', 'the conversation ended', this.contextLost);
        else this.giveUp(`the server closed with ${loss.code}${loss.reason ? ` (${snippet(loss.reason)})` : ''}: not authorised, not reconnecting`);
        return;
      }
      if (connection.handle && this.rejectsHandle(loss.code, loss.reason)) {
        this.dropHandle(connection.handle, `the server closed with ${loss.code}${loss.reason ? ` (${snippet(loss.reason)})` : ''}`);
        this.recover('handle-rejected');
        return;
      }
    }
    if (connection.handle && connection.usable && !connection.carriedFullTurn) {
      const count = this.handles.noteAcceptThenClose(connection.handle.value);
      this.event('accept-then-close', { conn: connection.id, handle: connection.handle.fingerprint, count });
      if (this.shouldAbandonHandle(connection.handle, count)) {
        this.dropHandle(connection.handle, `its resumed connections closed before a full agent turn ${count} times`);
      }
    }
    this.recover(loss.kind);
  }

  private dropHandle(handle: KeptHandle, why: string): void {
    this.handles.reject(handle.value);
    this.lastHandleDrop = `handle ${handle.fingerprint} dropped: ${why}`;
    this.event('handle-dropped', { handle: handle.fingerprint, why });
  }

  /** One step of an outage: the next attempt with the newest handle, or the end of resuming. */
  protected recover(trigger: RecoveryTrigger): void {
    if (this.done) return;
    const handle = this.handles.newest();
    if (!handle) {
      const why = this.lastHandleDrop
        ? `resume impossible: ${this.lastHandleDrop}`
        : this.everHadHandle
          ? 'resume impossible: no usable handle'
          : 'resume impossible: the connection was lost before the server issued any resume handle';
      this.event('resume-impossible', { trigger, why });
      this.recoverWithoutHandle(why);
      return;
    }
    this.attempts += 1;
    if (this.exceedsAttemptBudget(this.attempts)) {
      const why = `resume failed: ${this.attempts - 1} attempts in this outage did not bring back a working connection`;
      this.event('attempts-exhausted', { trigger, attempts: this.attempts - 1 });
      this.recoverWithoutHandle(why);
      return;
    }
    const delay = trigger === 'rotation' ? 0 : this.reconnectDelayMs(this.attempts);
    this.event('reconnect-scheduled', { trigger, attempt: this.attempts, delayMs: delay, handle: handle.fingerprint });
    if (delay <= 0) this.reconnectNow();
    else this.after('reconnect', delay, () => this.reconnectNow());
  }

  private reconnectNow(): void {
    const handle = this.handles.newest();
    if (!handle) {
      this.recoverWithoutHandle(`resume impossible: ${this.lastHandleDrop ?? 'no usable handle'}`);
      return;
    }
    this.openConnection(handle);
  }

  private resetAttempts(after: 'open' | 'resumed' | 'full-turn'): void {
    if (this.attempts !== 0) this.event('attempts-reset', { after, was: this.attempts });
    this.attempts = 0;
  }

  private startFallbackSession(reason: string): void {
    this.fallbacksUsed += 1;
    this.contextLost = true;
    this.event('fallback-new-session', { reason, previousConversationId: this.session?.conversationId ?? null });
    this.timers.clear('reconnect');
    this.detachCurrent();
    this.handles.forgetAll();
    this.attempts = 0;
    this.pendingReply = null;
    // The new model session knows nothing, but the prospect's script goes on where it was: the
    // next unanswered message follows the new greeting. contextLost tells the judge why.
    this.contextThrough = this.turns;
    this.cancelThinking();
    void this.createSession('fallback').then((created) => {
      if (created) this.guard('fallback connect', () => this.openConnection(null));
    });
  }

  // ───────────────────────────── turns ─────────────────────────────

  private planNext(index: number): void {
    this.cancelThinking();
    this.thinkingFor = index;
    const [min, max] = this.thinkRange;
    const delay = Math.round(this.rng.fork(`think/${index}`).between(min, max));
    this.after('think', delay, () => {
      this.thinkingFor = null;
      this.readyToSend = index;
      this.trySendNext();
    });
  }

  private cancelThinking(): void {
    this.timers.clear('think');
    this.thinkingFor = null;
    this.readyToSend = null;
  }

  private trySendNext(): void {
    const index = this.readyToSend;
    const connection = this.current;
    if (index === null || !connection || !connection.usable) return;
    if (!this.maySendProspect(index)) return;
    this.readyToSend = null;
    this.sendProspect(connection, index, 'reply');
  }

  private sendProspect(connection: Connection, index: number, why: 'reply' | 'resend'): void {
    if (!this.maySendProspect(index)) {
      this.event('prospect-send-refused', { conn: connection.id, index, why });
      return;
    }
    const text = prospectMessage(this.persona, index);
    // State first, then the wire: an in-process server may answer synchronously inside send().
    const before = { lastSent: this.lastSent, pendingReply: this.pendingReply };
    this.lastSent = Math.max(this.lastSent, index);
    this.pendingReply = { kind: 'prospect', index };
    this.event('prospect-sent', { conn: connection.id, index, resend: why === 'resend', text });
    if (!connection.send(encodeMessage({ type: 'prospect_message', text }))) {
      // The socket is going away; its close event starts the recovery, which sends it again.
      this.lastSent = before.lastSent;
      this.pendingReply = before.pendingReply;
      this.event('prospect-send-failed', { conn: connection.id, index, why });
      this.readyToSend = index;
      return;
    }
    this.armInactivity();
  }

  private beginEnding(connection: Connection): void {
    if (this.phase !== 'conversing') return;
    this.phase = 'ending';
    this.cancelThinking();
    this.timers.clear('rotation');
    this.timers.clear('inactivity');
    const sent = connection.send(encodeMessage({ type: 'end_conversation' }));
    this.event('end-sent', { conn: connection.id, sent });
    this.after('end', this.policy.endTimeoutMs, () => {
      // Every turn was answered; only the server's acknowledgement is missing.
      this.event('end-timeout', { afterMs: this.policy.endTimeoutMs });
      this.finish('completed');
    });
  }

  // ───────────────────────────── timers and log ─────────────────────────────

  private maybeRotateAtBoundary(): void {
    const connection = this.current;
    if (!connection?.rotationPlanned || this.phase !== 'conversing' || !this.isRotationBoundary()) return;
    // On the next tick, not inside this frame's handler: frames that came with this one (a
    // conversation_end right behind session_expiring) are read first, on the socket they came on.
    this.after('rotation', 0, () => {
      if (this.isCurrent(connection) && this.phase === 'conversing') this.rotate('turn-boundary');
    });
  }

  /** Silence watch: armed (and re-armed by every frame) only while the agent owes something. */
  private armInactivity(): void {
    const connection = this.current;
    const awaiting =
      connection !== null &&
      this.phase === 'conversing' &&
      (this.pendingReply !== null || (connection.isResume && !connection.usable));
    if (!connection || !awaiting) {
      this.timers.clear('inactivity');
      return;
    }
    this.after('inactivity', this.inactivityTimeoutMs(), () => {
      if (this.isCurrent(connection)) this.onInactivity(connection);
    });
  }

  private after(name: TimerName, ms: number, fn: () => void): void {
    this.timers.set(name, ms, () => this.guard(`timer ${name}`, fn));
  }

  /** Any exception ends the run as failed instead of escaping into a socket or timer callback. */
  private guard(where: string, fn: () => void): void {
    if (this.done) return;
    try {
      fn();
    } catch (error) {
      this.finish('failed', `internal error (${where}): ${describeError(error)}`, this.sessionsCreated > 0);
    }
  }

  private fp(secret: string): string {
    return fingerprint(secret);
  }

  private event(kind: string, fields: Record<string, unknown> = {}): void {
    const entry: SimulatorEvent = { t: this.clock.now(), kind };
    for (const [key, value] of Object.entries(fields)) {
      entry[key] = typeof value === 'string' ? this.redactSecrets(value) : value;
    }
    this.events.push(entry);
    const details = Object.entries(entry)
      .filter(([key]) => key !== 't' && key !== 'kind')
      .map(([key, value]) => `${key}=${typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? 'undefined'}`)
      .join(' ');
    this.logLine(`[sim t=${Math.round(entry.t)}] ${kind}${details ? ` ${details}` : ''}`);
  }
}
