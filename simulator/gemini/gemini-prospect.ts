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
import { TurnLedger } from '../core/turn-ledger.ts';
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
        // Whole milliseconds, rounded up: a fake clock truncates 0.6 ms to 0, and the wait would
        // wake before its deadline, again and again, without time moving.
        timer = this.clock.setTimeout(() => {
          this.waiter = null;
          resolve({ kind: 'timeout' });
        }, Math.max(0, Math.ceil(ms)));
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
  /** Prospect messages answered in the model context when the kept handle arrived: what resuming with it restores. */
  private handleCovers = 0;
  private readonly rejected = new Set<string>();
  /** Resumed connections closed before a full turn, by the handle they presented (F6). */
  private readonly closedEarly = new Map<string, number>();
  /** contextThrough / turns / lastSent: the AI-voice simulator's turn ledger, read the same way. */
  private readonly ledger = new TurnLedger();
  private readonly answered: GeminiExchange[] = [];
  /** The lowest message index to send next (raised only by a client that skips the in-flight turn). */
  private skipFloor = 1;
  /** Connection attempts since the model last answered: an open socket alone resets nothing. */
  private attemptsInRow = 0;
  private reconnects = 0;
  private contextLost = false;
  private connections = 0;
  /** The message sent on the current connection whose answer has not completed. */
  private inFlight: { index: number; text: string; sentOn: Conn } | null = null;
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
    const ledger = this.ledger;
    let conn: Conn | null = null;
    let outage = false;
    let thinking: { index: number; until: number } | null = null;
    const closed = (event: { code: number; reason: string }): SimulatorResult | null => {
      const stop = this.afterClose(event);
      if (stop !== null) return this.finish('failed', stop);
      conn = null;
      outage = true;
      return null;
    };
    for (;;) {
      if (conn === null) {
        const established = await this.establish(outage ? 'outage' : this.connections === 0 ? 'start' : 'rotation');
        if ('result' in established) return established.result;
        conn = established.conn;
        outage = false;
      }
      const c: Conn = conn;
      if (this.inFlight === null && ledger.contextThrough >= this.o.maxTurns) {
        this.log.event('end', { turns: ledger.turns });
        this.current = null;
        if (c.session) await c.session.close(this.clock, 1000);
        return this.finish('completed');
      }

      // A goAway while idle: leave at the boundary once the newest handle is in, at the latest at
      // rotateAt. A connection that has carried no turn yet carries one first (no rotation storm).
      if (c.rotateAt !== null && this.inFlight === null) {
        const due = this.clock.now() >= c.rotateAt;
        if (due || (c.turnsHere > 0 && c.handleFresh)) {
          await this.leave(c, 'rotation');
          conn = null;
          continue;
        }
        if (c.turnsHere > 0) {
          const event = await c.next(c.rotateAt - this.clock.now());
          if (event.kind === 'close') {
            const end = closed(event);
            if (end) return end;
          }
          continue;
        }
      }

      // The next message: the one after the context, re-sent at once if it went out before.
      if (this.inFlight === null) {
        const index = Math.max(ledger.contextThrough + 1, this.skipFloor);
        const resend = index <= ledger.lastSent;
        if (!resend) {
          if (thinking === null || thinking.index !== index) thinking = { index, until: this.clock.now() + Math.round(this.thinkRng.between(this.thinkTimeMs[0], this.thinkTimeMs[1])) };
          const wait = Math.min(thinking.until, c.rotateAt ?? Infinity) - this.clock.now();
          if (wait > 0) {
            const event = await c.next(wait);
            if (event.kind === 'close') {
              const end = closed(event);
              if (end) return end;
            }
            continue;
          }
          if (this.clock.now() < thinking.until) continue; // rotateAt came first
          thinking = null;
        }
        const text = prospectMessage(this.persona, index);
        this.inFlight = { index, text, sentOn: c };
        ledger.lastSent = Math.max(ledger.lastSent, index);
        this.log.event(resend ? 'resend' : 'send', { index, connection: c.ordinal });
        c.modelText = '';
        c.lastActivity = this.clock.now();
        c.session!.sendUserTurn(text);
      }

      // Await the answer (onMessage books it), a goAway deadline, inactivity, or the close.
      const inactivityAt = c.lastActivity + this.policy.inactivityTimeoutMs;
      const event = await c.next(Math.min(inactivityAt, c.rotateAt ?? Infinity) - this.clock.now());
      if (event.kind === 'close') {
        const end = closed(event);
        if (end) return end;
      } else if (event.kind === 'timeout' && this.inFlight !== null) {
        if (c.rotateAt !== null && this.clock.now() >= c.rotateAt) {
          // No turn boundary before the deadline: leave mid-turn, re-send on the new connection.
          await this.leave(c, 'rotation');
          conn = null;
        } else if (this.clock.now() >= c.lastActivity + this.policy.inactivityTimeoutMs) {
          this.log.event('inactivity', { connection: c.ordinal });
          await this.leave(c, 'inactivity');
          conn = null;
          outage = true;
        }
      }
    }
  }

  /** A close the client did not ask for: why the run cannot go on, or null to reconnect. */
  private afterClose(event: { code: number; reason: string }): string | null {
    const conn = this.current;
    this.current = null;
    this.log.event('closed', { code: event.code, reason: event.reason, connection: conn?.ordinal });
    if (conn?.resumedWith && conn.turnsHere === 0 && event.code !== 1006) {
      // The server accepted the resume, then closed before a full turn (F6). A lost network (1006)
      // says nothing about the handle; a server close does, and too many abandon the handle.
      const count = (this.closedEarly.get(conn.resumedWith) ?? 0) + 1;
      this.closedEarly.set(conn.resumedWith, count);
      if (count >= this.policy.maxAcceptThenClose && this.handle === conn.resumedWith) {
        this.rejectHandle(conn.resumedWith, `accepted then closed ${count} times`);
        if (this.policy.fallback === 'fail') return `resume handle abandoned: accepted, then closed ${count} times (last ${event.code})`;
      }
    }
    return this.decisions.reconnectAfterAbnormalClose(event.code) ? null : `connection closed ${event.code} and the client does not reconnect`;
  }

  /** Closes `conn` on the client's own initiative (rotation, a silent connection). */
  private async leave(conn: Conn, why: string): Promise<void> {
    this.log.event('leave', { why, connection: conn.ordinal });
    this.current = null;
    if (conn.session) await conn.session.close(this.clock, Math.min(2000, this.policy.resumeConfirmTimeoutMs));
  }

  // ── connecting ─────────────────────────────────────────────────────────────

  private async establish(kind: 'start' | 'rotation' | 'outage'): Promise<Established> {
    if (kind === 'rotation') this.attemptsInRow = 0;
    while (this.attemptsInRow < this.policy.maxAttempts) {
      this.attemptsInRow++;
      const attempt = this.attemptsInRow;
      const delay = kind === 'rotation' && attempt === 1 ? 0 : backoffDelayMs(attempt, this.policy, this.rng);
      if (delay > 0) await this.sleep(delay);
      const handle = this.handle;
      if (handle === null && this.ledger.contextThrough > 0 && !this.contextLost) {
        // Nothing to resume with although the model held turns: a fresh session knows none of them.
        this.contextLost = true;
        this.log.event('context-lost', { why: 'no handle to resume with' });
      }
      const conn = new Conn(this.connections + 1, handle, this.clock);
      this.log.event('connect', { why: kind, attempt, resume: handle !== null });
      const covers = this.handleCovers;
      const opened = await this.open(conn, handle);
      if (opened.ok) {
        this.connections++;
        if (this.connections > 1) this.reconnects++;
        // The first connect is no outage: one before the first answer gets its whole budget (spec
        // §6.4 counts attempts per outage; the AI-voice client resets on the greeting, which a
        // Gemini model does not send).
        if (kind === 'start') this.attemptsInRow = 0;
        conn.session = opened.session;
        this.current = conn;
        this.opened(conn, handle, covers, opened.session);
        return { conn };
      }
      this.log.event('connect-failed', { attempt, why: opened.why, ...(opened.why === 'closed' ? { code: opened.code, reason: opened.reason } : {}) });
      if (opened.why === 'closed' && handle !== null && isHandleRejection(opened.code)) {
        this.rejectHandle(handle, `closed ${opened.code} before setupComplete`);
        if (this.policy.fallback === 'fail') return { result: this.finish('failed', `resume handle rejected (close ${opened.code} ${opened.reason})`) };
      }
    }
    if (this.ledger.turns > 0 && !this.contextLost) {
      // The model state is out of reach: as far as the prospect knows, the conversation is lost.
      this.contextLost = true;
    }
    return { result: this.finish('failed', `no connection carried a turn after ${this.policy.maxAttempts} attempts`) };
  }

  /** A connection is open: where its model context stands, and what is owed on it. */
  private opened(conn: Conn, handle: string | null, covers: number, session: GeminiSession): void {
    const lost = this.inFlight;
    this.inFlight = null;
    if (lost !== null && !this.decisions.resendInFlight()) {
      // The answer went with the old connection, and this client does not ask again.
      this.log.event('in-flight-dropped', { index: lost.index });
      this.skipFloor = lost.index + 1;
    }
    this.log.event('open', { connection: conn.ordinal, resumed: handle !== null, ...(handle !== null ? { covers } : {}) });
    if (handle === null) return; // a fresh session: the script goes on where it was (contextLost says the rest)
    // The resumed context holds what the handle covered; messages answered after it are asked again.
    this.ledger.contextThrough = covers;
    const history = this.decisions.historyOnResume(this.answered.slice(0, covers).filter((e): e is GeminiExchange => e !== undefined));
    if (history.length > 0) {
      this.log.event('history-sent', { exchanges: history.length });
      session.sendHistory(history.flatMap((e) => [{ role: 'user' as const, text: e.prospect }, { role: 'model' as const, text: e.model }]));
    }
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
    const content = message.serverContent;
    if (content) {
      for (const part of content.modelTurn?.parts ?? []) if (typeof part.text === 'string') conn.modelText += part.text;
      if (typeof content.outputTranscription?.text === 'string') conn.modelText += content.outputTranscription.text;
      if (content.turnComplete) this.turnComplete(conn);
    }
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
        this.handleCovers = this.ledger.contextThrough;
        this.log.event('handle-kept', { connection: conn.ordinal, covers: this.handleCovers, empty: kept === '' });
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
        // Several notices on one connection: the first deadline stands.
        const margin = Math.min(this.policy.expiryMarginMs, timeLeftMs / 2);
        conn.rotateAt = this.clock.now() + timeLeftMs - margin;
        conn.push({ kind: 'go-away', timeLeftMs });
      }
    }
  }

  /** The model finished a turn: the message in flight on this connection is answered. */
  private turnComplete(conn: Conn): void {
    conn.turnsHere++;
    conn.handleFresh = false;
    const text = conn.modelText;
    conn.modelText = '';
    const inFlight = this.inFlight;
    if (inFlight === null || inFlight.sentOn !== conn) return;
    this.inFlight = null;
    const ledger = this.ledger;
    ledger.contextThrough = inFlight.index;
    if (inFlight.index > ledger.turns) {
      ledger.turns = inFlight.index;
      this.answered[inFlight.index - 1] = { prospect: inFlight.text, model: text };
    }
    ledger.agentTurnTexts.set(inFlight.index, text);
    this.attemptsInRow = 0;
    this.log.event('turn-complete', { index: inFlight.index, turns: ledger.turns, connection: conn.ordinal });
    conn.push({ kind: 'turn', text });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.setTimeout(resolve, ms));
  }

  private finish(status: 'completed' | 'failed', reason?: string): SimulatorResult {
    const turns = this.answered.filter((e) => e !== undefined).length;
    this.log.event('run-end', { status, turns, reconnects: this.reconnects, contextLost: this.contextLost, ...(reason ? { reason } : {}) });
    return {
      status,
      turns,
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
