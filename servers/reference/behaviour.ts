/**
 * The reference server's decisions where a buggy server differs from it, as one explicit
 * policy object, in the style of the simulator's ResumeDecisions (simulator/core/decisions.ts).
 * The reference code calls through a `ServerBehaviour` at each of these points; a server
 * mutant (servers/mutants/) is REFERENCE_BEHAVIOUR with one decision replaced, so the bug is
 * exactly that decision and the rest of the server is the reference's.
 *
 *   acceptsHandle               §2 Accepting a resumeHandle: only the share token and conversation it was issued for
 *   confirmsResumeAt            §2 session:resumed only after Gemini's setupComplete on that upstream
 *   setupIncludesInstruction    §2 Fresh session / Resume: the system instruction on fresh setups only
 *   kicksOff                    §2 Fresh session / Resume: exactly one kick-off on fresh, none on resume
 *   relayedHandle               §2 Handles: resumable:true passed on, resumable:false never as resumable
 *   goAwayOrder                 §2 goAway: the newest handle first, then session_expiring
 *   expiringTimeLeft            §2 goAway: timeLeft taken from the goAway
 *   handleUpdatesGoTo           §3 isolation: a conversation's handles go to its own client only
 *   jsonFrame                   §2 Frames: JSON in text frames, binary for audio only
 *   clientCloseWhenUpstreamEnds §2 Closing: a code of ai-voice-protocol.md §7, never open and silent
 *   upstreamWhenClientCloses    §2 Closing: no upstream left orphaned
 *   meetsHandle                 §2 Secrets: handles never printed in full
 *
 * (§ are docs/server-contract.md's.) The decisions see only what they are given: none reaches
 * a socket or the server's state, except `meetsHandle`, which is handed the log.
 */
import { durationToMillis, parseDuration } from '../../protocol/gemini-live/duration.ts';
import type { ServerMessage } from '../../protocol/messages.ts';
import type { HandleVerdict } from './handle-registry.ts';
import type { Log } from './log.ts';

/** What a client connection's upstream is: a fresh model session, or a resume with a handle. */
export type SessionMode = 'fresh' | 'resume';

/** A `sessionResumptionUpdate` as Gemini sent it. */
export interface HandleUpdateIn {
  readonly newHandle?: string;
  readonly resumable?: boolean;
}

/** What the relay of one upstream connection has passed on so far. */
export interface RelayView {
  /** The newest handle passed to the client as resumable on this upstream connection. */
  readonly newest: string | undefined;
  /** How many handles went to the client as resumable on this upstream connection. */
  readonly relayedResumable: number;
}

/** A `session_resumption_update` for the client. */
export interface HandleUpdateOut {
  readonly handle: string;
  readonly resumable: boolean;
}

/** How an upstream connection ended, as the close decision sees it. */
export interface UpstreamEnd {
  /** It ended before setupComplete of a fresh setup: the session could not be set up. */
  readonly beforeSetup: boolean;
  /** Gemini had sent goAway on it: the session's expiry. */
  readonly afterGoAway: boolean;
  readonly code: number;
  readonly reason: string;
}

export interface ClientClose {
  readonly code: number;
  readonly reason: string;
}

export interface ServerBehaviour {
  /**
   * A client presents a `resumeHandle`; the registry's verdict on it. Server-contract §2: a
   * handle of another share token MUST be refused (accepting it is a security failure), one of
   * another conversation SHOULD be; the reference accepts 'accepted' only.
   */
  acceptsHandle(verdict: HandleVerdict): boolean;
  /**
   * When `session:resumed` goes to a client whose handle was accepted: 'setup-complete' (after
   * Gemini's setupComplete on that upstream, the only moment §2 allows), 'upstream-open' (when
   * the upstream socket opens, before Gemini has read the setup), 'handle-accepted' (at once,
   * before the upstream is even asked).
   */
  confirmsResumeAt(): 'setup-complete' | 'upstream-open' | 'handle-accepted';
  /** Whether the upstream setup carries the agent's system instruction (§2: fresh only; on resume NON-STRICT). */
  setupIncludesInstruction(mode: SessionMode): boolean;
  /** Whether the kick-off turn asking the model to greet is sent once the upstream is ready (§2: fresh only). */
  kicksOff(mode: SessionMode): boolean;
  /**
   * A `sessionResumptionUpdate` from Gemini: the `session_resumption_update` the client gets,
   * or undefined for none. §2: resumable:true with its handle; resumable:false only as
   * resumable:false with an empty handle, never as a resumable one.
   */
  relayedHandle(update: HandleUpdateIn, view: RelayView): HandleUpdateOut | undefined;
  /** goAway: §2 says the newest handle (again) first, then `session_expiring`. */
  goAwayOrder(): 'handle-then-expiring' | 'expiring-then-handle';
  /** `session_expiring.timeLeft` in seconds, from goAway's protobuf Duration (§2: taken from the goAway). */
  expiringTimeLeft(goAwayTimeLeft: string | undefined): number;
  /**
   * Which client socket a conversation's `session_resumption_update` goes to: its own
   * ('own-connection'), or the newest client connection under the same share token
   * ('newest-of-share-token', a map keyed by share token): two conversations then mix handles.
   */
  handleUpdatesGoTo(): 'own-connection' | 'newest-of-share-token';
  /** The WebSocket frame a JSON message goes to the client in (§2 Frames: text; binary is audio only). */
  jsonFrame(message: ServerMessage): 'text' | 'binary';
  /**
   * The upstream ended after setupComplete, or a fresh setup failed: how the client connection
   * is closed (§2 Closing: 1000 at expiry, 1011 on an upstream error, codes of
   * ai-voice-protocol.md §7 only), or 'leave-open' (open and silent, which §2 forbids).
   */
  clientCloseWhenUpstreamEnds(end: UpstreamEnd): ClientClose | 'leave-open';
  /** The client connection ended: its upstream is closed ('close'), or left running ('leave-open', an orphan). */
  upstreamWhenClientCloses(): 'close' | 'leave-open';
  /**
   * Every handle the server meets — 'issued' by Gemini, or 'presented' by a client — passes
   * here before anything is logged about it. The reference makes it a secret of the log, so no
   * later line prints it in full (§2 Secrets).
   */
  meetsHandle(handle: string, how: 'issued' | 'presented', log: Log): void;
}

/** goAway.timeLeft is a protobuf Duration string ("50s"); seconds, 0 when absent or malformed. */
export function timeLeftSeconds(timeLeft: string | undefined): number {
  if (timeLeft === undefined) return 0;
  const parsed = parseDuration(timeLeft);
  if (!parsed.ok) return 0;
  return Math.max(0, durationToMillis(parsed.duration) / 1000);
}

export const REFERENCE_BEHAVIOUR: Readonly<ServerBehaviour> = Object.freeze<ServerBehaviour>({
  acceptsHandle: (verdict) => verdict === 'accepted',
  confirmsResumeAt: () => 'setup-complete',
  setupIncludesInstruction: (mode) => mode === 'fresh',
  kicksOff: (mode) => mode === 'fresh',
  relayedHandle: (update) => {
    if (update.resumable === true && typeof update.newHandle === 'string' && update.newHandle.length > 0) return { handle: update.newHandle, resumable: true };
    // A resumable update without a handle says nothing; a non-resumable one never carries its handle on.
    if (update.resumable === true) return undefined;
    return { handle: '', resumable: false };
  },
  goAwayOrder: () => 'handle-then-expiring',
  expiringTimeLeft: (timeLeft) => timeLeftSeconds(timeLeft),
  handleUpdatesGoTo: () => 'own-connection',
  jsonFrame: () => 'text',
  clientCloseWhenUpstreamEnds: (end) => {
    if (end.beforeSetup) return { code: 1011, reason: 'upstream failed' };
    if (end.afterGoAway) return { code: 1000, reason: 'session expired' };
    if (end.code === 1000) return { code: 1000, reason: 'upstream closed' };
    return { code: 1011, reason: 'upstream error' };
  },
  upstreamWhenClientCloses: () => 'close',
  meetsHandle: (handle, _how, log) => log.secret(handle),
});

/** REFERENCE_BEHAVIOUR with some decisions replaced: how a mutant is built. */
export function withOverrides(overrides: Partial<ServerBehaviour>): Readonly<ServerBehaviour> {
  return Object.freeze({ ...REFERENCE_BEHAVIOUR, ...overrides });
}
