/**
 * Mutants added for catalog scenarios that no trap mutant of the gallery catches. Same form
 * as the gallery: the reference simulator with exactly one bug, each one a bug a real client
 * of Gemini Live or of the AI-voice protocol has shipped (docs/field-failures.md).
 *
 * Most override one decision hook of the simulator. The frame and keepalive bugs live below
 * the simulator, in the WebSocket the client is given: a wrapper around the real one.
 */
import { globalClock, type Clock } from '../../protocol/clock.ts';
import { CloseCode } from '../../protocol/close-codes.ts';
import { decodeServerFrame, type SessionResumptionUpdateMessage, type SessionExpiringMessage } from '../../protocol/messages.ts';
import type { Connection, WebSocketCtor, WebSocketLike } from '../../simulator/connection.ts';
import { ProspectSimulator, type SimulatorOptions } from '../../simulator/prospect-simulator.ts';
import type { Mutant } from './gallery.ts';
import type { z } from 'zod';

type Update = z.infer<typeof SessionResumptionUpdateMessage>;
type Expiring = z.infer<typeof SessionExpiringMessage>;

// ── decision-hook bugs ────────────────────────────────────────────────────────

/** `handle ??= update.handle`: the first handle is kept for ever (mastra's pre-fix store had the same shape). */
class KeepsFirstHandle extends ProspectSimulator {
  protected override onHandleUpdate(message: Update, connection: Connection): void {
    if (this.handles.newest() !== null && message.resumable && message.handle.length > 0) return;
    super.onHandleUpdate(message, connection);
  }
}

/** Make-before-break rotation that never closes the old socket: the server refuses the resume while it is open (F7). */
class LeavesOldSocketOpen extends ProspectSimulator {
  protected override rotate(): void {
    if (!this.current) return;
    // The new connection replaces the old one as current; the old socket is simply left behind.
    this.recover('rotation');
  }
}

/** Google ADK's run_live: only 1000, 1006 and 1011 lead to a reconnect; 1001, 1007 and 1008 end the run. */
class AdkRetryCodes extends ProspectSimulator {
  protected override shouldReconnect(code: number, reason: string): boolean {
    return [CloseCode.normal, CloseCode.abnormal, CloseCode.internalError].includes(code as 1000) && super.shouldReconnect(code, reason);
  }
}

/** LiveKit agents-js before PR #2366: restarts on goAway only; an unplanned close just reports an error (F14). */
class RestartsOnlyOnGoAway extends ProspectSimulator {
  protected override shouldReconnect(): boolean {
    return false;
  }
}

/** Rotates the moment session_expiring arrives, mid-turn or not (LiveKit and ADK reconnect on goAway at once). */
class RotatesAtOnceOnGoAway extends ProspectSimulator {
  protected override rotationDelayMs(): number {
    return 0;
  }
}

/** The reference before the F3 fix: right after a resume counts as a turn boundary, so a goAway on every new connection is rotated away at once. */
class RotatesRightAfterResume extends ProspectSimulator {
  protected override isRotationBoundary(): boolean {
    const connection = this.current;
    const handle = this.handles.newest();
    return (
      connection !== null &&
      connection.usable &&
      this.pendingReply === null &&
      handle !== null &&
      handle.finalsBefore === this.finalsSeen &&
      handle.coveredThrough === this.contextThrough
    );
  }
}

/** Plans its last moment to rotate at the deadline itself, with no safety margin: latency makes it late. */
class RotatesAtDeadline extends ProspectSimulator {
  protected override rotationDelayMs(timeLeftSeconds: number): number {
    return Math.max(0, timeLeftSeconds * 1000);
  }
}

/** Schedules a reconnect for every session_expiring, not one per connection ([field] 66485890464: 69 reconnects scheduled). */
class ReconnectPerNotice extends ProspectSimulator {
  protected override onExpiring(message: Expiring, connection: Connection): void {
    super.onExpiring(message, connection);
    this.clock.setTimeout(() => this.rotate('deadline'), this.rotationDelayMs(message.timeLeft));
  }
}

/** Waits at most 3 s for session:resumed: a server that confirms later is taken as a failed resume, every time. */
class ImpatientResumeConfirm extends ProspectSimulator {
  constructor(options: SimulatorOptions) {
    super({ ...options, policy: { ...options.policy, resumeConfirmTimeoutMs: 3000 } });
  }
}

/** Declares a connection dead after 8 s without a frame while it waits for the agent: a slow agent looks half-open. */
class ImpatientInactivity extends ProspectSimulator {
  protected override inactivityTimeoutMs(): number {
    return 8000;
  }
}


/** The reference before the F19 fix: after a resume, the agent's repeated last turn is taken for the answer to the re-sent message. */
class AnswersRepeatedTurn extends ProspectSimulator {
  protected override isRepeatedAgentTurn(): boolean {
    return false;
  }
}

// ── transport-level bugs: a WebSocket wrapper around the real one ─────────────

type FramePredicate = (data: unknown) => boolean;

/** A WebSocket that forwards everything to the one it wraps: the wrappers below change one thing each. */
class ForwardingWebSocket implements WebSocketLike {
  constructor(protected readonly socket: WebSocketLike) {}
  get readyState(): number {
    return this.socket.readyState;
  }
  set binaryType(value: string) {
    this.socket.binaryType = value;
  }
  send(data: string): void {
    this.socket.send(data);
  }
  close(code?: number, reason?: string): void {
    this.socket.close(code, reason);
  }
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: any) => void): void {
    this.socket.addEventListener(type, listener);
  }
}

/**
 * The client's WebSocket layer closes the connection itself (1000) on a frame it does not
 * accept, instead of ignoring it (spec §2: unknown types MUST be ignored, invalid JSON MUST NOT
 * crash). The simulator above sees an unplanned close and reconnects: a healthy connection lost.
 */
function strictFrames(rejects: FramePredicate, what: string): (inner: WebSocketCtor) => WebSocketCtor {
  return (Inner) =>
    class StrictFramesWebSocket extends ForwardingWebSocket {
      constructor(url: string) {
        super(new Inner(url));
      }
      override addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: any) => void): void {
        if (type !== 'message') {
          this.socket.addEventListener(type, listener);
          return;
        }
        this.socket.addEventListener('message', (event: { data?: unknown }) => {
          if (rejects(event?.data)) {
            if (this.socket.readyState === 1) this.socket.close(CloseCode.normal, `unexpected frame: ${what}`);
            return;
          }
          listener(event);
        });
      }
    };
}

const isText = (data: unknown): data is string => typeof data === 'string';
const decoded = (data: unknown) => (isText(data) ? decodeServerFrame(data) : null);

/** The part of the `ws` client a keepalive needs (absent from msw's in-process WebSocket). */
interface Pingable {
  ping(): void;
  terminate(): void;
  on(event: 'pong', listener: () => void): void;
}
const pingable = (socket: unknown): socket is Pingable =>
  typeof (socket as Pingable).ping === 'function' && typeof (socket as Pingable).terminate === 'function' && typeof (socket as Pingable).on === 'function';

/**
 * python `websockets`' default keepalive, shrunk: a ping every 5 s, and a connection whose pong
 * is 10 s late is terminated (F15, sip-to-ai PR #14). Pings exist only over the network; in
 * virtual mode (msw) this client is the reference.
 */
function keepalive(clock: Clock, intervalMs: number, timeoutMs: number): (inner: WebSocketCtor) => WebSocketCtor {
  return (Inner) =>
    class KeepaliveWebSocket extends ForwardingWebSocket {
      constructor(url: string) {
        const socket = new Inner(url);
        super(socket);
        if (!pingable(socket)) return;
        let awaiting: ReturnType<Clock['setTimeout']> | null = null;
        let stopped = false;
        const tick = (): void => {
          if (stopped || socket.readyState !== 1) return;
          socket.ping();
          awaiting ??= clock.setTimeout(() => socket.terminate(), timeoutMs);
          clock.setTimeout(tick, intervalMs);
        };
        socket.on('pong', () => {
          if (awaiting !== null) clock.clearTimeout(awaiting);
          awaiting = null;
        });
        socket.addEventListener('open', () => clock.setTimeout(tick, intervalMs));
        socket.addEventListener('close', () => {
          stopped = true;
          if (awaiting !== null) clock.clearTimeout(awaiting);
        });
      }
    };
}

/** The reference simulator on a WebSocket wrapped by `wrap` (the bug is in the client's transport layer). */
const onWebSocket = (wrap: (inner: WebSocketCtor, options: SimulatorOptions) => WebSocketCtor) => (options: SimulatorOptions) => {
  const inner = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketCtor }).WebSocket;
  if (!inner) return new ProspectSimulator(options);
  return new ProspectSimulator({ ...options, WebSocket: wrap(inner, options) });
};

const m = (id: string, trap: string, bug: string, Class: new (o: SimulatorOptions) => ProspectSimulator): Mutant => ({ id, trap, bug, create: (options) => new Class(options) });

export const CATALOG_MUTANTS: readonly Mutant[] = [
  m('keeps-first-handle', 'F5', 'keeps the first handle it was given and ignores every later one', KeepsFirstHandle),
  m('leaves-old-socket-open', 'F7', 'rotates by opening the new connection and leaving the old one open', LeavesOldSocketOpen),
  m('adk-retry-codes', 'F14', 'reconnects only after 1000, 1006 or 1011; 1001, 1007 and 1008 end the run (ADK)', AdkRetryCodes),
  m('restarts-only-on-goaway', 'F14', 'never reconnects after an unplanned close, only on session_expiring (agents-js)', RestartsOnlyOnGoAway),
  m('rotates-at-once-on-goaway', 'F3', 'rotates the moment session_expiring arrives, mid-turn or not', RotatesAtOnceOnGoAway),
  m('rotates-right-after-resume', 'F3', 'takes the moment right after a resume for a turn boundary and rotates at once', RotatesRightAfterResume),
  m('rotates-at-deadline', 'F2', 'plans to rotate at the deadline itself, with no safety margin', RotatesAtDeadline),
  m('reconnect-per-notice', 'F3', 'schedules a reconnect for every session_expiring instead of one per connection', ReconnectPerNotice),
  m('impatient-resume-confirm', 'spec §5.2', 'waits only 3 s for session:resumed', ImpatientResumeConfirm),
  m('answers-repeated-turn', 'F19', 'takes the agent\'s last turn, repeated after a resume, for the answer to the message it re-sent', AnswersRepeatedTurn),
  m('impatient-inactivity', 'spec §6.8', 'takes 8 s without a frame from a slow agent for a dead connection', ImpatientInactivity),
  {
    id: 'closes-on-binary-frame',
    trap: 'F23',
    bug: 'a text-only client that closes the connection on a binary (audio) frame',
    create: onWebSocket((inner) => strictFrames((data) => !isText(data), 'binary')(inner)),
  },
  {
    id: 'closes-on-invalid-json',
    trap: 'spec §2',
    bug: 'closes the connection on a text frame that is not valid JSON',
    create: onWebSocket((inner) => strictFrames((data) => decoded(data)?.state === 'not-json', 'not JSON')(inner)),
  },
  {
    id: 'closes-on-unknown-message',
    trap: 'spec §2',
    bug: 'closes the connection on a message of an unknown type, or of a known type with wrong fields',
    create: onWebSocket((inner) => strictFrames((data) => decoded(data)?.state === 'unknown-type' || decoded(data)?.state === 'invalid', 'unknown message')(inner)),
  },
  {
    id: 'closes-on-error-message',
    trap: 'spec §3',
    bug: 'treats a non-fatal error message as a broken connection and closes it',
    create: onWebSocket((inner) => strictFrames((data) => { const d = decoded(data); return d?.state === 'valid' && d.message.type === 'error'; }, 'error message')(inner)),
  },
  {
    id: 'keepalive-kills-on-late-pong',
    trap: 'F15',
    bug: 'pings every 5 s and terminates a connection whose pong is 10 s late (network mode only)',
    modes: ['network'],
    create: onWebSocket((inner, options) => keepalive(options.clock ?? globalClock, 5000, 10_000)(inner)),
  },
];
