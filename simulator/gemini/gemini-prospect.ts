/**
 * The reference Gemini Live client: the Prospect Simulator on Google's wire
 * (docs/gemini-live.md §1.2–§1.8), on @google/genai 2.32.0. It plays the same seeded persona
 * as the AI-voice simulator (core/persona.ts) and keeps one conversation alive across
 * Gemini's connection lifetime:
 * - it asks for resumption (`sessionResumption: {}`) and keeps the newest handle of a
 *   `resumable: true` update (§1.4);
 * - on goAway it rotates before the deadline: it lets the turn in flight finish and waits for
 *   the handle that follows when time allows, else it leaves mid-turn; the old session is
 *   closed before the new one opens (F7);
 * - after a close it did not ask for, it reconnects with the newest handle, with backoff,
 *   at most policy.maxAttempts times per outage (core/backoff.ts);
 * - `connect()` is raced against a timeout and against a close before setupComplete, which
 *   is how Gemini rejects a handle (§1.6) and on which 2.32.0's `connect()` never settles;
 * - a rejected handle is never presented again: the run ends failed, or (policy.fallback
 *   'new-session') goes on in a fresh session; either way it reports contextLost;
 * - it never replays history into a resumed session, and re-sends the user turn whose
 *   answer had not completed exactly once, on the new connection.
 * All waiting goes through the Clock.
 */
import { globalClock, type Clock, type TimerHandle } from '../../protocol/clock.ts';
import { durationToMillis, parseDuration } from '../../protocol/gemini-live/duration.ts';
import { createRng, type Rng } from '../../protocol/rng.ts';
import { backoffDelayMs } from '../core/backoff.ts';
import { DEFAULT_DECISIONS } from '../core/decisions.ts';
import { EventLog } from '../core/event-log.ts';
import { createPersona, prospectMessage, type Persona } from '../core/persona.ts';
import { DEFAULT_THINK_TIME_MS, resolvePolicy, type ResumePolicy } from '../core/policy.ts';
import type { SimulatorResult } from '../simulator-types.ts';
import { resolveGeminiDecisions, type GeminiDecisions, type GeminiExchange } from './gemini-decisions.ts';
import { openGeminiSession, type GeminiServerMessage, type GeminiSession, type OpenResult, type SdkBuild } from './gemini-session.ts';

export const DEFAULT_GEMINI_MODEL = 'gemini-2.0-flash-live-001';

export interface GeminiProspectOptions {
  /** What GOOGLE_GEMINI_BASE_URL holds, e.g. http://127.0.0.1:4000. */
  baseUrl: string;
  /** GEMINI_API_KEY. */
  apiKey: string;
  /** Default 'gemini-2.0-flash-live-001'. */
  model?: string;
  /** User turns the model must answer. */
  maxTurns: number;
  seed: number;
  /** All waiting goes through it. Default: globalClock. */
  clock?: Clock;
  /** 'web': the '@google/genai/web' build, on globalThis.WebSocket (msw-interceptable). Default 'node'. */
  sdk?: SdkBuild;
  policy?: Partial<ResumePolicy>;
  /** Decisions to replace (the rest stay DEFAULT_GEMINI_DECISIONS): how the mutants put a bug back. */
  decisions?: Partial<GeminiDecisions>;
  /** The prospect's delay before each message, [min, max] protocol ms, seeded. */
  thinkTimeMs?: [number, number];
  /** Receives redacted log lines. */
  logger?: (line: string) => void;
}

type ConnEvent =
  | { kind: 'turn'; text: string }
  | { kind: 'go-away'; timeLeftMs: number }
  | { kind: 'handle' }
  | { kind: 'close'; code: number; reason: string }
  | { kind: 'timeout' };

/** What the client knows about one open connection. */
class Conn {
  session: GeminiSession | null = null;
  /** Rotate at the latest at this protocol time (set by goAway). */
  rotateAt: number | null = null;
  /** A resumable handle arrived after the last completed turn of this connection. */
  handleFresh = false;
  turnsHere = 0;
  modelText = '';
  lastActivity: number;
  private readonly queue: ConnEvent[] = [];
  private waiter: ((event: ConnEvent) => void) | null = null;

  constructor(
    readonly ordinal: number,
    /** The handle this connection resumed with (null: fresh). */
    readonly resumedWith: string | null,
    private readonly clock: Clock,
  ) {
    this.lastActivity = clock.now();
  }

  push(event: ConnEvent): void {
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = null;
      waiter(event);
    } else this.queue.push(event);
  }

  /** The next event, or `timeout` after `ms` protocol ms (Infinity: no timeout). */
  next(ms: number): Promise<ConnEvent> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => {
      let timer: TimerHandle | null = null;
      this.waiter = (event) => {
        if (timer !== null) this.clock.clearTimeout(timer);
        resolve(event);
      };
      if (Number.isFinite(ms)) {
        timer = this.clock.setTimeout(() => {
          this.waiter = null;
          resolve({ kind: 'timeout' });
        }, Math.max(0, ms));
      }
    });
  }
}

type Established = { conn: Conn } | { result: SimulatorResult };

export class GeminiProspect {
  private readonly clock: Clock;
  private readonly policy: ResumePolicy;
  private readonly decisions: GeminiDecisions;
  private readonly persona: Persona;
  private readonly rng: Rng;
  private readonly thinkRng: Rng;
  private readonly log: EventLog;
  private readonly model: string;
  private readonly sdk: SdkBuild;
  private readonly thinkTimeMs: readonly [number, number];

  private handle: string | null = null;
  /** Turns the model had answered when the kept handle arrived: what resuming with it restores. */
  private handleTurns = 0;
  /** Turns answered as the messages arrive (the loop's `turns` catches up when it wakes). */
  private completedTurns = 0;
  private readonly rejected = new Set<string>();
  private readonly closedEarly = new Map<string, number>();
  private readonly answered: GeminiExchange[] = [];
  private turns = 0;
  private nextIndex = 1;
  private reconnects = 0;
  private contextLost = false;
  private connections = 0;
  /** The message whose answer has not completed: its index, text, and the connection it went out on. */
  private inFlight: { index: number; text: string; sentOn: Conn | null } | null = null;
  private current: Conn | null = null;
  private ran = false;

  constructor(private readonly o: GeminiProspectOptions) {
    if (!Number.isInteger(o.maxTurns) || o.maxTurns < 0) throw new RangeError(`maxTurns must be an integer >= 0, got ${o.maxTurns}`);
    this.clock = o.clock ?? globalClock;
    this.policy = resolvePolicy(o.policy);
    this.decisions = resolveGeminiDecisions(o.decisions);
    this.persona = createPersona(o.seed);
    this.rng = createRng(o.seed).fork('gemini-backoff');
    this.thinkRng = createRng(o.seed).fork('gemini-think');
    this.log = new EventLog(this.clock, DEFAULT_DECISIONS, o.logger);
    this.log.addSecret(o.apiKey);
    this.model = o.model ?? DEFAULT_GEMINI_MODEL;
    this.sdk = o.sdk ?? 'node';
    this.thinkTimeMs = o.thinkTimeMs ?? DEFAULT_THINK_TIME_MS;
  }

  async run(): Promise<SimulatorResult> {
    if (this.ran) throw new Error('GeminiProspect.run() may be called once');
    this.ran = true;
    this.log.event('run-start', { maxTurns: this.o.maxTurns, seed: this.o.seed, model: this.model, sdk: this.sdk, policy: { ...this.policy } });
    try {
      return await this.loop();
    } catch (error) {
      return this.finish('failed', `internal error: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      const conn = this.current;
      this.current = null;
      if (conn?.session && !conn.session.closed) await conn.session.close(this.clock, 1000);
    }
  }

  // ── the conversation ───────────────────────────────────────────────────────

  private async loop(): Promise<SimulatorResult> {
    let conn: Conn | null = null;
    let outage = false;
    let thinkUntil: number | null = null;
    for (;;) {
      if (conn === null) {
        const established = await this.establish(outage ? 'outage' : this.connections === 0 ? 'start' : 'rotation');
        if ('result' in established) return established.result;
        conn = established.conn;
        outage = false;
      }
      if (this.turns >= this.o.maxTurns) {
        this.log.event('end', { turns: this.turns });
        this.current = null;
        if (conn.session) await conn.session.close(this.clock, 1000);
        return this.finish('completed');
      }

      // A goAway while idle: rotate once the handle is fresh, at the latest at rotateAt.
      if (conn.rotateAt !== null && this.inFlight === null) {
        if (conn.handleFresh || this.clock.now() >= conn.rotateAt) {
          await this.leave(conn, 'rotation');
          conn = null;
          continue;
        }
        const event = await conn.next(conn.rotateAt - this.clock.now());
        if (event.kind === 'close') {
          if (!this.afterClose(event)) return this.finish('failed', `connection closed ${event.code} and the client does not reconnect`);
          conn = null;
          outage = true;
        }
        continue;
      }

      // The message: a new one after thinking, or the in-flight one again on a new connection.
      if (this.inFlight === null) {
        thinkUntil ??= this.clock.now() + this.thinkRng.between(this.thinkTimeMs[0], this.thinkTimeMs[1]);
        if (this.clock.now() < thinkUntil) {
          const event = await conn.next(thinkUntil - this.clock.now());
          if (event.kind === 'close') {
            if (!this.afterClose(event)) return this.finish('failed', `connection closed ${event.code} and the client does not reconnect`);
            conn = null;
            outage = true;
          }
          continue;
        }
        thinkUntil = null;
        const index = this.nextIndex;
        this.inFlight = { index, text: prospectMessage(this.persona, index), sentOn: null };
      }
      const inFlight = this.inFlight!;
      if (inFlight.sentOn !== conn) {
        if (inFlight.sentOn !== null && !this.decisions.resendInFlight()) {
          // The answer was lost with the old connection, and this client does not ask again.
          this.log.event('in-flight-dropped', { index: inFlight.index });
          this.inFlight = null;
          this.nextIndex = inFlight.index + 1;
          continue;
        }
        this.log.event(inFlight.sentOn === null ? 'send' : 'resend', { index: inFlight.index, connection: conn.ordinal });
        inFlight.sentOn = conn;
        conn.modelText = '';
        conn.lastActivity = this.clock.now();
        conn.session!.sendUserTurn(inFlight.text);
      }

      // Await the answer, a goAway deadline, inactivity, or the close.
      const now = this.clock.now();
      const inactivityAt = conn.lastActivity + this.policy.inactivityTimeoutMs;
      const wakeAt = Math.min(inactivityAt, conn.rotateAt ?? Infinity);
      const event = await conn.next(wakeAt - now);
      switch (event.kind) {
        case 'turn':
          this.turns++;
          this.answered.push({ prospect: inFlight.text, model: event.text });
          this.log.event('turn-complete', { index: inFlight.index, turns: this.turns, connection: conn.ordinal });
          this.inFlight = null;
          this.nextIndex = inFlight.index + 1;
          break;
        case 'go-away':
        case 'handle':
          break;
        case 'close':
          if (!this.afterClose(event)) return this.finish('failed', `connection closed ${event.code} and the client does not reconnect`);
          conn = null;
          outage = true;
          break;
        case 'timeout':
          if (conn.rotateAt !== null && this.clock.now() >= conn.rotateAt) {
            // No turn boundary before the deadline: leave mid-turn, re-send on the new connection.
            await this.leave(conn, 'rotation');
            conn = null;
          } else if (this.clock.now() >= conn.lastActivity + this.policy.inactivityTimeoutMs) {
            this.log.event('inactivity', { connection: conn.ordinal });
            await this.leave(conn, 'inactivity');
            conn = null;
            outage = true;
          }
          break;
      }
    }
  }

  /** A close the client did not ask for: false if the run cannot go on. */
  private afterClose(event: { code: number; reason: string }): boolean {
    const conn = this.current;
    this.current = null;
    this.log.event('closed', { code: event.code, reason: event.reason, connection: conn?.ordinal });
    if (conn?.resumedWith && conn.turnsHere === 0) {
      // Accepted, then closed before a full turn (F6): too often, and the handle is abandoned.
      const count = (this.closedEarly.get(conn.resumedWith) ?? 0) + 1;
      this.closedEarly.set(conn.resumedWith, count);
      if (count >= this.policy.maxAcceptThenClose && this.handle === conn.resumedWith) this.rejectHandle(conn.resumedWith, 'accepted then closed');
    }
    return this.decisions.reconnectAfterAbnormalClose(event.code);
  }

  /** Closes `conn` on the client's own initiative (rotation, a silent connection). */
  private async leave(conn: Conn, why: string): Promise<void> {
    this.log.event('leave', { why, connection: conn.ordinal });
    this.current = null;
    if (conn.session) await conn.session.close(this.clock, Math.min(2000, this.policy.resumeConfirmTimeoutMs));
  }

  // ── connecting ─────────────────────────────────────────────────────────────

  private async establish(kind: 'start' | 'rotation' | 'outage'): Promise<Established> {
    for (let attempt = 1; attempt <= this.policy.maxAttempts; attempt++) {
      const delay = kind === 'rotation' && attempt === 1 ? 0 : backoffDelayMs(attempt, this.policy, this.rng);
      if (delay > 0) await this.sleep(delay);
      const handle = this.handle;
      if (handle === null && this.turns > 0 && !this.contextLost) {
        // Nothing to resume with although the model held turns: a fresh session knows none of them.
        this.contextLost = true;
        this.log.event('context-lost', { why: 'no handle to resume with' });
      }
      if (handle !== null && this.handleTurns < this.turns && !this.contextLost) {
        // The newest handle predates turns the model answered: resuming restores a shorter context.
        this.contextLost = true;
        this.log.event('context-lost', { why: 'the newest handle predates answered turns', handleTurns: this.handleTurns, turns: this.turns });
      }
      const conn = new Conn(this.connections + 1, handle, this.clock);
      this.log.event('connect', { kind, attempt, resume: handle !== null });
      const opened = await this.open(conn, handle);
      if (opened.ok) {
        this.connections++;
        if (this.connections > 1) this.reconnects++;
        conn.session = opened.session;
        this.current = conn;
        this.log.event('open', { connection: conn.ordinal, resumed: handle !== null });
        if (handle !== null) {
          const history = this.decisions.historyOnResume(this.answered);
          if (history.length > 0) {
            this.log.event('history-sent', { exchanges: history.length });
            opened.session.sendHistory(history.flatMap((e) => [{ role: 'user' as const, text: e.prospect }, { role: 'model' as const, text: e.model }]));
          }
        }
        return { conn };
      }
      this.log.event('connect-failed', { attempt, why: opened.why, ...(opened.why === 'closed' ? { code: opened.code, reason: opened.reason } : {}) });
      if (opened.why === 'closed' && handle !== null && isHandleRejection(opened.code)) {
        this.rejectHandle(handle, `closed ${opened.code} before setupComplete`);
        if (this.policy.fallback === 'fail') return { result: this.finish('failed', `resume handle rejected (close ${opened.code} ${opened.reason})`) };
      }
    }
    return { result: this.finish('failed', `no connection after ${this.policy.maxAttempts} attempts`) };
  }

  private rejectHandle(handle: string, why: string): void {
    this.rejected.add(handle);
    if (this.handle === handle) this.handle = null;
    this.contextLost = true;
    this.log.event('handle-rejected', { why, fallback: this.policy.fallback });
  }

  private open(conn: Conn, handle: string | null): Promise<OpenResult> {
    return openGeminiSession({
      sdk: this.sdk,
      baseUrl: this.o.baseUrl,
      apiKey: this.o.apiKey,
      model: this.model,
      handle,
      clock: this.clock,
      connectTimeoutMs: this.decisions.connectTimeoutMs(this.policy.resumeConfirmTimeoutMs),
      onMessage: (message, beforeConnectResolved) => this.onMessage(conn, message, beforeConnectResolved),
      onClose: (code, reason) => conn.push({ kind: 'close', code, reason }),
    });
  }

  private onMessage(conn: Conn, message: GeminiServerMessage, beforeConnectResolved: boolean): void {
    conn.lastActivity = this.clock.now();
    const update = message.sessionResumptionUpdate;
    if (update) {
      const kept = this.decisions.keepHandle({
        kept: this.handle,
        update: { newHandle: update.newHandle, resumable: update.resumable },
        beforeConnectResolved,
        turnsOnConnection: conn.turnsHere,
      });
      if (kept !== null && this.rejected.has(kept)) return;
      if (kept !== this.handle) {
        if (kept) this.log.addSecret(kept);
        this.handle = kept;
        this.handleTurns = this.completedTurns;
        this.log.event('handle-kept', { connection: conn.ordinal, turns: this.handleTurns, empty: kept === '' });
      }
      conn.handleFresh = update.resumable === true && !!update.newHandle && kept === update.newHandle;
      conn.push({ kind: 'handle' });
    }
    const goAway = message.goAway;
    if (goAway) {
      const parsed = parseDuration(goAway.timeLeft ?? '');
      const timeLeftMs = parsed.ok ? durationToMillis(parsed.duration) : 0;
      this.log.event('go-away', { connection: conn.ordinal, timeLeftMs });
      if (this.decisions.rotateOnGoAway() && conn.rotateAt === null) {
        const margin = Math.min(this.policy.expiryMarginMs, timeLeftMs / 2);
        conn.rotateAt = this.clock.now() + timeLeftMs - margin;
        conn.push({ kind: 'go-away', timeLeftMs });
      }
    }
    const content = message.serverContent;
    if (content) {
      for (const part of content.modelTurn?.parts ?? []) if (typeof part.text === 'string') conn.modelText += part.text;
      if (typeof content.outputTranscription?.text === 'string') conn.modelText += content.outputTranscription.text;
      if (content.turnComplete) {
        if (this.inFlight?.sentOn === conn) this.completedTurns++;
        conn.turnsHere++;
        conn.handleFresh = false;
        const text = conn.modelText;
        conn.modelText = '';
        conn.push({ kind: 'turn', text });
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.setTimeout(resolve, ms));
  }

  private finish(status: 'completed' | 'failed', reason?: string): SimulatorResult {
    this.log.event('run-end', { status, turns: this.turns, reconnects: this.reconnects, contextLost: this.contextLost, ...(reason ? { reason } : {}) });
    return {
      status,
      turns: this.turns,
      reconnects: this.reconnects,
      contextLost: this.contextLost,
      ...(reason ? { reason } : {}),
      events: this.log.events,
    };
  }
}

/** §1.6: Gemini refuses a handle by closing before setupComplete, with 1007 or 1008. */
function isHandleRejection(code: number): boolean {
  return code === 1007 || code === 1008;
}
