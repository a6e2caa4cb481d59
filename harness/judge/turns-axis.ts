/**
 * Turns: how many prospect turns reached the agent, duplicates, stalls, and whether the
 * client's count agrees with the server's.
 */
import { resultOf, s, secs, type JudgeInput } from './judge-input.ts';
import { segmentEnd, type Segment, type Timeline } from '../analysis/timeline.ts';
import { breach } from './judge-rules.ts';
import { ok, type AxisVerdict } from './verdict.ts';

export function judgeTurns(input: JudgeInput): AxisVerdict {
  const { scenario } = input;
  const { timeline } = input.analysis;
  const expected = scenario.conversation.maxTurns;
  const { facts } = input.analysis;
  const serverTurns = facts.answeredTurns;
  const duplicates = timeline.segments.flatMap((seg) => seg.prospectTurns.filter((p) => p.duplicate).map((p) => ({ seg, p })));
  if (duplicates.length > 0) {
    const { seg, p } = duplicates[0]!;
    const how = p.duplicate === 'while-generating' ? 'while the agent was still answering the previous one' : p.duplicate === 'repeat' ? 'that the restored state already held' : 'after the conversation had ended';
    return breach('turns.duplicate', `Duplicate prospect message: ${s(duplicates.length, 'duplicate')}, the first on connection ${seg.ordinal} at ${secs(p.t)}, sent ${how}.`, { fromMs: p.t, toMs: p.t });
  }
  const stall = findStall(timeline, scenario.expect.stallAfter * 1000, expected);
  if (stall) return breach('turns.stall', `Conversation stalled on connection ${stall.segment.ordinal}: the agent waited ${secs(stall.duration)} for a prospect message from ${secs(stall.from)} (the in-flight message was not re-sent).`, { fromMs: stall.from, toMs: stall.from + stall.duration });

  const result = resultOf(input.client);
  if (!result) return breach('turns.no-result', `No client result (${input.client.state}): the server answered ${serverTurns}/${expected} turns.`);
  if (result.status === 'completed' && serverTurns < expected) {
    return breach('turns.completed-short', `The client reported completion, but only ${serverTurns} of ${expected} prospect turns reached the agent.`);
  }
  if (result.turns !== serverTurns) {
    return breach('turns.count-mismatch', `The client counted ${s(result.turns, 'turn')}; the server answered ${serverTurns}.`);
  }
  if (scenario.expect.outcome === 'completes' && result.status !== 'completed') {
    // Every turn reached the agent: what failed is the ending (an end_conversation never
    // acknowledged, in-flight-lost.end-swallowed), on which spec §4 is silent. Reporting it as a
    // failure misstates a completed conversation (sut-contract §4) but loses nothing.
    if (serverTurns >= expected) return breach('turns.done-reported-failed', `Every turn was answered (${serverTurns}/${expected}), yet the client reported status ${result.status}.`);
    return breach('turns.not-completed', `The conversation did not complete: ${serverTurns} of ${expected} turns, client status ${result.status}.`);
  }
  const beyond = beyondMaxTurns(timeline, expected);
  if (beyond) return breach('turns.beyond-max-turns', `The client sent a prospect message as turn ${beyond.p.turn} of the model context on connection ${beyond.seg.ordinal} at ${secs(beyond.p.t)}: more than the ${expected} prospect turns it was asked to complete (sut-contract §2, §3: maxTurns).`, { fromMs: beyond.p.t, toMs: beyond.p.t });
  if (result.status === 'completed') return ok(`${serverTurns}/${expected} turns, no duplicates or stalls; the client's count matches the server's.`);
  return ok(`Ended failed after ${serverTurns}/${expected} turns, as the scenario allows; no duplicates or stalls; counts agree.`);
}

/**
 * A prospect message the server took as a turn past `maxTurns` of the model context it reached.
 * The mock numbers a turn by the context it lands in (restored turns and history included), so a
 * message re-sent after a resume lands in its own slot again, and a fresh session after a context
 * loss starts again from 1: neither counts twice. Duplicates are the duplicate rule's business, and
 * so is a connection whose history was written over turns its context held (F9, context.duplicated):
 * those turns are counted twice in its numbering.
 */
function beyondMaxTurns(timeline: Timeline, maxTurns: number): { seg: Segment; p: Segment['prospectTurns'][number] } | null {
  for (const seg of timeline.segments) {
    if (seg.history.some((h) => h.alreadyHeld > 0)) continue;
    const p = seg.prospectTurns.find((turn) => !turn.duplicate && turn.turn > maxTurns);
    if (p) return { seg, p };
  }
  return null;
}

interface Stall { segment: Segment; from: number; duration: number }

/**
 * The agent idle and waiting for the prospect longer than `limitMs` on an open connection:
 * after an agent turn or a confirmed resume, with no prospect message on it ever after.
 */
function findStall(timeline: Timeline, limitMs: number, maxTurns: number): Stall | null {
  for (const seg of timeline.segments) {
    // A black-holed socket tells the server nothing of the client's leaving: no verdict from it.
    if (seg.blackHoled) continue;
    const end = segmentEnd(seg, timeline);
    const marks = [...seg.agentTurns.map((t) => t.t), ...(seg.resumedSentAt !== null ? [seg.resumedSentAt] : [])].sort((a, b) => a - b);
    for (const from of marks) {
      // After the final answer the client is expected to end, not to speak.
      const turnAtMark = seg.agentTurns.filter((t) => t.t <= from).at(-1)?.turn ?? seg.open.contextTurns;
      if (turnAtMark >= maxTurns) continue;
      if (generatingAt(seg, from)) continue;
      // A message that comes, however late, is no stall: the protocol sets no think time (spec §4).
      // A stall is the wait that ended with no message on that connection (spec §5.1: both sides wait).
      if (seg.prospectTurns.some((p) => p.t >= from)) continue;
      if (end - from > limitMs) return { segment: seg, from, duration: end - from };
    }
  }
  return null;
}

/** Whether the agent was mid-turn at `t` (a prospect message without its answer yet). */
function generatingAt(seg: Segment, t: number): boolean {
  const lastProspect = seg.prospectTurns.filter((p) => p.t <= t && !p.duplicate).at(-1);
  if (!lastProspect) return false;
  return !seg.agentTurns.some((a) => a.t >= lastProspect.t && a.t <= t && a.answers === lastProspect.textId);
}
