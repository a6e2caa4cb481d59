/**
 * The conversation as the server's model saw it. Prospect turns are slots: the k-th
 * prospect message of a model state fills slot k. A rollback empties slots; a correct
 * client refills them with the same messages (spec §5.1 re-send), a broken one moves on.
 */
import type { Segment, Timeline } from './timeline.ts';

export interface ConversationFacts {
  /** Slots an agent turn answered at least once, summed over conversations (HTTP sessions). */
  readonly answeredTurns: number;
  /** The prospect messages the last model state holds, in order. */
  readonly finalState: string[];
  /** Answered slots of the last conversation that its final state no longer holds. */
  readonly lostSlots: number[];
  /** A second HTTP session was created after the first had answered turns (spec §1: only as a declared fallback). */
  readonly newSessionAfterTurns: boolean;
  /** Where the client put a different message into an answered slot: it talked on as if the lost turn had happened. */
  readonly rewrites: Array<{ segment: Segment; slot: number }>;
  /** Where the client replayed history over a context that already held it: the model holds those turns twice (F9). */
  readonly duplicatedHistory: Array<{ segment: Segment; alreadyHeld: number }>;
}

export interface FactsOptions {
  /**
   * A connection opened without a handle after its conversation answered turns starts a new
   * model session, as a second HTTP session does on the AI-voice face: on Gemini Live a setup
   * without a handle is the only way to start over (docs/gemini-face.md). On the AI-voice
   * face the same connection is a rollback of the conversation (T13), judged as such.
   */
  readonly freshConnectionStartsSession?: boolean;
}

/** The model state a segment ended with: what it started with, the history written into it, and the turns it answered, in order. */
export function finalStateOf(segment: Segment): string[] {
  const state = [...segment.open.contextIds];
  const added = [
    ...segment.history.map((h) => ({ t: h.t, ids: h.textIds })),
    ...segment.agentTurns.filter((turn) => turn.answers).map((turn) => ({ t: turn.t, ids: [turn.answers as string] })),
  ].sort((a, b) => a.t - b.t);
  for (const { ids } of added) state.push(...ids);
  return state;
}

export function conversationFacts(timeline: Timeline, options: FactsOptions = {}): ConversationFacts {
  const slotsByConversation = new Map<string, Map<number, string>>();
  const lastActive = new Map<string, Segment>();
  const rewrites: Array<{ segment: Segment; slot: number }> = [];
  /** The model session each conversation is on now (freshConnectionStartsSession). */
  const generation = new Map<string, number>();
  for (const segment of timeline.segments) {
    let key = segment.conversationId;
    if (options.freshConnectionStartsSession) {
      let gen = generation.get(segment.conversationId) ?? 0;
      const current = slotsByConversation.get(`${segment.conversationId}#${gen}`);
      if (segment.open.resume === 'none' && current !== undefined && current.size > 0) generation.set(segment.conversationId, ++gen);
      key = `${segment.conversationId}#${gen}`;
    }
    let slots = slotsByConversation.get(key);
    if (!slots) {
      slots = new Map();
      slotsByConversation.set(key, slots);
    }
    for (const p of segment.prospectTurns) {
      if (p.duplicate) continue;
      const known = slots.get(p.turn);
      if (known !== undefined && known !== p.textId) rewrites.push({ segment, slot: p.turn });
    }
    for (const turn of segment.agentTurns) {
      if (turn.answers && !slots.has(turn.turn)) slots.set(turn.turn, turn.answers);
    }
    if (segment.agentTurns.length > 0 || segment.history.length > 0 || segment.open.contextIds.length > 0 || segment.open.resume === 'resumed') lastActive.set(key, segment);
  }
  const conversations = [...slotsByConversation.keys()];
  const last = conversations.at(-1);
  const finalSegment = last === undefined ? undefined : lastActive.get(last);
  const finalState = finalSegment ? finalStateOf(finalSegment) : [];
  const lastSlots = last === undefined ? new Map<number, string>() : slotsByConversation.get(last)!;
  const lostSlots = [...lastSlots.keys()].filter((slot) => slot > finalState.length).sort((a, b) => a - b);
  const answeredTurns = [...slotsByConversation.values()].reduce((sum, slots) => sum + slots.size, 0);
  const newSessionAfterTurns = conversations.slice(0, -1).some((c) => (slotsByConversation.get(c)?.size ?? 0) > 0);
  const duplicatedHistory = timeline.segments.flatMap((segment) => segment.history.filter((h) => h.alreadyHeld > 0).map((h) => ({ segment, alreadyHeld: h.alreadyHeld })));
  return { answeredTurns, finalState, lostSlots, newSessionAfterTurns, rewrites, duplicatedHistory };
}
