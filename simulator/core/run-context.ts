/**
 * One run's shared state, and the seams between the simulator's parts: turn taking
 * (turn-taking.ts), resume and rotation (resume-flow.ts), connection lifecycle
 * (connection-lifecycle.ts) and the run's start and end (prospect-simulator.ts). Each part
 * reaches the others only through the interfaces below, so none imports another.
 *
 * `view` is the read-only DecisionContext the decisions are given: live getters over this state.
 */
import type { Pace } from './pace.ts';
import type { Clock } from '../../protocol/clock.ts';
import type { Rng } from '../../protocol/rng.ts';
import type { Connection, WebSocketCtor } from './connection.ts';
import type { DecisionContext, ExpiringNotice, HandleUpdate, Phase, ResumeDecisions } from './decisions.ts';
import type { EventLog } from './event-log.ts';
import type { HandleKeeper, KeptHandle } from './handle-keeper.ts';
import type { NamedTimers, TimerName } from './named-timers.ts';
import type { Persona } from './persona.ts';
import type { ResumePolicy } from './policy.ts';
import type { TurnLedger } from './turn-ledger.ts';
import type { SimulatorWire, WireSession } from './wire.ts';

/** Why a connection is gone without the simulator having planned it. */
export type ConnectionLoss =
  | { kind: 'closed'; code: number; reason: string }
  | { kind: 'inactivity' }
  | { kind: 'resume-timeout' }
  | { kind: 'silent-rejection' };

export type RecoveryTrigger = ConnectionLoss['kind'] | 'rotation' | 'handle-rejected';

export interface TurnTakingPart {
  onTranscript(connection: Connection, text: string, final: boolean): void;
  planNext(index: number): void;
  cancelThinking(): void;
  trySendNext(): void;
  sendProspect(connection: Connection, index: number, why: 'reply' | 'resend'): void;
  beginEnding(connection: Connection): void;
  continueConversation(connection: Connection): void;
}

export interface ResumePart {
  onHandleUpdate(update: HandleUpdate, connection: Connection): void;
  onExpiring(notice: ExpiringNotice, connection: Connection): void;
  onSessionResumed(connection: Connection, conversationId: string | undefined): void;
  onResumeConfirmed(connection: Connection, via: 'open' | 'resumed'): void;
  onTranscriptBeforeResumed(connection: Connection): void;
  onConversationEnd(reason: string, connection: Connection): void;
  loseConnection(connection: Connection, loss: ConnectionLoss): void;
  maybeRotateAtBoundary(): void;
  resetAttempts(after: 'open' | 'resumed' | 'full-turn'): void;
  giveUp(reason: string): void;
}

export interface LifecyclePart {
  openConnection(handle: KeptHandle | null): void;
  detachCurrent(): void;
  armInactivity(): void;
  /** An upper bound on connections per run, as a backstop should any path loop. */
  connectionBudget(): number;
}

export interface RunEnd {
  /** The run's end, from any path: exactly once, every timer stopped, the socket closed, the state saved. */
  finish(status: 'completed' | 'failed', reason?: string, contextLost?: boolean): void;
  /** Creates a session; on failure it ends the run itself and resolves false. */
  createSession(purpose: 'initial' | 'fallback'): Promise<boolean>;
}

export interface RunDeps {
  readonly clock: Clock;
  readonly timers: NamedTimers;
  readonly log: EventLog;
  readonly ledger: TurnLedger;
  readonly handles: HandleKeeper;
  readonly policy: ResumePolicy;
  readonly decisions: ResumeDecisions;
  readonly persona: Persona;
  readonly rng: Rng;
  readonly jitterRng: Rng;
  readonly maxTurns: number;
  readonly thinkRange: readonly [number, number];
  /** How the prospect paces its replies (pace.ts). */
  readonly pace: Pace;
  readonly wire: SimulatorWire;
  readonly webSocket: () => WebSocketCtor | undefined;
}

// The dependencies are declared and assigned one by one, not Object.assign'ed onto an
// interface merged with the class: the parts read them on every event, and the explicit
// fields keep the object's shape fixed (measured: Object.assign made a 10-minute run ~4 %
// slower).
export class RunContext implements RunDeps {
  readonly clock: Clock;
  readonly timers: NamedTimers;
  readonly log: EventLog;
  readonly ledger: TurnLedger;
  readonly handles: HandleKeeper;
  readonly policy: ResumePolicy;
  readonly decisions: ResumeDecisions;
  readonly persona: Persona;
  readonly rng: Rng;
  readonly jitterRng: Rng;
  readonly maxTurns: number;
  readonly thinkRange: readonly [number, number];
  readonly pace: Pace;
  readonly wire: SimulatorWire;
  readonly webSocket: RunDeps['webSocket'];

  phase: Phase = 'idle';
  session: WireSession | null = null;
  sessionsCreated = 0;
  fallbacksUsed = 0;
  connectionCount = 0;
  reconnects = 0;
  contextLost = false;
  conversationEnded = false;
  everHadHandle = false;
  lastHandleDrop: string | null = null;
  /** The run has its result. */
  done = false;
  /** The socket whose events count; null while between connections. */
  current: Connection | null = null;
  /** Connection attempts in the current outage (spec §6.4). */
  attempts = 0;

  turnTaking!: TurnTakingPart;
  resume!: ResumePart;
  lifecycle!: LifecyclePart;
  end!: RunEnd;

  readonly view: DecisionContext;

  constructor(deps: RunDeps) {
    this.clock = deps.clock;
    this.timers = deps.timers;
    this.log = deps.log;
    this.ledger = deps.ledger;
    this.handles = deps.handles;
    this.policy = deps.policy;
    this.decisions = deps.decisions;
    this.persona = deps.persona;
    this.rng = deps.rng;
    this.jitterRng = deps.jitterRng;
    this.maxTurns = deps.maxTurns;
    this.thinkRange = deps.thinkRange;
    this.pace = deps.pace;
    this.wire = deps.wire;
    this.webSocket = deps.webSocket;
    const run = this;
    this.view = {
      get policy() { return run.policy; },
      get phase() { return run.phase; },
      get current() { return run.current; },
      get newestHandle() { return run.handles.newest(); },
      get contextThrough() { return run.ledger.contextThrough; },
      get maxTurns() { return run.maxTurns; },
      get lastSent() { return run.ledger.lastSent; },
      get pendingReply() { return run.ledger.pendingReply; },
      get finalsSeen() { return run.ledger.finalsSeen; },
      get conversationEnded() { return run.conversationEnded; },
      get fallbacksUsed() { return run.fallbacksUsed; },
      agentTurnText: (index) => run.ledger.agentTurnTexts.get(index),
    };
  }

  event(kind: string, fields: Record<string, unknown> = {}): void {
    this.log.event(kind, fields);
  }

  after(name: TimerName, ms: number, fn: () => void): void {
    this.timers.set(name, ms, () => this.guard(`timer ${name}`, fn));
  }

  /** Any exception ends the run as failed instead of escaping into a socket or timer callback. */
  guard(where: string, fn: () => void): void {
    if (this.done) return;
    try {
      fn();
    } catch (error) {
      this.end.finish('failed', `internal error (${where}): ${describeError(error)}`, this.sessionsCreated > 0);
    }
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export function snippet(text: string, max = 100): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
