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
}

/** A text frame the connection let through to the transport (or dropped by a fault rule). */
export interface FrameOut {
  readonly text: string;
  readonly bytes: number;
  /** The label the face gave the frame when it sent it. */
  readonly type: string | undefined;
  readonly dropped: boolean;
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
