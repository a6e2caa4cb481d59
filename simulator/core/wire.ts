/**
 * What the simulator's core needs from a wire protocol: how to create a session, how to build
 * the URL of a connection (with or without a resume handle), how to encode the two messages the
 * prospect sends, and how to read a server frame into the core's events. The AI-voice protocol v1
 * is one wire (wire/ai-voice/); the persona, the ledger and the decisions know none of it.
 */
import type { ExpiringNotice, HandleUpdate } from './decisions.ts';
import type { NamedTimers } from './named-timers.ts';

/** A created session: `conversationId` identifies it in results, `sessionToken` is a secret. */
export interface WireSession {
  readonly conversationId: string;
  readonly sessionToken: string;
}

export interface SessionRequest {
  readonly fetch: typeof fetch | undefined;
  readonly prospectName: string;
  /** The run's named timers: the request's deadline is the 'http' timer. */
  readonly timers: NamedTimers;
  readonly event: (kind: string, fields?: Record<string, unknown>) => void;
}

/** The core's view of one server frame. */
export interface FrameSink {
  transcript(text: string, final: boolean): void;
  handleUpdate(update: HandleUpdate): void;
  expiring(notice: ExpiringNotice): void;
  resumed(conversationId: string | undefined): void;
  conversationEnd(reason: string): void;
  serverError(code: string, message: string): void;
  /** A frame the client does not act on (not JSON, unknown type, invalid fields). */
  ignored(state: string, detail: string): void;
}

export interface SimulatorWire {
  createSession(request: SessionRequest): Promise<WireSession>;
  connectUrl(session: WireSession, resumeHandle: string | undefined): string;
  prospectMessage(text: string): string;
  endConversation(): string;
  readFrame(text: string, sink: FrameSink): void;
}
