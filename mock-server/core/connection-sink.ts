/**
 * What the conversation core asks of a protocol face, for one connection. The core decides
 * what happens (a turn chunk, a handle, an expiry notice, the end) and when; the face
 * decides what it looks like on its wire. The core owns this interface and calls the face
 * through it only; the face calls the core through the public methods of Conversation and
 * Connection.
 */
import type { IncomingData } from './connection-port.ts';

export interface ConnectionSink {
  /** One transcript chunk of an agent turn; the last chunk of a turn is final. */
  agentChunk(text: string, final: boolean): void;
  /** The connection resumed the conversation's context (spec §5.2). */
  resumed(conversationId: string): void;
  /** A new resume handle, or `resumable: false` with no handle (spec §5, F11). */
  handleUpdate(update: { readonly handle: string; readonly resumable: boolean }): void;
  /** The connection's lifetime is running out (spec §6): `timeLeft` protocol seconds. */
  expiring(notice: { readonly timeLeft: number; readonly hasHandle: boolean }): void;
  /** The conversation is over; the close follows. */
  conversationEnd(reason: string): void;
  /** A frame a fault script spelled out as data: the face encodes it. */
  scripted(frame: Readonly<Record<string, unknown>>): void;
  /** A client frame that came through the connection's faults: the face decodes it and calls the core. */
  receive(data: IncomingData): void;
  /**
   * The connection was accepted as a model session (fresh or resumed), before anything else is
   * sent on it. A face whose sessions start with a message says it here (Gemini's
   * `setupComplete`); a face whose socket opening is the acceptance has nothing to add.
   */
  accepted?(): void;
  /**
   * The close the face puts on its wire for a close the core decided (`cause` says why:
   * 'rejection', 'expiry-deadline', 'fault: …'). A face whose protocol has its own codes maps
   * the core's here; without it the core's code and reason go out unchanged.
   */
  closeFor?(code: number, reason: string, cause: string): { readonly code: number; readonly reason: string };
}

/** How a face sends its frames: JSON text, or (Gemini, gemini-live.md §1.2) the same bytes in a binary frame. */
export type FrameEncoding = 'text' | 'binary';

/** A text frame the connection let through to the transport (or dropped by a fault rule). */
export interface FrameOut {
  readonly text: string;
  readonly bytes: number;
  /** The label the face gave the frame when it sent it. */
  readonly type: string | undefined;
  readonly dropped: boolean;
  /** Sent as a binary frame (its bytes are `text` in UTF-8). */
  readonly binary: boolean;
}

/** What a connection tells its face as frames pass: the face journals them. */
export type ConnectionEvents = {
  'frame-out': [frame: FrameOut];
  'binary-out': [bytes: number];
};

/** The points of a turn a fault trigger can name (`when.turn` + `when.phase`). */
export type TurnPhase = 'after-final' | 'after-handle' | 'mid-turn' | 'after-prospect';
/** What a fault trigger can wait for (`when.event`). */
export type FaultEvent = 'open' | 'handle-issued' | 'resumed' | 'session-expiring' | 'close' | 'prospect-message' | 'agent-final';

export type CloseBy = 'client' | 'server' | 'network';
