/**
 * Mutants added for catalog scenarios that no trap mutant of the gallery catches. Same form
 * as the gallery: the reference simulator with exactly one bug, each one a bug a real client
 * of Gemini Live or of the AI-voice protocol has shipped (docs/field-failures.md).
 *
 * Most override one decision (core/decisions.ts). The frame and keepalive bugs live below
 * the simulator, in the WebSocket the client is given: a wrapper around the real one.
 */
import { globalClock, type Clock } from '../../protocol/clock.ts';
import { CloseCode } from '../../protocol/close-codes.ts';
import { decodeServerFrame } from '../../protocol/messages.ts';
import type { WebSocketCtor, WebSocketLike } from '../core/connection.ts';
import { DEFAULT_DECISIONS, type DecisionContext } from '../core/decisions.ts';
import { overrideMutant as m, type Mutant } from './mutant.ts';

// ── decision bugs ─────────────────────────────────────────────────────────────

/** The run as a decision sees it, but with the current connection taken to have carried a full agent turn. */
function asIfCurrentCarriedATurn(ctx: DecisionContext): DecisionContext {
  const c = ctx.current;
  return { ...ctx, current: c && { id: c.id, handle: c.handle, isResume: c.isResume, usable: c.usable, carriedFullTurn: true } };
}

const CLOSE_CODES_ADK_RETRIES: readonly number[] = [CloseCode.normal, CloseCode.abnormal, CloseCode.internalError];

const DECISION_MUTANTS: readonly Mutant[] = [
  /** `handle ??= update.handle`: the first handle is kept for ever (mastra's pre-fix store had the same shape). */
  m('keeps-first-handle', 'F5', 'keeps the first handle it was given and ignores every later one', {
    decisions: { handleUpdate: (update, ctx) => (ctx.newestHandle !== null && update.resumable && update.handle.length > 0 ? 'ignore' : 'offer') },
  }),
  /** Make-before-break rotation that never closes the old socket: the server refuses the resume while it is open (F7). */
  m('leaves-old-socket-open', 'F7', 'rotates by opening the new connection and leaving the old one open', {
    decisions: { rotationStyle: () => 'resume-leaving-old-open' },
  }),
  /** Google ADK's run_live: only 1000, 1006 and 1011 lead to a reconnect; 1001, 1007 and 1008 end the run. */
  m('adk-retry-codes', 'F14', 'reconnects only after 1000, 1006 or 1011; 1001, 1007 and 1008 end the run (ADK)', {
    decisions: { shouldReconnect: (close, ctx) => CLOSE_CODES_ADK_RETRIES.includes(close.code) && DEFAULT_DECISIONS.shouldReconnect(close, ctx) },
  }),
  /** LiveKit agents-js before PR #2366: restarts on goAway only; an unplanned close just reports an error (F14). */
  m('restarts-only-on-goaway', 'F14', 'never reconnects after an unplanned close, only on session_expiring (agents-js)', {
    decisions: { shouldReconnect: () => false },
  }),
  /** Rotates the moment session_expiring arrives, mid-turn or not (LiveKit and ADK reconnect on goAway at once). */
  m('rotates-at-once-on-goaway', 'F3', 'rotates the moment session_expiring arrives, mid-turn or not', {
    decisions: { rotationDelayMs: () => 0 },
  }),
  /** The reference before the F3 fix: right after a resume counts as a turn boundary, so a goAway on every new connection is rotated away at once. */
  m('rotates-right-after-resume', 'F3', 'takes the moment right after a resume for a turn boundary and rotates at once', {
    decisions: {
      // The reference's boundary without its "the connection carried a full turn" condition.
      isRotationBoundary: (ctx) =>
        DEFAULT_DECISIONS.isRotationBoundary(asIfCurrentCarriedATurn(ctx)),
    },
  }),
  /** Plans its last moment to rotate at the deadline itself, with no safety margin: latency makes it late. */
  m('rotates-at-deadline', 'F2', 'plans to rotate at the deadline itself, with no safety margin', {
    decisions: { rotationDelayMs: (timeLeftSeconds) => Math.max(0, timeLeftSeconds * 1000) },
  }),
  /** Schedules a reconnect for every session_expiring, not one per connection ([field] 66485890464: 69 reconnects scheduled). */
  m('reconnect-per-notice', 'F3', 'schedules a reconnect for every session_expiring instead of one per connection', {
    decisions: { expiringResponse: () => 'plan-rotation-and-rotate-per-notice' },
  }),
  /** Waits at most 3 s for session:resumed: a server that confirms later is taken as a failed resume, every time. */
  m('impatient-resume-confirm', 'spec §5.2', 'waits only 3 s for session:resumed', { policy: { resumeConfirmTimeoutMs: 3000 } }),
  /** The reference before the F19 fix: after a resume, the agent's repeated last turn is taken for the answer to the re-sent message. */
  m('answers-repeated-turn', 'F19', 'takes the agent\'s last turn, repeated after a resume, for the answer to the message it re-sent', {
    decisions: { isRepeatedAgentTurn: () => false },
  }),
  /**
   * Sends end_conversation and waits for the server's conversation_end or close, with no time
   * limit of its own (`send(end); await closed`): when the acknowledgement is lost (F12) or the
   * connection went half-open (F15), it never ends and never reports (sut-contract §4).
   */
  m('waits-for-end-ack', 'spec §4', 'waits for ever for the acknowledgement of its end_conversation', { policy: { endTimeoutMs: 1e12 } }),
  /** Declares a connection dead after 8 s without a frame while it waits for the agent: a slow agent looks half-open. */
  m('impatient-inactivity', 'spec §6.8', 'takes 8 s without a frame from a slow agent for a dead connection', {
    decisions: { inactivityTimeoutMs: () => 8000 },
  }),
];

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

export const CATALOG_MUTANTS: readonly Mutant[] = [
  ...DECISION_MUTANTS,
  m('closes-on-binary-frame', 'F23', 'a text-only client that closes the connection on a binary (audio) frame', {
    webSocket: (inner) => strictFrames((data) => !isText(data), 'binary')(inner),
  }),
  m('closes-on-invalid-json', 'spec §2', 'closes the connection on a text frame that is not valid JSON', {
    webSocket: (inner) => strictFrames((data) => decoded(data)?.state === 'not-json', 'not JSON')(inner),
  }),
  m('closes-on-unknown-message', 'spec §2', 'closes the connection on a message of an unknown type, or of a known type with wrong fields', {
    webSocket: (inner) => strictFrames((data) => decoded(data)?.state === 'unknown-type' || decoded(data)?.state === 'invalid', 'unknown message')(inner),
  }),
  m('closes-on-error-message', 'spec §3', 'treats a non-fatal error message as a broken connection and closes it', {
    webSocket: (inner) => strictFrames((data) => { const d = decoded(data); return d?.state === 'valid' && d.message.type === 'error'; }, 'error message')(inner),
  }),
  {
    ...m('keepalive-kills-on-late-pong', 'F15', 'pings every 5 s and terminates a connection whose pong is 10 s late (network mode only)', {
      webSocket: (inner, options) => keepalive(options.clock ?? globalClock, 5000, 10_000)(inner),
    }),
    modes: ['network'],
    // spec §6.8 lets a client choose when a connection is dead; leaving one that still delivers
    // costs a resume (F15): NON-STRICT (judge-rules.ts, reconnect.abandoned-healthy).
    detectedAs: 'NON-STRICT',
  },
];
