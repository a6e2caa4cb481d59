/**
 * One conversation (one HTTP session): its connections, the handles issued for it, and its
 * own fault-script state. Scenario state lives here, never on the server, so two
 * conversations on one server never see each other's faults (WireMock #2684's complaint).
 */
import type { Clock } from '../../protocol/clock.ts';
import { fingerprint } from '../../protocol/redact.ts';
import type { Rng } from '../../protocol/rng.ts';
import type { ServerScript } from '../script/schema.ts';
import { FaultRunner, type TurnPhase } from '../script/fault-runner.ts';
import type { ConnectionPort } from './connection-port.ts';
import type { HandleRecord, HandleStore } from './handle-store.ts';
import type { HandleRef, Journal, JournalEvent, RejectReason } from './journal.ts';
import { emptyState, turnsOf, type ModelState, type SalesAgent } from './sales-agent.ts';
import { ServerConnection } from './server-connection.ts';
import { TimerGroup } from './timers.ts';

export interface ConversationHost {
  readonly clock: Clock;
  readonly journal: Journal;
  readonly handles: HandleStore;
  readonly agent: SalesAgent;
  readonly script: ServerScript;
  /** A text with every secret the server knows replaced by its fingerprint: frames reach the journal that way. */
  redact(text: string): string;
  restart(code: number, reason: string, forgetHandles: boolean): void;
  nextConnectionId(): number;
}

export interface ConnectionGate {
  /** Upgrade rejected with this HTTP status (outage, down). */
  rejectStatus?: number;
  /** Accepted, then closed at once with this code (outage). */
  closeAtOnce?: { code: number; reason: string };
  delayMs: number;
}

export class Conversation {
  readonly connections: ServerConnection[] = [];
  readonly issued: HandleRecord[] = [];
  ended = false;
  highWater = 0;
  readonly timers: TimerGroup;
  readonly faults: FaultRunner;
  /** Draws of the Toxiproxy toxics (toxicity, jitter): a stream of their own, so they never shift the agent's. */
  readonly toxicRng: Rng;
  /** When the first connection opened: `handles.firstDelay` counts from here. */
  private firstOpenedAt: number | null = null;
  private readonly pendingNotes: JournalEvent[] = [];
  private outage: { remaining: number; status?: number; code: number; reason: string } | null = null;
  private slowAccept: { remaining: number; delayMs: number } | null = null;
  private downUntil: number | null = null;
  private connectionAttempts = 0;

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
    this.faults = new FaultRunner(this, host.script.faults, rng.fork('faults'));
    this.faults.start();
  }

  get clock(): Clock { return this.host.clock; }
  get journal(): Journal { return this.host.journal; }
  get script(): ServerScript { return this.host.script; }
  get now(): number { return this.host.clock.now(); }

  openConnections(): ServerConnection[] {
    return this.connections.filter((c) => !c.closed);
  }

  /** The connection faults act on when their trigger is not tied to one: the newest open. */
  current(): ServerConnection | undefined {
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
    this.connectionAttempts += 1;
    if (this.downUntil !== null && this.now < this.downUntil) return { rejectStatus: 503, delayMs: 0 };
    let delayMs = 0;
    if (this.slowAccept && this.slowAccept.remaining > 0) {
      this.slowAccept.remaining -= 1;
      delayMs = this.slowAccept.delayMs;
    }
    if (this.outage && this.outage.remaining > 0) {
      this.outage.remaining -= 1;
      if (this.outage.status !== undefined) return { rejectStatus: this.outage.status, delayMs };
      return { closeAtOnce: { code: this.outage.code, reason: this.outage.reason }, delayMs };
    }
    return { delayMs };
  }

  get attempts(): number {
    return this.connectionAttempts;
  }

  attach(port: ConnectionPort, presented: string | null, gate: ConnectionGate): ServerConnection {
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
      const conn = this.addConnection(id, number, port, emptyState());
      const record = presented === null ? undefined : this.host.handles.lookup(presented);
      this.record({ ...base, handle: record?.ref ?? null, resume: presented === null ? 'none' : 'rejected', rejection: 'outage', rejectReason: 'forced', contextTurns: 0, contextIds: [] });
      this.faults.onConnectionOpened(conn);
      conn.serverClose(gate.closeAtOnce.code, gate.closeAtOnce.reason, 'fault: outage');
      return conn;
    }

    if (presented === null) {
      const conn = this.addConnection(id, number, port, emptyState());
      this.record({ ...base, handle: null, resume: 'none', contextTurns: 0, contextIds: [] });
      this.startFresh(conn);
      return conn;
    }

    const validation = this.validateHandle(presented, openBefore.length > 0);
    const knownRecord = this.host.handles.lookup(presented);
    if (validation.ok) {
      const state = this.restoredState(validation.record.state);
      const conn = this.addConnection(id, number, port, state);
      this.record({ ...base, handle: validation.record.ref, resume: 'resumed', contextTurns: turnsOf(state), contextIds: idsOf(state) });
      this.confirmResume(conn, validation.record);
      return conn;
    }

    const reason = validation.reason;
    if (reason === 'old-socket-open') {
      const conn = this.addConnection(id, number, port, emptyState());
      this.record({ ...base, handle: knownRecord?.ref ?? null, resume: 'rejected', rejection: 'close-1011', rejectReason: reason, contextTurns: 0, contextIds: [] });
      this.faults.onConnectionOpened(conn);
      conn.serverClose(1011, 'Internal error occurred.', 'rejection: old socket still open');
      return conn;
    }
    const behaviour = this.script.validation.reject;
    switch (behaviour) {
      case 'silent-fresh': {
        const conn = this.addConnection(id, number, port, emptyState());
        this.record({ ...base, handle: knownRecord?.ref ?? null, resume: 'rejected', rejection: behaviour, rejectReason: reason, contextTurns: 0, contextIds: [] });
        this.startFresh(conn, this.script.validation.silentFresh.greet);
        return conn;
      }
      case 'close': {
        const { code, reason: closeReason } = this.script.validation.rejectClose;
        const conn = this.addConnection(id, number, port, emptyState());
        this.record({ ...base, handle: knownRecord?.ref ?? null, resume: 'rejected', rejection: `close-${code}`, rejectReason: reason, contextTurns: 0, contextIds: [] });
        this.faults.onConnectionOpened(conn);
        conn.serverClose(code, closeReason, 'rejection');
        return conn;
      }
      case 'close-4003': {
        const conn = this.addConnection(id, number, port, emptyState());
        this.record({ ...base, handle: knownRecord?.ref ?? null, resume: 'rejected', rejection: behaviour, rejectReason: reason, contextTurns: 0, contextIds: [] });
        this.faults.onConnectionOpened(conn);
        conn.serverClose(4003, 'invalid resume handle', 'rejection');
        return conn;
      }
      case 'accept-then-close': {
        const { after, code, reason: closeReason, sendResumed } = this.script.validation.acceptThenClose;
        const state = knownRecord ? knownRecord.state : emptyState();
        const conn = this.addConnection(id, number, port, state);
        this.record({ ...base, handle: knownRecord?.ref ?? null, resume: 'rejected', rejection: behaviour, rejectReason: reason, contextTurns: turnsOf(state), contextIds: idsOf(state) });
        if (sendResumed) this.sendResumed(conn);
        this.faults.onConnectionOpened(conn);
        conn.after(after * 1000, () => conn.serverClose(code, closeReason, 'rejection: accept-then-close'));
        return conn;
      }
    }
  }

  private validateHandle(presented: string, oldSocketOpen: boolean): { ok: true; record: HandleRecord } | { ok: false; reason: RejectReason } {
    if (this.script.validation.rejectAll) return { ok: false, reason: 'forced' };
    if (this.script.validation.refuseWhileOldSocketOpen && oldSocketOpen) return { ok: false, reason: 'old-socket-open' };
    const { ttl, ttlFromIssue, onlyNewestValid } = this.script.handles;
    const newest = this.latestIssued()?.ref.seq ?? 0;
    const result = this.host.handles.validate(presented, this.shareToken, this.id, this.now, { ttlMs: ttl * 1000, ttlFromIssue, onlyNewestValid }, newest);
    return result.ok ? result : { ok: false, reason: result.reason };
  }

  private restoredState(captured: ModelState): ModelState {
    const policy = this.script.resume.state;
    if (policy === 'reset') return emptyState();
    if (typeof policy === 'object') {
      return { greeting: captured.greeting, exchanges: captured.exchanges.slice(0, Math.max(0, captured.exchanges.length - policy.rollback)) };
    }
    return captured;
  }

  private confirmResume(conn: ServerConnection, record: HandleRecord): void {
    const { confirm, state } = this.script.resume;
    const afterConfirm = (): void => {
      if (state === 'repeat-last') {
        const last = conn.state.exchanges[conn.state.exchanges.length - 1];
        const text = last ? last.agent : conn.state.greeting;
        if (text) conn.agentSend({ type: 'transcript', role: 'agent', text, final: true });
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
    this.faults.onConnectionOpened(conn);
    this.scheduleExpiry(conn);
  }

  private sendResumed(conn: ServerConnection): void {
    conn.agentSend({ type: 'session:resumed', conversationId: this.id });
    this.record({ kind: 'resumed-sent', t: this.now, conn: conn.id });
    this.faults.onEvent('resumed', conn);
  }

  /** A fresh model session: the agent greets first, unless told to wait to be spoken to (Gemini's model does). */
  private startFresh(conn: ServerConnection, greet = true): void {
    conn.phase = greet ? 'waiting-greeting' : 'idle';
    this.faults.onConnectionOpened(conn);
    this.scheduleExpiry(conn);
    if (conn.closed || !greet) return;
    const greeting = this.host.agent.greet(this.salt);
    conn.streamTurn(greeting, this.script.agent.greetingDelay * 1000, 0, () => {
      conn.state = { greeting, exchanges: [] };
      this.agentTurnCompleted(conn, 0, null);
    });
  }

  private addConnection(id: number, number: number, port: ConnectionPort, state: ModelState): ServerConnection {
    const conn = new ServerConnection(id, number, this, port, state);
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

  private scheduleExpiry(conn: ServerConnection): void {
    const expiry = this.script.expiry;
    if (!expiry.enabled || conn.closed) return;
    const noticeAt = Math.max(0, expiry.lifetime - expiry.timeLeft) * 1000;
    conn.after(noticeAt, () =>
      conn.expire({
        timeLeft: expiry.timeLeft,
        closeAfterMs: (expiry.closeAfter ?? expiry.timeLeft) * 1000,
        closeCode: expiry.closeCode,
        closeReason: expiry.closeReason,
        drop: expiry.dropAtDeadline,
        silent: expiry.silentAfterNotice,
        resendHandle: expiry.resendHandle,
      }),
    );
  }

  // ── conversation ───────────────────────────────────────────────────────────

  onProspectMessage(conn: ServerConnection, text: string): void {
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
    this.faults.onEvent('prospect-message', conn);
    this.faults.onTurnPhase(conn, turn, 'after-prospect');
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

  private agentTurnCompleted(conn: ServerConnection, turn: number, answers: string | null): void {
    this.highWater = Math.max(this.highWater, conn.turns);
    this.record({ kind: 'agent-turn', t: this.now, conn: conn.id, turn, greeting: answers === null, ...(answers ? { answers } : {}) });
    this.faults.onTurnPhase(conn, turn, 'after-final');
    this.faults.onEvent('agent-final', conn);
    if (conn.closed) return;
    const { every, firstAfterTurn, nonResumableAfterTurns } = this.script.handles;
    if (turn >= firstAfterTurn && (turn - firstAfterTurn) % every === 0 && !this.firstHandleHeld()) {
      if (nonResumableAfterTurns.includes(turn)) {
        conn.agentSend({ type: 'session_resumption_update', handle: '', resumable: false });
        this.record({ kind: 'not-resumable', t: this.now, conn: conn.id });
      } else {
        this.issueHandle(conn, 'turn');
      }
    }
    this.faults.onTurnPhase(conn, turn, 'after-handle');
  }

  issueHandle(conn: ServerConnection, reason: 'turn' | 'before-expiring' | 'delayed' | 'fault', binding: 'own' | 'other-share-token' | 'other-conversation' = 'own'): void {
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
    conn.agentSend({ type: 'session_resumption_update', handle: record.value, resumable: true });
    this.record({ kind: 'handle-issued', t: this.now, conn: conn.id, handle: record.ref, reason });
    this.faults.onEvent('handle-issued', conn);
  }

  onEndRequested(conn: ServerConnection): void {
    this.record({ kind: 'end-requested', t: this.now, conn: conn.id });
    this.endConversation(conn, 'completed', 'end');
  }

  endConversation(conn: ServerConnection, reason: string, cause: string, drop = false): void {
    if (conn.closed) return;
    this.ended = true;
    conn.send({ type: 'conversation_end', reason });
    this.record({ kind: 'conversation-end', t: this.now, conn: conn.id, reason });
    if (drop) conn.serverDrop(cause);
    else conn.serverClose(1000, 'conversation ended', cause);
  }

  onExpiring(conn: ServerConnection, timeLeft: number, deadline: number, hasHandle: boolean): void {
    this.record({ kind: 'expiring', t: this.now, conn: conn.id, timeLeft, deadline, hasHandle });
    this.faults.onEvent('session-expiring', conn);
  }

  onConnectionClosed(conn: ServerConnection, code: number, reason: string, by: 'client' | 'server' | 'network', cause: string | undefined): void {
    this.record({ kind: 'close', t: this.now, conn: conn.id, code, reason, by, ...(cause ? { cause } : {}) });
    this.host.handles.connectionClosed(conn.id, this.now);
    this.faults.onEvent('close', conn);
  }

  fireTurnPhase(conn: ServerConnection, turn: number, phase: TurnPhase): void {
    this.faults.onTurnPhase(conn, turn, phase);
  }

  // ── conversation-wide faults ───────────────────────────────────────────────

  startOutage(attempts: number, status: number | undefined, code: number, reason: string): void {
    this.outage = { remaining: attempts, code, reason, ...(status !== undefined ? { status } : {}) };
  }

  startSlowAccept(attempts: number, delayMs: number): void {
    this.slowAccept = { remaining: attempts, delayMs };
  }

  goDown(durationMs: number): void {
    this.downUntil = this.now + durationMs;
    for (const conn of this.openConnections()) conn.serverDrop('fault: down');
  }

  restart(code: number, reason: string, forgetHandles: boolean): void {
    this.host.restart(code, reason, forgetHandles);
  }

  dispose(): void {
    this.timers.dispose();
    this.faults.dispose();
  }

  // ── journal ────────────────────────────────────────────────────────────────

  record(event: JournalEvent): void {
    this.host.journal.record(event);
    if (event.kind === 'open') {
      for (const note of this.pendingNotes.splice(0)) this.host.journal.record(note);
    }
  }

  recordFrameOut(conn: ServerConnection, text: string, bytes: number, type: string | undefined, dropped: boolean): void {
    this.record({ kind: 'frame-out', t: this.now, conn: conn.id, text: this.host.redact(text), bytes, binary: false, ...(type ? { type } : {}), ...(dropped ? { dropped } : {}) });
  }

  recordBinaryOut(conn: ServerConnection, bytes: number): void {
    this.record({ kind: 'frame-out', t: this.now, conn: conn.id, bytes, binary: true });
  }

  recordFrameIn(conn: ServerConnection, frame: { text?: string; bytes: number; binary: boolean; decoded: 'valid' | 'invalid' | 'unknown-type' | 'not-json' | 'binary'; type?: string; problem?: string }): void {
    const text = frame.text === undefined ? undefined : this.host.redact(frame.text);
    this.record({ kind: 'frame-in', t: this.now, conn: conn.id, ...frame, ...(text !== undefined ? { text } : {}) });
  }
}

export type { HandleRef };

const idsOf = (state: ModelState): string[] => state.exchanges.map((e) => fingerprint(e.prospect));
