/**
 * The turn ledger: what the prospect has said, what the agent has answered, and what the
 * current model context holds (spec §6.5). Plain bookkeeping, protocol-neutral; the decisions
 * read it through DecisionContext, the turn-taking part writes it.
 */
import type { PendingReply } from './decisions.ts';

export class TurnLedger {
  /** Prospect messages answered in the current model context (the script index it has reached). */
  contextThrough = 0;
  /** Prospect turns counted: the highest message index the agent answered. */
  turns = 0;
  /** The highest prospect message index ever sent. */
  lastSent = 0;
  /** What the current connection's model owes the prospect, if anything. */
  pendingReply: PendingReply | null = null;
  /** Agent final transcripts seen so far: orders handles relative to agent turns. */
  finalsSeen = 0;
  /** The prospect message being thought about (think timer running), if any. */
  thinkingFor: number | null = null;
  /** The prospect message ready to go once the connection allows it, if any. */
  readyToSend: number | null = null;
  /** The final text of each agent turn, by the prospect message it answered (0 = the greeting). */
  readonly agentTurnTexts = new Map<number, string>();
}
