/** The conversation's contracts: what it tells its listeners, and what it needs of its server. */
import type { Clock } from '../../protocol/clock.ts';
import type { ServerScript } from '../script/schema.ts';
import type { Connection } from './connection.ts';
import type { FaultEvent, TurnPhase } from './connection-sink.ts';
import type { HandleStore } from './handle-store.ts';
import type { Journal } from './journal.ts';
import type { SalesAgent } from './sales-agent.ts';

/** What the conversation tells its listeners (the fault runner), in the order it happens. */
export type ConversationEvents = {
  /** A connection opened and its resume was decided (connection-scoped triggers, then `open`). */
  'connection-opened': [conn: Connection];
  event: [event: FaultEvent, conn: Connection];
  'turn-phase': [conn: Connection, turn: number, phase: TurnPhase];
  disposed: [];
};

export interface ConversationHost {
  readonly clock: Clock;
  readonly journal: Journal;
  readonly handles: HandleStore;
  readonly agent: SalesAgent;
  readonly script: ServerScript;
  restart(code: number, reason: string, forgetHandles: boolean): void;
  nextConnectionId(): number;
}

