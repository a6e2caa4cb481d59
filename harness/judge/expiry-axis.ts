/**
 * Expiry: after session_expiring, did the client leave before `timeLeft` ran out, at a
 * turn boundary where it could (spec §6.2), rather than wait to be cut?
 */
import { secs, type JudgeInput } from './judge-input.ts';
import type { Segment } from '../analysis/timeline.ts';
import { breach } from './judge-rules.ts';
import { informational, ok, type AxisVerdict } from './verdict.ts';

const MIN_ACTIONABLE_TIME_LEFT_S = 2;

export function judgeExpiry(input: JudgeInput): AxisVerdict {
  const notified = input.analysis.timeline.segments.filter((seg) => seg.expiring.length > 0 && !seg.blackHoled);
  if (notified.length === 0) return informational('No session_expiring in this run: nothing to judge.');
  let midTurn: { seg: Segment; t: number } | null = null;
  let judged = 0;
  for (const seg of notified) {
    const notice = seg.expiring[0]!;
    // A notice with next to no time left leaves nothing to do before the deadline but reconnect after it.
    if (notice.timeLeft < MIN_ACTIONABLE_TIME_LEFT_S) continue;
    // Through a server, the deadline the client saw: later by what the server's relays took (judge/server/relay-lag.ts).
    const relayLag = input.relayLagMs?.get(seg.conn) ?? 0;
    const deadline = notice.t + notice.timeLeft * 1000 + relayLag;
    const close = seg.close;
    if (seg.conversationEndAt !== null && seg.conversationEndAt <= deadline) { judged++; continue; }
    if (!close) {
      const end = input.analysis.timeline.end;
      if (end > deadline) return breach('expiry.open-past-deadline', `Connection ${seg.ordinal} was still open when the run ended, ${secs(end - deadline)} past its goAway deadline.`, { fromMs: notice.t, toMs: end });
      // The client reported its result with the notified connection still open: nothing of it is
      // left to close it, so it outlives the deadline (make-before-break that never breaks).
      if (input.client.state === 'reported') return breach('expiry.open-past-deadline', `Connection ${seg.ordinal} was left open when the client ended its run, ${secs(deadline - end)} before its goAway deadline: nothing is left to close it before the deadline.`, { fromMs: notice.t, toMs: end });
      // A run stopped before the deadline with no result (a hang at the limit) was never past it:
      // the other axes judge why it ended.
      continue;
    }
    // Closed before the announced deadline: the server broke its own notice; nothing to hold against the client.
    if (close.by !== 'client' && close.t < deadline) continue;
    if (close.by === 'server' && close.cause === 'expiry-deadline') {
      return breach('expiry.waited-for-server', `Waited for the server: connection ${seg.ordinal} was cut at its deadline with ${close.code} ${secs(close.t - notice.t)} after session_expiring (timeLeft ${notice.timeLeft} s; spec §6.2 asks to rotate before).`, { fromMs: notice.t, toMs: close.t });
    }
    if (close.by !== 'client') {
      return breach('expiry.overstayed', `Overstayed: connection ${seg.ordinal} was still open ${secs(close.t - deadline)} past timeLeft and was closed by the ${close.by} (${close.code}).`, { fromMs: notice.t, toMs: close.t });
    }
    if (close.t > deadline) return breach('expiry.overstayed', `Overstayed timeLeft: the client closed connection ${seg.ordinal} ${secs(close.t - deadline)} after the announced deadline${relayLag > 0 ? ` (counted from when the server relayed the notice, ${secs(relayLag)} of relays allowed)` : ''}.`, { fromMs: notice.t, toMs: close.t });
    judged++;
    if (!midTurn && leftMidTurnDespiteBoundary(seg, notice.t, close.t)) midTurn = { seg, t: close.t };
  }
  if (midTurn) return breach('expiry.left-mid-turn', `Left connection ${midTurn.seg.ordinal} in the middle of an agent turn at ${secs(midTurn.t)}, although a turn boundary came after the notice (spec §6.2: at a turn boundary where possible).`);
  if (judged === 0) return informational('No notice left time to act on: each was too short, or another fault closed the connection first.');
  return ok(`Left before the deadline after each of ${judged} session_expiring notice${judged === 1 ? '' : 's'}.`);
}

function leftMidTurnDespiteBoundary(seg: Segment, noticeAt: number, leftAt: number): boolean {
  const lastProspect = seg.prospectTurns.filter((p) => !p.duplicate && p.t <= leftAt).at(-1);
  const answered = lastProspect ? seg.agentTurns.some((a) => a.answers === lastProspect.textId && a.t <= leftAt) : true;
  if (answered) return false;
  const boundaryAfterNotice = seg.handlesIssued.some((h) => h.t >= noticeAt && h.t <= (lastProspect?.t ?? leftAt));
  return boundaryAfterNotice;
}
