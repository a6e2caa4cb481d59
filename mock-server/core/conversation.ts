/**
 * One conversation (one HTTP session): its connections, the handles issued for it, and its
 * own fault-script state. Scenario state lives here, never on the server, so two
 * conversations on one server never see each other's faults (WireMock #2684's complaint).
 *
 * Protocol-neutral: it speaks to each connection's face through ConnectionSink, and tells
 * whoever listens (the fault runner) what happens through its typed events.
 */
import type { Clock } from '../../protocol/clock.ts';
import { fingerprint } from '../../protocol/redact.ts';
import type { Rng } from '../../protocol/rng.ts';
import type { ServerScript } from '../script/schema.ts';
import { AdmissionGate, type ConnectionGate } from './admission-gate.ts';
import { Connection, type ConnectionHost, type SinkFactory } from './connection.ts';
import type { ConnectionPort } from './connection-port.ts';
import { DEFAULT_TERMS, lifetimeExpiry, type SessionTerms } from './connection-options.ts';
import type { CloseBy } from './connection-sink.ts';
import { Emitter } from './emitter.ts';
import type { ConversationEvents, ConversationHost } from './conversation-events.ts';
import type { HandleRecord } from './handle-store.ts';
import type { HandleRef, Journal, JournalEvent, RejectReason } from './journal.ts';
import { idsOf, restoredState, validatePresented } from './resume-policy.ts';
import { emptyState, turnsOf, type Exchange, type ModelState } from './sales-agent.ts';
import { TimerGroup } from './timers.ts';

export type { ConnectionGate, ConversationEvents, ConversationHost };

/** What a face adds to an attach: the session's terms, and a rejection only the face can see. */
export interface AttachOptions {
  readonly terms?: SessionTerms;
  /**
   * The face refuses the session for a reason of its own wire, before or after accepting it:
   * a first frame that is no setup, a resume that asks for another model (gemini-live.md §1.2,
   * §1.6). The connection is journaled as opened (rejected, when it presented a handle) and
   * closed at once; `afterAccept` accepts it first (Gemini: setupComplete, then 1011).
   */
  readonly refuse?: { readonly rejection: string; readonly rejectReason: RejectReason; readonly code: number; readonly reason: string; readonly afterAccept: boolean; readonly cause: string };
}

export class Conversation {
  readonly connections: Connection[] = [];
  readonly events = new Emitter<ConversationEvents>();
  readonly issued: HandleRecord[] = [];
  ended = false;
  highWater = 0;
  readonly timers: TimerGroup;
  /** Draws of the Toxiproxy toxics (toxicity, jitter): a stream of their own, so they never shift the agent's. */
  readonly toxicRng: Rng;
  /** When the first connection opened: `handles.firstDelay` counts from here. */
  private firstOpenedAt: number | null = null;
  private readonly pendingNotes: JournalEvent[] = [];
  /** Outages, slow accepts and `down`: what the next upgrades meet. */
  readonly admission = new AdmissionGate();
  /** What its connections need of it (ConnectionHost), without reaching into the conversation. */
  private readonly connectionHost: ConnectionHost;
  /**
   * Fresh sessions whose agent waits to be spoken to and has neither greeted nor heard the
   * prospect yet: the one moment a face may take a turn as the request to greet (onGreetingRequest).
   */
  private readonly awaitingFirstTurn = new WeakSet<Connection>();

  constructor(
    readonly id: string,
    readonly sessionToken: string,
    readonly shareToken: string,
    readonly salt: number,
    readonly rng: Rng,
    private readonly host: ConversationHost,
  ) {
    this.timers = new TimerGroup(host.clock);
    this.toxicRng = rng.fork('toxics');
    this.connectionHost = {
      clock: host.clock,
      script: host.script,
      toxicRng: this.toxicRng,
      record: (event) => host.journal.record(event),
      latestValidHandleValue: () => this.latestValidHandleValue(),
      turnPhase: (conn, turn, phase) => this.events.emit('turn-phase', conn, turn, phase),
      expiring: (conn, timeLeft, deadline, hasHandle) => this.onExpiring(conn, timeLeft, deadline, hasHandle),
      closed: (conn, code, reason, by, cause) => this.onConnectionClosed(conn, code, reason, by, cause),
    };
  }

  get clock(): Clock { return this.host.clock; }
  get journal(): Journal { return this.host.journal; }
  get script(): ServerScript { return this.host.script; }
  get now(): number { return this.host.clock.now(); }

  openConnections(): Connection[] {
    return this.connections.filter((c) => !c.closed);
  }

  /** The connection faults act on when their trigger is not tied to one: the newest open. */
  current(): Connection | undefined {
    const open = this.openConnections();
    return open[open.length - 1];
  }

  latestIssued(): HandleRecord | undefined {
    return this.issued[this.issued.length - 1];
  }

  latestValidHandleValue(): string | null {
    const latest = this.latestIssued();
    return latest && this.host.handles.lookup(latest.value) ? latest.value : null;
  }

  // ── connecting ─────────────────────────────────────────────────────────────

  /** Called before the upgrade completes: outages, `down` and slow accepts act here. */
  gate(): ConnectionGate {
    return this.admission.gate(this.now);
  }

  get attempts(): number {
    return this.admission.attempts;
  }

  /** The connection accepted after `gate()`; `makeSink` builds its face before anything flows. */
  attach(port: ConnectionPort, presented: string | null, gate: ConnectionGate, makeSink: SinkFactory, options: AttachOptions = {}): Connection {
    const terms = options.terms ?? DEFAULT_TERMS;
    const addConnection = (state: ModelState): Connection => this.addConnection(id, number, port, makeSink, state, terms);
    const number = this.connections.length + 1;
    const openBefore = this.openConnections().map((c) => c.id);
    const latest = this.latestIssued();
    const id = this.host.nextConnectionId();
    const base = {
      kind: 'open' as const,
      t: this.now,
      conn: id,
      ordinal: number,
      conversationId: this.id,
      presented: presented === null ? null : fingerprint(presented),
      conversationTurns: this.highWater,
      latestIssued: latest ? latest.ref : null,
      openConnections: openBefore,
    };

    if (gate.closeAtOnce) {
      const conn = addConnection(emptyState());
      const record = presented === null ? undefined : this.host.handles.lookup(presented);
      this.record({ ...base, handle: record?.ref ?? null, resume: presented === null ? 'none' : 'rejected', rejection: 'outage', rejectReason: 'forced', contextTurns: 0, contextIds: [] });
      this.events.emit('connection-opened', conn);
      conn.serverClose(gate.closeAtOnce.code, gate.closeAtOnce.reason, 'fault: outage');
      return conn;
    }

    if (options.refuse) {
      const { rejection, rejectReason, code, reason: closeReason, afterAccept, cause } = options.refuse;
      const record = presented === null ? undefined : this.host.handles.lookup(presented);
      const conn = addConnection(emptyState());
      const outcome = presented === null ? { resume: 'none' as const } : { resume: 'rejected' as const, rejection, rejectReason };
      this.record({ ...base, handle: record?.ref ?? null, ...outcome, contextTurns: 0, contextIds: [] });
      if (afterAccept) conn.accept();
      this.events.emit('connection-opened', conn);
      conn.serverClose(code, closeReason, cause);
      return conn;
    }

    if (presented === null) {
      const conn = addConnection(emptyState());
      this.record({ ...base, handle: null, resume: 'none', contextTurns: 0, contextIds: [] });
      this.startFresh(conn, terms.greets);
      return conn;
    }

    const validation = validatePresented(this.script, this.host.handles, {
      presented,
      shareToken: this.shareToken,
      conversationId: this.id,
      now: this.now,
      newestSeq: this.latestIssued()?.ref.seq ?? 0,
      oldSocketOpen: openBefore.length > 0,
    });
    const knownRecord = this.host.handles.lookup(presented);
    if (validation.ok) {
      const state = restoredState(this.script, validation.record.state);
      const conn = addConnection(state);
      this.record({ ...base, handle: validation.record.ref, resume: 'resumed', contextTurns: turnsOf(state), contextIds: idsOf(state) });
      this.confirmResume(conn, validation.record);
      return conn;
    }

    const reason = validation.reason;
    if (reason === 'old-socket-open') {
      const conn = addConnection(emptyState());
      this.record({ ...base, handle: knownRecord?.ref ?? null, resume: 'rejected', rejection: 'close-1011', rejectReason: reason, contextTurns: 0, contextIds: [] });
      this.events.emit('connection-opened', conn);
      conn.serverClose(1011, 'Internal error occurred.', 'rejection: old socket still open');
      return conn;
    }
    const behaviour = this.script.validation.reject;
    switch (behaviour) {
      case 'silent-fresh': {
        const conn = addConnection(emptyState());
        this.record({ ...base, handle: knownRecord?.ref ?? null, resume: 'rejected', rejection: behaviour, rejectReason: reason, contextTurns: 0, contextIds: [] });
        this.startFresh(conn, terms.greets && this.script.validation.silentFresh.greet);
        return conn;
      }
      case 'close': {
        const { code, reason: closeReason } = this.script.validation.rejectClose;
        const conn = addConnection(emptyState());
        this.record({ ...base, handle: knownRecord?.ref ?? null, resume: 'rejected', rejection: `close-${code}`, rejectReason: reason, contextTurns: 0, contextIds: [] });
        this.events.emit('connection-opened', conn);
        conn.serverClose(code, closeReason, 'rejection');
        return conn;
      }
      case 'close-4003': {
        const conn = addConnection(emptyState());
        this.record({ ...base, handle: knownRecord?.ref ?? null, resume: 'rejected', rejection: behaviour, rejectReason: reason, contextTurns: 0, contextIds: [] });
        this.events.emit('connection-opened', conn);
        conn.serverClose(4003, 'invalid resume handle', 'rejection');
        return conn;
      }
      case 'accept-then-close': {
        const { after, code, reason: closeReason, sendResumed } = this.script.validation.acceptThenClose;
        const state = knownRecord ? knownRecord.state : emptyState();
        const conn = addConnection(state);
        this.record({ ...base, handle: knownRecord?.ref ?? null, resume: 'rejected', rejection: behaviour, rejectReason: reason, contextTurns: turnsOf(state), contextIds: idsOf(state) });
        if (sendResumed) this.sendResumed(conn);
        this.events.emit('connection-opened', conn);
        conn.after(after * 1000, () => conn.serverClose(code, closeReason, 'rejection: accept-then-close'));
        return conn;
      }
    }
  }

  private confirmResume(conn: Connection, record: HandleRecord): void {
    const { confirm, state, repeatCut } = this.script.resume;
    const afterConfirm = (): void => {
      // A session whose agent never greets gets a handle as it starts, resumed as well as fresh
      // (Gemini sends sessionResumptionUpdate soon after setupComplete, gemini-live.md §1.4):
      // it captures the restored state, and with only the newest handle valid, it is the one.
      // `handles.resumeHandleDelay` holds it back, on the connection's own timers (gone with it).
      if (!conn.terms.greets && !conn.closed) {
        const delayMs = this.script.handles.resumeHandleDelay * 1000;
        if (delayMs > 0) conn.after(delayMs, () => this.issueHandle(conn, 'session-start'));
        else this.issueHandle(conn, 'session-start');
      }
      if (state === 'repeat-last') {
        const last = conn.state.exchanges[conn.state.exchanges.length - 1];
        const text = last ? last.agent : conn.state.greeting;
        // F19: a replay cut short is closed by its final all the same (a premature turnComplete).
        if (text) conn.sendAgentChunk(repeatCut === undefined ? text : text.slice(0, repeatCut), true);
      }
    };
    if (confirm === 'immediate') {
      this.sendResumed(conn);
      afterConfirm();
    } else if (confirm !== 'never') {
      conn.after(confirm.after * 1000, () => {
        this.sendResumed(conn);
        afterConfirm();
      });
    }
    void record;
    this.events.emit('connection-opened', conn);
    this.scheduleExpiry(conn);
  }

  /**
   * The resume is confirmed: the AI-voice server's session:resumed is its upstream's
   * setupComplete passed through (spec §5.2), so a face whose sessions start with a message
   * (Gemini) accepts the session here, late or never as the script says.
   */
  private sendResumed(conn: Connection): void {
    conn.accept();
    conn.sendResumed(this.id);
    this.record({ kind: 'resumed-sent', t: this.now, conn: conn.id });
    this.events.emit('event', 'resumed', conn);
  }

  /** A fresh model session: the agent greets first, unless told to wait to be spoken to (Gemini's model does). */
  private startFresh(conn: Connection, greet = true): void {
    conn.accept();
    conn.phase = greet ? 'waiting-greeting' : 'idle';
    this.events.emit('connection-opened', conn);
    this.scheduleExpiry(conn);
    if (conn.closed) return;
    if (!greet) {
      this.awaitingFirstTurn.add(conn);
      // An AI-voice server told not to greet just waits; a face whose agent never greets starts at turn 0.
      if (!conn.terms.greets) this.silentStart(conn);
      return;
    }
    this.streamGreeting(conn);
  }

  /** The agent's greeting, turn 0: streamed, then part of the state, then its handle. */
  private streamGreeting(conn: Connection): void {
    const greeting = this.host.agent.greet(this.salt);
    conn.streamTurn(greeting, this.script.agent.greetingDelay * 1000, 0, () => {
      conn.state = { greeting, exchanges: [] };
      this.agentTurnCompleted(conn, 0, null);
    });
  }

  /**
   * A turn that asks the agent to greet (server-contract.md §2: an AI-voice server's one kick-off
   * turn on a fresh session). Taken as such only on a fresh session that has neither greeted nor
   * heard a prospect turn, and only once: the agent streams its greeting as turn 0, as the
   * AI-voice agent does on its own. Returns false, changing nothing, anywhere else: the face
   * then handles the turn as a prospect's.
   */
  onGreetingRequest(conn: Connection): boolean {
    if (!this.awaitingFirstTurn.has(conn) || this.ended || conn.closed || conn.phase !== 'idle' || conn.state.greeting !== null || conn.turns > 0) return false;
    this.awaitingFirstTurn.delete(conn);
    this.streamGreeting(conn);
    return true;
  }

  private addConnection(id: number, number: number, port: ConnectionPort, makeSink: SinkFactory, state: ModelState, terms: SessionTerms): Connection {
    const conn = new Connection(id, number, this.connectionHost, port, state, makeSink, terms);
    this.connections.push(conn);
    if (this.firstOpenedAt === null) {
      this.firstOpenedAt = this.now;
      this.scheduleFirstHandle();
    }
    // The proxy's toxics meet every connection as it opens (before any frame flows).
    this.host.script.toxics.forEach((toxic, index) => {
      if (toxic.type === 'down') return;
      const applied = conn.applyToxic(toxic);
      const label = toxic.name ? `${toxic.type} (${toxic.name})` : toxic.type;
      // Journaled right after the connection's open event, which is recorded once the resume is decided.
      this.pendingNotes.push({ kind: 'fault', t: this.now, conn: conn.id, rule: -1, toxic: index, action: 'toxic', detail: applied ? label : `${label} spared (toxicity ${toxic.toxicity})` });
    });
    return conn;
  }

  /** Whether `handles.firstDelay` still holds handles back. */
  private firstHandleHeld(): boolean {
    const delayMs = this.script.handles.firstDelay * 1000;
    return delayMs > 0 && this.issued.length === 0 && (this.firstOpenedAt === null || this.now < this.firstOpenedAt + delayMs);
  }

  /** When the first-handle delay is over, an idle agent's state gets its first handle at once. */
  private scheduleFirstHandle(): void {
    const delayMs = this.script.handles.firstDelay * 1000;
    if (delayMs <= 0) return;
    this.timers.after(delayMs, () => {
      if (this.issued.length > 0) return;
      const conn = this.current();
      const { firstAfterTurn } = this.script.handles;
      if (!conn || conn.phase !== 'idle' || conn.state.greeting === null && conn.turns === 0) return;
      const turn = conn.turns;
      if (turn < firstAfterTurn) return;
      this.issueHandle(conn, 'delayed');
    });
  }

  private scheduleExpiry(conn: Connection): void {
    const expiry = this.script.expiry;
    if (!expiry.enabled || conn.closed) return;
    const { noticeAtMs, options } = lifetimeExpiry(expiry);
    conn.after(noticeAtMs, () => conn.expire(options));
  }

  // ── conversation ───────────────────────────────────────────────────────────

  onProspectMessage(conn: Connection, text: string): void {
    this.awaitingFirstTurn.delete(conn);
    const t = this.now;
    const textId = fingerprint(text);
    if (this.ended || conn.phase === 'ended') {
      this.record({ kind: 'prospect-turn', t, conn: conn.id, turn: conn.turns + 1, contextTurns: conn.turns, textId, duplicate: 'after-end' });
      return;
    }
    if (conn.phase === 'generating' || conn.phase === 'waiting-greeting') {
      this.record({ kind: 'prospect-turn', t, conn: conn.id, turn: conn.turns, contextTurns: conn.turns, textId, duplicate: 'while-generating' });
      return;
    }
    const last = conn.state.exchanges[conn.state.exchanges.length - 1];
    const turn = conn.turns + 1;
    this.record({ kind: 'prospect-turn', t, conn: conn.id, turn, contextTurns: conn.turns, textId, ...(last && last.prospect === text ? { duplicate: 'repeat' as const } : {}) });
    this.events.emit('event', 'prospect-message', conn);
    this.events.emit('turn-phase', conn, turn, 'after-prospect');
    if (conn.closed) return;
    const reply = this.host.agent.reply(conn.state, text);
    const [lo, hi] = this.script.agent.replyDelay;
    const delay = this.rng.between(lo, hi) * 1000;
    const before = conn.state;
    conn.streamTurn(reply, delay, turn, () => {
      conn.state = { greeting: before.greeting, exchanges: [...before.exchanges, { prospect: text, agent: reply }] };
      this.agentTurnCompleted(conn, turn, textId);
    });
  }

  /**
   * Exchanges the client wrote into the model's context without asking for an answer (Gemini's
   * clientContent without turnComplete, gemini-live.md §1.3). They become part of the state a
   * handle captures; the journal says how many the context already held (a history replayed
   * over a resumed context duplicates it, field-failures F9).
   */
  onHistory(conn: Connection, exchanges: readonly Exchange[]): void {
    if (exchanges.length === 0 || conn.phase === 'ended') return;
    const held = new Set(conn.state.exchanges.map((e) => e.prospect));
    const alreadyHeld = exchanges.filter((e) => held.has(e.prospect)).length;
    conn.state = { greeting: conn.state.greeting, exchanges: [...conn.state.exchanges, ...exchanges] };
    this.record({ kind: 'history', t: this.now, conn: conn.id, textIds: exchanges.map((e) => fingerprint(e.prospect)), alreadyHeld, contextTurns: conn.turns });
  }

  private agentTurnCompleted(conn: Connection, turn: number, answers: string | null): void {
    this.highWater = Math.max(this.highWater, conn.turns);
    this.record({ kind: 'agent-turn', t: this.now, conn: conn.id, turn, greeting: answers === null, ...(answers ? { answers } : {}) });
    this.events.emit('turn-phase', conn, turn, 'after-final');
    this.events.emit('event', 'agent-final', conn);
    this.afterTurn(conn, turn);
  }

  /**
   * A session whose agent does not greet (Gemini's model waits to be spoken to) is at turn 0
   * once it starts: turn-0 triggers fire here, and the turn-0 handle comes now, right after
   * the session's start (where Gemini sends its first update, gemini-live.md §1.4).
   */
  private silentStart(conn: Connection): void {
    this.events.emit('turn-phase', conn, 0, 'after-final');
    this.afterTurn(conn, 0);
  }

  /** After a turn's final chunk: the handle the script issues for it, then the 'after-handle' triggers. */
  private afterTurn(conn: Connection, turn: number): void {
    if (conn.closed) return;
    const { every, firstAfterTurn, nonResumableAfterTurns } = this.script.handles;
    if (turn >= firstAfterTurn && (turn - firstAfterTurn) % every === 0 && !this.firstHandleHeld()) {
      if (nonResumableAfterTurns.includes(turn)) {
        if (conn.terms.handles) {
          conn.sendHandleUpdate('', false);
          this.record({ kind: 'not-resumable', t: this.now, conn: conn.id });
        }
      } else {
        this.issueHandle(conn, 'turn');
      }
    }
    this.events.emit('turn-phase', conn, turn, 'after-handle');
  }

  issueHandle(conn: Connection, reason: 'turn' | 'before-expiring' | 'delayed' | 'fault' | 'session-start', binding: 'own' | 'other-share-token' | 'other-conversation' = 'own'): void {
    // A client that did not ask for handles gets none (Gemini, gemini-live.md §1.3). A quiet
    // connection sends none either, so none is issued: a handle recorded but never sent would
    // have the journal (and the judge) credit the client with a handle it could not have had
    // (found by resume-harness explore: a silent notice right at the greeting's end).
    if (!conn.terms.handles || conn.quiet) return;
    const record = this.host.handles.issue({
      // A foreign handle is bound elsewhere: this server will itself reject it (spec §5.1).
      shareToken: binding === 'other-share-token' ? `${this.shareToken}_other` : this.shareToken,
      conversationId: binding === 'other-conversation' ? `${this.id}_other` : this.id,
      state: conn.state,
      connection: conn.id,
      now: this.now,
      seq: this.issued.length + 1,
    });
    this.issued.push(record);
    conn.sendHandleUpdate(record.value, true);
    this.record({ kind: 'handle-issued', t: this.now, conn: conn.id, handle: record.ref, reason });
    this.events.emit('event', 'handle-issued', conn);
  }

  onEndRequested(conn: Connection): void {
    this.record({ kind: 'end-requested', t: this.now, conn: conn.id });
    this.endConversation(conn, 'completed', 'end');
  }

  endConversation(conn: Connection, reason: string, cause: string, drop = false): void {
    if (conn.closed) return;
    this.ended = true;
    conn.sendConversationEnd(reason);
    this.record({ kind: 'conversation-end', t: this.now, conn: conn.id, reason });
    if (drop) conn.serverDrop(cause);
    else conn.serverClose(1000, 'conversation ended', cause);
  }

  onExpiring(conn: Connection, timeLeft: number, deadline: number, hasHandle: boolean): void {
    this.record({ kind: 'expiring', t: this.now, conn: conn.id, timeLeft, deadline, hasHandle });
    this.events.emit('event', 'session-expiring', conn);
  }

  onConnectionClosed(conn: Connection, code: number, reason: string, by: CloseBy, cause: string | undefined): void {
    this.record({ kind: 'close', t: this.now, conn: conn.id, code, reason, by, ...(cause ? { cause } : {}) });
    this.host.handles.connectionClosed(conn.id, this.now);
    this.events.emit('event', 'close', conn);
  }

  // ── conversation-wide faults ───────────────────────────────────────────────

  goDown(durationMs: number): void {
    this.admission.goDownUntil(this.now + durationMs);
    for (const conn of this.openConnections()) conn.serverDrop('fault: down');
  }

  restart(code: number, reason: string, forgetHandles: boolean): void {
    this.host.restart(code, reason, forgetHandles);
  }

  dispose(): void {
    this.timers.dispose();
    this.events.emit('disposed');
  }

  // ── journal ────────────────────────────────────────────────────────────────

  record(event: JournalEvent): void {
    this.host.journal.record(event);
    if (event.kind === 'open') {
      for (const note of this.pendingNotes.splice(0)) this.host.journal.record(note);
    }
  }
}

export type { HandleRef };
