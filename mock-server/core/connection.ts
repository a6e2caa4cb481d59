/**
 * One accepted connection of a conversation: its own upstream model session, its expiry,
 * its agent turns, and the byte-level faults a script applies to it. Protocol-neutral: what
 * its frames look like is its face's business (ConnectionSink); frames pass here as opaque
 * text or bytes.
 */
import type { ConnectionPort, IncomingData } from './connection-port.ts';
import { DEFAULT_TERMS, type AgentPhase, type ExpireOptions, type MessageRule, type SessionTerms } from './connection-options.ts';
import type { CloseBy, ConnectionEvents, ConnectionSink, FrameEncoding, TurnPhase } from './connection-sink.ts';
import { Emitter } from './emitter.ts';
import type { JournalEvent } from './journal.ts';
import { chunksOf, turnsOf, type ModelState } from './sales-agent.ts';
import { TimerGroup } from './timers.ts';
import { DeliveryQueue } from './delivery-queue.ts';
import type { Clock, TimerHandle } from '../../protocol/clock.ts';
import type { Rng } from '../../protocol/rng.ts';
import type { ServerScript, Toxic } from '../script/schema.ts';

/** What a connection needs of its conversation: the conversation implements it. */
export interface ConnectionHost {
  readonly clock: Clock;
  readonly script: ServerScript;
  /** Draws of the Toxiproxy toxics (toxicity, jitter). */
  readonly toxicRng: Rng;
  record(event: JournalEvent): void;
  latestValidHandleValue(): string | null;
  turnPhase(conn: Connection, turn: number, phase: TurnPhase): void;
  expiring(conn: Connection, timeLeft: number, deadline: number, hasHandle: boolean): void;
  closed(conn: Connection, code: number, reason: string, by: CloseBy, cause: string | undefined): void;
}

/** Builds the face of a new connection, before anything flows on it. */
export type SinkFactory = (conn: Connection) => ConnectionSink;

export class Connection {
  state: ModelState;
  /** Frames as they pass, for the face to journal. */
  readonly events = new Emitter<ConnectionEvents>();
  phase: AgentPhase = 'idle';
  closed = false;
  private silent = false;
  private halfOpen = false;
  private readonly timers: TimerGroup;
  /** Frames held by latency or a delay rule: they outlive the close decision, not the transport. */
  private readonly timersForDelivery: TimerGroup;
  private readonly deliveries: DeliveryQueue;
  private deadline: { at: number; timer: TimerHandle | null } | null = null;
  private inCount = 0;
  private outCount = 0;
  private inBytes = 0;
  private outBytes = 0;
  private readonly messageRules: MessageRule[] = [];
  private latency: { in: [number, number] | null; out: [number, number] | null } = { in: null, out: null };
  /** When the last delayed frame of each stream goes through: a stream never reorders (TCP). */
  private streamFreeAt: { in: number; out: number } = { in: 0, out: 0 };
  /** The transport has been closed or dropped (later than `closed` when closing waits for delayed frames). */
  private portGone = false;
  private idle: { afterMs: number; code: number | undefined; reason: string; timer: TimerHandle | null } | null = null;
  private limitData: { in: number | null; out: number | null } = { in: null, out: null };
  private slowCloseMs = 0;
  private serverClosing = false;
  private readonly sink: ConnectionSink;

  constructor(
    /** Unique on the server: what the journal calls `conn`. */
    readonly id: number,
    /** 1-based within the conversation: what a script's `connection` means. */
    readonly number: number,
    private readonly host: ConnectionHost,
    private readonly port: ConnectionPort,
    initialState: ModelState,
    makeSink: SinkFactory,
    readonly terms: SessionTerms = DEFAULT_TERMS,
  ) {
    this.state = initialState;
    this.timers = new TimerGroup(host.clock);
    this.timersForDelivery = new TimerGroup(host.clock);
    this.deliveries = new DeliveryQueue(() => host.clock.now(), this.timersForDelivery);
    this.sink = makeSink(this);
    port.onData((data) => this.receive(data));
    port.onClose((code, reason, by, cause) => this.closedByPeer(code, reason, by, cause));
  }

  get now(): number {
    return this.host.clock.now();
  }

  get turns(): number {
    return turnsOf(this.state);
  }

  after(ms: number, fn: () => void): TimerHandle | null {
    return this.timers.after(ms, fn);
  }

  // ── sending ────────────────────────────────────────────────────────────────

  /** Sends a frame through the connection's faults; `type` labels it in the journal. */
  sendText(text: string, type?: string, encoding: FrameEncoding = 'text'): void {
    const binary = encoding === 'binary';
    if (this.closed || this.halfOpen) return;
    this.outCount += 1;
    const n = this.outCount;
    const rule = this.messageRules.find((r) => r.direction === 'out' && r.nth === n);
    const bytes = Buffer.byteLength(text);
    if (rule?.effect === 'drop') {
      this.events.emit('frame-out', { text, bytes, type, dropped: true, binary });
      return;
    }
    const deliver = (): void => {
      if (this.portGone || this.halfOpen) return;
      this.events.emit('frame-out', { text, bytes, type, dropped: false, binary });
      this.outBytes += bytes;
      if (binary) this.port.sendBinary(Buffer.from(text, 'utf8'));
      else this.port.sendText(text);
      if (this.limitData.out !== null && this.outBytes >= this.limitData.out) this.serverClose(1006, '', 'fault: limit_data', true);
    };
    const ruleDelayMs = rule && typeof rule.effect === 'object' ? rule.effect.delayMs : 0;
    const latencyMs = this.streamDelay('out');
    this.schedule(ruleDelayMs + latencyMs, deliver);
    if (rule?.effect === 'duplicate') this.schedule(ruleDelayMs + latencyMs, deliver);
  }

  /** Runs `fn` after `ms` (at once for 0), in order with every other delayed delivery; cancelled when the connection is gone. */
  private schedule(ms: number, fn: () => void): void {
    if (ms > 0) this.deliveries.push(ms, fn);
    else fn();
  }

  /**
   * The latency a frame of `stream` gets now: latency ± jitter, but never ahead of the frame
   * before it (Toxiproxy delays a TCP stream, which keeps its order).
   */
  private streamDelay(stream: 'in' | 'out'): number {
    const range = this.latency[stream];
    if (!range) return 0;
    const at = Math.max(this.now + this.draw(range), this.streamFreeAt[stream]);
    this.streamFreeAt[stream] = at;
    return at - this.now;
  }

  sendBinary(length: number): void {
    if (this.closed || this.halfOpen) return;
    this.outCount += 1;
    this.schedule(this.streamDelay('out'), () => {
      if (this.portGone || this.halfOpen) return;
      this.events.emit('binary-out', length);
      this.outBytes += length;
      this.port.sendBinary(new Uint8Array(length));
    });
  }

  /** The connection is a model session now (fresh or resumed): its face may say so first. */
  accept(): void {
    if (this.closed) return;
    this.sink.accepted?.();
  }

  // What the agent sends is suppressed once the server "goes quiet"; the rest always goes.

  sendAgentChunk(text: string, final: boolean): void {
    if (this.silent) return;
    this.sink.agentChunk(text, final);
  }

  sendResumed(conversationId: string): void {
    if (this.silent) return;
    this.sink.resumed(conversationId);
  }

  /** The server has gone quiet on this connection (a silence, or a silent notice): the agent's frames do not go out. */
  get quiet(): boolean {
    return this.silent;
  }

  sendHandleUpdate(handle: string, resumable: boolean): void {
    if (this.silent || !this.terms.handles) return;
    this.sink.handleUpdate({ handle, resumable });
  }

  sendConversationEnd(reason: string): void {
    this.sink.conversationEnd(reason);
  }

  sendScripted(frame: Readonly<Record<string, unknown>>): void {
    this.sink.scripted(frame);
  }

  // ── receiving ──────────────────────────────────────────────────────────────

  private receive(data: IncomingData): void {
    if (this.closed || this.halfOpen) return;
    this.touchIdle();
    this.inCount += 1;
    const n = this.inCount;
    const rule = this.messageRules.find((r) => r.direction === 'in' && r.nth === n);
    const bytes = 'text' in data ? Buffer.byteLength(data.text) : data.binary.byteLength;
    this.inBytes += bytes;
    if (this.limitData.in !== null && this.inBytes >= this.limitData.in) {
      this.serverClose(1006, '', 'fault: limit_data', true);
      return;
    }
    if (rule?.effect === 'drop') return;
    const handle = (): void => {
      if (this.closed || this.halfOpen) return;
      this.sink.receive(data);
    };
    const delayMs = (rule && typeof rule.effect === 'object' ? rule.effect.delayMs : 0) + this.streamDelay('in');
    this.schedule(delayMs, handle);
    if (rule?.effect === 'duplicate') this.schedule(delayMs, handle);
  }

  // ── agent turns ────────────────────────────────────────────────────────────

  /**
   * Streams one agent turn as transcript chunks; `commit` runs with the final chunk, when
   * the turn becomes part of the model state.
   */
  streamTurn(text: string, firstDelayMs: number, turn: number, commit: () => void): void {
    const { chunks, chunkGap } = this.host.script.agent;
    const parts = chunksOf(text, chunks);
    this.phase = 'generating';
    if (this.terms.handles && (this.host.script.handles.nonResumableWhileGenerating || this.terms.nonResumableWhileGenerating)) {
      this.sendHandleUpdate('', false);
      this.host.record({ kind: 'not-resumable', t: this.now, conn: this.id });
    }
    parts.forEach((part, i) => {
      const isFinal = i === parts.length - 1;
      this.after(firstDelayMs + i * chunkGap * 1000, () => {
        if (this.phase !== 'generating') return;
        if (this.silent) return;
        this.sink.agentChunk(isFinal ? part : `${part} `, isFinal);
        if (i === 0 && !isFinal) this.host.turnPhase(this, turn, 'mid-turn');
        if (isFinal) {
          this.phase = 'idle';
          commit();
        }
      });
    });
  }

  // ── expiry and closing ─────────────────────────────────────────────────────

  expire(options: ExpireOptions): void {
    if (this.closed) return;
    const handle = options.resendHandle && this.terms.handles ? this.host.latestValidHandleValue() : null;
    if (handle !== null && !this.silent) this.sink.handleUpdate({ handle, resumable: true });
    const deadline = this.now + options.closeAfterMs;
    this.sink.expiring({ timeLeft: options.timeLeft, hasHandle: handle !== null });
    this.host.expiring(this, options.timeLeft, deadline, handle !== null);
    if (options.silent) this.silent = true;
    // Several notices on one connection: the earliest deadline stands.
    if (this.deadline && this.deadline.at <= deadline) return;
    if (this.deadline) this.timers.cancel(this.deadline.timer);
    const timer = this.after(options.closeAfterMs, () => {
      if (options.drop) this.serverDrop('expiry-deadline');
      else this.serverClose(options.closeCode, options.closeReason, 'expiry-deadline');
    });
    this.deadline = { at: deadline, timer };
  }

  goSilent(durationMs: number | undefined): void {
    this.silent = true;
    if (durationMs === undefined) return;
    this.after(durationMs, () => {
      this.silent = false;
      // A turn cut off by the silence is lost, not resumed: the agent is ready to listen again.
      if (this.phase === 'generating' || this.phase === 'waiting-greeting') this.phase = 'idle';
    });
  }

  serverClose(coreCode: number, coreReason: string, cause: string, asDrop = false): void {
    if (this.closed || this.serverClosing) return;
    if (asDrop || coreCode === 1006) {
      this.serverDrop(cause);
      return;
    }
    const { code, reason } = this.sink.closeFor ? this.sink.closeFor(coreCode, coreReason, cause) : { code: coreCode, reason: coreReason };
    if (code === 1006) {
      this.serverDrop(cause);
      return;
    }
    const act = (): void => {
      if (this.closed) return;
      this.markClosed(code, reason, 'server', cause);
      this.afterPendingOut(() => this.port.close(code, reason));
    };
    if (this.slowCloseMs > 0) {
      this.serverClosing = true;
      this.after(this.slowCloseMs, act);
    } else act();
  }

  serverDrop(cause: string): void {
    if (this.closed) return;
    this.markClosed(1006, '', 'server', cause);
    this.afterPendingOut(() => this.port.drop());
  }

  /** The transport closes behind the frames still delayed on the downstream (a FIN follows the data). */
  private afterPendingOut(fn: () => void): void {
    const wait = this.streamFreeAt.out - this.now;
    const go = (): void => {
      if (this.portGone) return;
      this.portGone = true;
      this.timersForDelivery.dispose();
      fn();
    };
    if (wait > 0) this.deliveries.push(wait, go);
    else go();
  }

  enterHalfOpen(): void {
    if (this.closed) return;
    this.halfOpen = true;
    this.port.halfOpen();
  }

  private closedByPeer(code: number, reason: string, by: CloseBy, cause?: string): void {
    if (this.closed) return;
    this.portGone = true;
    // The client's close follows the frames it sent before it, still delayed on the upstream.
    const wait = this.streamFreeAt.in - this.now;
    if (wait > 0) {
      this.deliveries.push(wait, () => {
        if (!this.closed) this.markClosed(code, reason, by, cause);
        this.timersForDelivery.dispose();
      });
      return;
    }
    this.timersForDelivery.dispose();
    this.markClosed(code, reason, by, cause);
  }

  private markClosed(code: number, reason: string, by: CloseBy, cause: string | undefined): void {
    this.closed = true;
    this.phase = 'ended';
    this.timers.dispose();
    this.host.closed(this, code, reason, by, cause);
  }

  // ── byte-level faults ──────────────────────────────────────────────────────

  /**
   * The frame just received was not the client's own message but its server's request to greet
   * (a Gemini face behind an AI-voice server): a scenario's `nth` inbound frame counts the
   * prospect's messages, as it does on the AI-voice face, so this one is taken off the count.
   */
  uncountInbound(): void {
    if (this.inCount > 0) this.inCount -= 1;
  }

  addMessageRule(rule: MessageRule): void {
    this.messageRules.push(rule);
  }

  setPongs(mode: 'answer' | 'ignore' | { lateByMs: number }): void {
    this.port.setPongs(mode);
  }

  /** The server reaps the connection once `afterMs` passed without a client frame (F24's idle reap). */
  setIdleTimeout(afterMs: number, code: number | undefined, reason: string): void {
    if (this.closed) return;
    if (this.idle) this.timers.cancel(this.idle.timer);
    this.idle = { afterMs, code, reason, timer: null };
    this.touchIdle();
  }

  private touchIdle(): void {
    const idle = this.idle;
    if (!idle || this.closed) return;
    this.timers.cancel(idle.timer);
    idle.timer = this.after(idle.afterMs, () => {
      if (idle.code === undefined) this.serverDrop('fault: idle timeout');
      else this.serverClose(idle.code, idle.reason, 'fault: idle timeout');
    });
  }

  /**
   * Applies a Toxiproxy toxic to this connection, if its toxicity selects the connection (drawn
   * once per toxic and connection, PR #143). Returns whether it applied.
   */
  applyToxic(toxic: Toxic): boolean {
    if (toxic.toxicity < 1 && this.host.toxicRng.next() >= toxic.toxicity) return false;
    this.applySelectedToxic(toxic);
    return true;
  }

  private applySelectedToxic(toxic: Toxic): void {
    if (toxic.type === 'down') return; // conversation-wide, handled by the conversation
    const stream = toxic.stream === 'upstream' ? 'in' : 'out';
    switch (toxic.type) {
      case 'latency':
        this.latency[stream] = [toxic.attributes.latency, toxic.attributes.jitter];
        return;
      case 'timeout':
        // Toxiproxy: stop all data, close after `timeout` ms; 0 = never close (a silent peer).
        this.enterHalfOpen();
        if (toxic.attributes.timeout > 0) {
          this.after(toxic.attributes.timeout, () => this.serverDrop('fault: timeout'));
        }
        return;
      case 'reset_peer':
        if (toxic.attributes.timeout > 0) this.after(toxic.attributes.timeout, () => this.serverDrop('fault: reset_peer'));
        else this.serverDrop('fault: reset_peer');
        return;
      case 'slow_close':
        this.slowCloseMs = toxic.attributes.delay;
        return;
      case 'limit_data':
        this.limitData[stream] = (stream === 'in' ? this.inBytes : this.outBytes) + toxic.attributes.bytes;
        return;
    }
  }

  private draw(range: [number, number] | null): number {
    if (!range) return 0;
    const [base, jitter] = range;
    return Math.max(0, base + (jitter > 0 ? this.host.toxicRng.between(-jitter, jitter) : 0));
  }
}
