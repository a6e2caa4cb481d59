/**
 * The server's record of a run, on the harness clock. Verdicts are judged from this
 * (sut-contract §5), so it records facts, never interpretations: what arrived, what was
 * sent, which handle a connection presented and what context it started with.
 * Secrets never enter it: handles and tokens appear only as fingerprints.
 */

/** A handle as the journal knows it: its fingerprint, issue order and what it captured. */
export interface HandleRef {
  readonly id: string;
  /** 1-based issue order within the conversation. */
  readonly seq: number;
  /** Prospect turns in the state the handle captured. */
  readonly turns: number;
  readonly issuedOnConnection: number;
  readonly issuedAt: number;
}

export type ResumeOutcome = 'none' | 'resumed' | 'rejected';
export type RejectReason = 'unknown' | 'expired' | 'foreign' | 'revoked' | 'forced' | 'stale' | 'old-socket-open';
export type CloseSide = 'client' | 'server' | 'network';

export type JournalEvent =
  | { kind: 'http-session'; t: number; status: number; conversationId?: string; sessionToken?: string; problem?: string }
  /** `status` is the HTTP status of a refused upgrade; a face that refuses after the upgrade (Gemini) gives 101 and `closeCode`. */
  | { kind: 'upgrade-rejected'; t: number; status: number; reason: string; conversationId?: string; attempt?: number; handle?: string; closeCode?: number }
  | {
      kind: 'open';
      t: number;
      /** Connection id, unique on the server; every connection-scoped event names it as `conn`. */
      conn: number;
      /** 1-based connection number within its conversation. */
      ordinal: number;
      conversationId: string;
      /** The handle presented, if the server knows it; `presented` is the fingerprint of whatever string came. */
      presented: string | null;
      handle: HandleRef | null;
      resume: ResumeOutcome;
      rejection?: string;
      rejectReason?: RejectReason;
      /** Prospect turns in the model state this connection started with. */
      contextTurns: number;
      /** Fingerprints of the prospect messages in that state, in order. */
      contextIds: string[];
      /** The most prospect turns any model state of this conversation had reached before it. */
      conversationTurns: number;
      /** The newest handle issued before this connection opened. */
      latestIssued: HandleRef | null;
      /** Other connections of the conversation still open at this moment. */
      openConnections: number[];
    }
  | { kind: 'frame-in'; t: number; conn: number; text?: string; bytes: number; binary: boolean; decoded: 'valid' | 'invalid' | 'unknown-type' | 'not-json' | 'binary'; type?: string; problem?: string }
  | { kind: 'frame-out'; t: number; conn: number; text?: string; bytes: number; binary: boolean; type?: string; dropped?: boolean }
  | { kind: 'prospect-turn'; t: number; conn: number; turn: number; contextTurns: number; textId: string; duplicate?: 'while-generating' | 'repeat' | 'after-end' }
  /**
   * Turns the client wrote into the model's context without asking for an answer (Gemini's
   * clientContent without turnComplete: seeded history, gemini-live.md §1.3). `textIds` are the
   * prospect messages' fingerprints; `alreadyHeld` of them were in the context already, which
   * now holds them twice.
   */
  | { kind: 'history'; t: number; conn: number; textIds: string[]; alreadyHeld: number; contextTurns: number }
  /** `answers` is the fingerprint of the prospect message this turn answered (none for the greeting). */
  | { kind: 'agent-turn'; t: number; conn: number; turn: number; greeting: boolean; answers?: string }
  | { kind: 'handle-issued'; t: number; conn: number; handle: HandleRef; reason: 'turn' | 'before-expiring' | 'delayed' | 'fault' | 'session-start' }
  | { kind: 'not-resumable'; t: number; conn: number }
  | { kind: 'expiring'; t: number; conn: number; timeLeft: number; deadline: number; hasHandle: boolean }
  | { kind: 'resumed-sent'; t: number; conn: number }
  | { kind: 'close'; t: number; conn: number; code: number; reason: string; by: CloseSide; cause?: string }
  | { kind: 'end-requested'; t: number; conn: number }
  | { kind: 'conversation-end'; t: number; conn: number; reason: string }
  /** `rule` is the index in server.faults; -1 for a toxic of server.toxics, whose index is `toxic`. */
  | { kind: 'fault'; t: number; conn?: number; rule: number; toxic?: number; action: string; detail?: string }
  | { kind: 'restart'; t: number };

export type JournalEventKind = JournalEvent['kind'];
export type EventOf<K extends JournalEventKind> = Extract<JournalEvent, { kind: K }>;

export class Journal {
  readonly events: JournalEvent[] = [];

  record(event: JournalEvent): void {
    this.events.push(event);
  }

  of<K extends JournalEventKind>(kind: K): EventOf<K>[] {
    return this.events.filter((e): e is EventOf<K> => e.kind === kind);
  }

  toJSON(): JournalEvent[] {
    return this.events;
  }
}
