/**
 * What one run's journal says, worked out once per run (in run/) and carried to the judge
 * and to the report builders: the timeline (connections, attempts) and the conversation
 * facts (answered slots, the final model state, rewrites).
 *
 * The facts are worked out on first use and kept: a journal they cannot be read from (a bug,
 * a journal we do not understand) then fails only the judge's axes that need them (UNKNOWN)
 * and the report's details (a minimal report), as it did when each rebuilt them.
 */
import type { JournalEvent } from '../../mock-server/index.ts';
import { conversationFacts, type ConversationFacts, type FactsOptions } from './conversation-facts.ts';
import { buildTimeline, type Timeline, type TimelineOptions } from './timeline.ts';

export interface RunAnalysis {
  readonly timeline: Timeline;
  /** Throws (every time it is read) when the journal cannot be read as a conversation. */
  readonly facts: ConversationFacts;
}

/**
 * The run ends at its protocol time; the max guards a journal event stamped later (none is:
 * the server records on the run's clock, and the journal is taken when the run stops).
 */
export const runEnd = (journal: readonly JournalEvent[], protocolMs: number): number => Math.max(protocolMs, journal.at(-1)?.t ?? 0);

export function analyseRun(journal: readonly JournalEvent[], protocolMs: number, options: FactsOptions & TimelineOptions = {}): RunAnalysis {
  const timeline = buildTimeline(journal, runEnd(journal, protocolMs), options);
  let facts: { readonly value: ConversationFacts } | { readonly error: unknown } | null = null;
  return {
    timeline,
    get facts(): ConversationFacts {
      if (facts === null) {
        try {
          facts = { value: conversationFacts(timeline, options) };
        } catch (error) {
          facts = { error };
        }
      }
      if ('error' in facts) throw facts.error;
      return facts.value;
    },
  };
}
