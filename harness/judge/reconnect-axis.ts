/**
 * Reconnect: after every close the client did not ask for, did it come back (spec §6.3),
 * within a bounded number of attempts with growing gaps (§6.4), without presenting a
 * rejected handle again (§7) and never after the conversation ended or 4001?
 */
import { CloseCode } from '../../protocol/close-codes.ts';
import { GeminiCloseCode } from '../../protocol/gemini-live/close-codes.ts';
import type { Protocol } from '../../protocol/sut-result.ts';
import { resultOf, s, secs, type JudgeInput } from './judge-input.ts';
import { breach, ruleOf, type RuleId } from './judge-rules.ts';
import { carriedFullTurn, newestDeliveredHandle, type Attempt, type Segment, type Timeline } from '../analysis/timeline.ts';
import { informational, ok, type AxisVerdict } from './verdict.ts';

interface Outage {
  readonly after: Segment;
  readonly attempts: Attempt[];
}

export function judgeReconnect(input: JudgeInput): AxisVerdict {
  const { scenario } = input;
  const { timeline } = input.analysis;
  const expect = scenario.expect;
  if (input.client.state === 'hung') return breach('reconnect.never-ended', `The client never ended: ${input.client.reason}. When every attempt fails it must end with a failed status (spec §6.7).`);
  // Virtual time can leap to a client's next timer, however far: an end after the limit is a hang all the same.
  if (timeline.end > scenario.limit * 1000) return breach('reconnect.never-ended', `The client ended only at ${secs(timeline.end)}, past the scenario's limit of ${scenario.limit} s: it waited on something that never came (spec §6.7, §6.8).`);

  const forbidden = forbiddenAttempt(timeline, expect.maxAttemptsPerOutage, input.protocol ?? 'ai-voice');
  if (forbidden && ruleOf(forbidden.rule).grade === 'FAILED') return breach(forbidden.rule, forbidden.reason);

  const unforced = unforcedReconnects(timeline, expect.maxReconnects);
  if (unforced && ruleOf(unforced.rule).grade === 'FAILED') return breach(unforced.rule, unforced.reason);

  const outages = outagesOf(timeline);
  for (const outage of outages) {
    if (outage.attempts.length > expect.maxAttemptsPerOutage) {
      return breach('reconnect.unbounded', `Unbounded retries: ${outage.attempts.length} attempts after connection ${outage.after.ordinal} closed (${closeText(outage.after)}), budget ${expect.maxAttemptsPerOutage}.`);
    }
    const tooShort = idleGaps(outage).find((g) => g.ms < expect.minRetryGap * 1000);
    if (tooShort) {
      return breach('reconnect.storm', `Reconnect storm: attempt ${tooShort.attempt} came ${secs(tooShort.ms)} after attempt ${tooShort.attempt - 1} failed (minimum ${expect.minRetryGap} s; spec §6.4 asks for a growing delay).`, { fromMs: tooShort.from, toMs: tooShort.from + tooShort.ms });
    }
  }

  const result = resultOf(input.client);
  const lastAttempt = timeline.attempts.at(-1);
  const last = lastAttempt?.state === 'opened' ? lastAttempt.segment : null;
  // A healthy connection that closed with no attempt after it: the client never tried.
  if (last && needsReconnect(last) && !answeredEveryTurn(last, scenario.conversation.maxTurns) && (carriedFullTurn(last) || timeline.attempts.length === 1)) {
    const why = resumeImpossibleReason(timeline, last);
    if (why === null) {
      return breach('reconnect.never-reconnected', `Never reconnected after connection ${last.ordinal} closed (${closeText(last)}) with the conversation unfinished and a handle in hand (spec §6.3).`);
    }
    if (!(result && (result.status === 'failed' || result.contextLost))) {
      return breach('reconnect.stopped-silently', `Stopped after connection ${last.ordinal} closed (${closeText(last)}) — ${why} — without reporting failure or lost context.`);
    }
  }
  // Every turn answered: what failed is the ending, not a resume (turns.done-reported-failed).
  if (expect.outcome === 'completes' && result && result.status !== 'completed' && input.analysis.facts.answeredTurns < scenario.conversation.maxTurns) {
    const attempts = outages.at(-1)?.attempts.length ?? 0;
    return breach('reconnect.gave-up-resumable', `Gave up after ${s(attempts, 'attempt')} although the server would have resumed the conversation.`);
  }

  // What the protocol allows and field experience advises against: NON-STRICT, the first one found.
  if (forbidden) return breach(forbidden.rule, forbidden.reason);
  if (unforced) return breach(unforced.rule, unforced.reason);
  const fixed = outages.find((o) => o.attempts.length >= 3 && !grows(idleGaps(o).map((g) => g.ms)));
  if (fixed) {
    const gaps = idleGaps(fixed);
    const lastGap = gaps.at(-1)!;
    return breach('reconnect.fixed-delay', `Retries did not back off: gaps ${gaps.map((g) => secs(g.ms)).join(', ')} after connection ${fixed.after.ordinal} closed; spec §6.4 asks for a growing delay with jitter.`, { fromMs: gaps[0]!.from, toMs: lastGap.from + lastGap.ms });
  }
  const late = lateReconnect(input);
  if (late) return breach('reconnect.late-after-close', late.reason, late.window);
  const newer = gaveUpNewerHandle(input, outages);
  if (newer) return breach('reconnect.gave-up-newer-handle', newer);
  const underReported = underReportedReconnects(input);
  if (underReported) return breach('reconnect.count-under-reported', underReported);
  const reconnects = timeline.attempts.length - 1;
  if (reconnects <= 0 && outages.length === 0) return informational('No outage in this run: nothing to reconnect from.');
  const most = Math.max(0, ...outages.map((o) => o.attempts.length));
  const gaveUp = result?.status === 'failed' ? ' and then ended failed, as the scenario expects' : '';
  return ok(`${s(reconnects, 'reconnect attempt')} over ${s(outages.length, 'outage')}, at most ${most} per outage, gaps growing${gaveUp}.`);
}

interface Breach {
  readonly rule: RuleId;
  readonly reason: string;
}

/**
 * Attempts the spec forbids: after conversation_end, after 4001, presenting a handle rejected
 * with 4003, or presenting a handle whose resumes were accepted then closed as many times as the
 * attempt budget allows (spec §6.4: once the budget is spent it MUST NOT be presented again).
 * A third presentation after two such cycles is within the budget, which §6.4 allows: NON-STRICT
 * (F6), returned only if nothing worse is found. On the Gemini face, a handle Gemini refused
 * before `setupComplete` (1007/1008) presented again is NON-STRICT too (gemini-live.md §1.6, F5).
 */
function forbiddenAttempt(timeline: Timeline, budget: number, protocol: Protocol): Breach | null {
  let endedAt: number | null = null;
  let unauthorisedAt: number | null = null;
  const rejected = new Map<string, string>();
  const refusedByGemini = new Map<string, string>();
  const acceptThenClose = new Map<string, number>();
  let repeated: Breach | null = null;
  for (const attempt of timeline.attempts) {
    if (endedAt !== null && attempt.t >= endedAt) return { rule: 'reconnect.after-conversation-end', reason: `Reconnected at ${secs(attempt.t)} after the conversation ended at ${secs(endedAt)} (spec §3: no reconnect after conversation_end).` };
    if (unauthorisedAt !== null && attempt.t >= unauthorisedAt) return { rule: 'reconnect.after-4001', reason: `Reconnected at ${secs(attempt.t)} after a 4001 close at ${secs(unauthorisedAt)} (spec §6.3: 4001 means do not reconnect).` };
    if (attempt.handle !== null) {
      const why = rejected.get(attempt.handle);
      if (why) return { rule: 'reconnect.rejected-handle-again', reason: `Presented handle ${attempt.handle} again at ${secs(attempt.t)} after ${why} (spec §7: drop the handle, do not present it again).` };
      const cycles = acceptThenClose.get(attempt.handle) ?? 0;
      if (cycles >= budget) return { rule: 'reconnect.handle-past-budget', reason: `Presented handle ${attempt.handle} again at ${secs(attempt.t)} after ${cycles} accept-then-close cycles with it, the whole attempt budget of ${budget} (spec §6.4: once the budget is spent, the handle must not be presented again).` };
      if (cycles >= 2 && repeated === null) repeated = { rule: 'reconnect.accept-then-close-repeated', reason: `Presented handle ${attempt.handle} a third time at ${secs(attempt.t)} after two accept-then-close cycles with it: allowed within the attempt budget (spec §6.4), but a handle accepted then closed twice is poisoned (F6: the loop never ends by itself).` };
      const refusal = refusedByGemini.get(attempt.handle);
      if (refusal && repeated === null) repeated = { rule: 'reconnect.gemini-refused-handle-again', reason: `Presented handle ${attempt.handle} again at ${secs(attempt.t)} after Gemini refused it before setupComplete (${refusal}): Gemini documents no answer to a bad handle (gemini-live.md §1.6), but the field shows these refusals are final and a client that keeps the handle retries the same way for ever (F5).` };
    }
    if (attempt.state !== 'opened') continue;
    const seg = attempt.segment;
    if (seg.conversationEndAt !== null) endedAt = seg.conversationEndAt;
    const close = seg.close;
    if (!close) continue;
    if (close.code === CloseCode.unauthorised) unauthorisedAt = close.t;
    if (close.code === CloseCode.invalidResumeHandle && attempt.handle) rejected.set(attempt.handle, `it was rejected with 4003 at ${secs(close.t)}`);
    if (protocol === 'gemini-live' && attempt.handle && refusedBeforeSetup(seg)) refusedByGemini.set(attempt.handle, `closed ${close.code}${close.reason ? ` "${close.reason}"` : ''} at ${secs(close.t)}`);
    // An open closed with no confirmation is an outage: bounded retries are the answer to it (spec §6.4).
    if (acceptedThenCut(seg) && attempt.handle) acceptThenClose.set(attempt.handle, (acceptThenClose.get(attempt.handle) ?? 0) + 1);
  }
  return repeated;
}

/**
 * gemini-live.md §1.6: Gemini answers an expired, forgotten or malformed handle by closing the
 * connection before `setupComplete`, with 1008 ("session not found", "Requested entity was not
 * found.") or 1007 ("Invalid session handle", "Request contains an invalid argument."). The
 * mock journals that refusal as a resume rejected and a server close with cause 'rejection'
 * (mock-server/core/conversation.ts). Left out: 1011 while an older socket is still open (F7:
 * transient, the same handle resumes once the old socket is gone; its cause names it), an accept
 * then close (F6: after `setupComplete`, judged by the budget rules above), a refusal of the
 * setup itself (a bad frame, transparent resumption, a changed model: not the handle's fault),
 * and an outage the mock forced on every connection whatever was presented.
 */
function refusedBeforeSetup(seg: Segment): boolean {
  const close = seg.close;
  if (!close || close.by !== 'server' || close.cause !== 'rejection') return false;
  if (seg.open.resume !== 'rejected' || seg.resumedSentAt !== null) return false;
  return close.code === GeminiCloseCode.invalidArgument || close.code === GeminiCloseCode.policy;
}

/**
 * Where a scenario says how many reconnects it forces at most (often none), every one beyond is
 * a healthy connection the client abandoned: a keepalive that gave up on late pongs, a frame it
 * could not parse taken for a broken connection.
 */
function unforcedReconnects(timeline: Timeline, max: number | undefined): Breach | null {
  if (max === undefined) return null;
  // Only attempts on this run's conversations: an upgrade with a session token no conversation
  // knows is not one of this client's reconnects (a stray client of an earlier in-process run).
  const known = new Set(timeline.conversations);
  const reconnects = timeline.attempts.filter((a) => a.conversationId !== null && known.has(a.conversationId)).length - 1;
  if (reconnects <= max) return null;
  const first = timeline.segments.find((seg) => seg.close && seg.close.t < timeline.end && timeline.attempts.some((a) => a.t >= seg.close!.t && a.t > seg.openedAt));
  const how = first?.close ? `; the first to go was connection ${first.ordinal}, closed ${first.close.code}${first.close.reason ? ` "${first.close.reason}"` : ''} by the ${first.close.by} at ${secs(first.close.t)}` : '';
  const reason = `Reconnected ${s(reconnects, 'time')} where the server forces at most ${max}: the client abandoned a healthy connection${how}`;
  // A frame the protocol tells the client to tolerate, sent on that connection before the client left it (spec §2, §3).
  const blamed = first?.close?.by === 'client' ? first.faults.find((f) => TOLERATED_FRAME_FAULTS.has(f.action) && f.t <= first.close!.t) : undefined;
  if (blamed) return { rule: 'reconnect.abandoned-after-bad-frame', reason: `${reason}, after the server sent it a frame to tolerate (${blamed.action} at ${secs(blamed.t)}; spec §2: ignore unknown types, never crash on bad JSON; §3: an error message is not fatal).` };
  return { rule: 'reconnect.abandoned-healthy', reason: `${reason}. Allowed (spec §6.8: the client chooses its inactivity limit), but it cost a resume (F15).` };
}

/**
 * §6.3 asks for a reconnect after any unplanned close, and F14 (an abnormal close ignored: the
 * client noticed only when its own inactivity limit ran out, or never) asks that a new connection
 * follow "within a set time". The protocol sets no number, so the scenario's own bound on a
 * conversation left waiting is used: `stallAfter` (default 25 s), the time after which a
 * conversation with both sides waiting has stalled. It is far beyond §6.4's default first delay
 * (at once, or 2 s with jitter), so only a client that did not read the close is caught.
 * Only the first attempt after a connection that carried a full turn is measured: later attempts
 * of an outage are spaced by the client's backoff (§6.4, judged above). Left out: a close the
 * client asked for or could not see (a black-holed socket), 4001 and conversation_end (no
 * reconnect wanted), a close after the last answer (nothing left to resume, §4), runs through a
 * server under test (the journal holds its upstream connections, not the client's), and every
 * run not on the virtual clock: there an attempt can stall on its way to the mock or never reach
 * it (found in the network catalog under load: the reference's connect held 17 protocol s, then
 * timed out, and the journal saw its next attempt 29 s after the close), so a late attempt in the
 * journal is no evidence of a late client.
 */
function lateReconnect(input: JudgeInput): { reason: string; window: { fromMs: number; toMs: number } } | null {
  if (input.mode !== 'virtual' || input.relayLagMs !== undefined) return null;
  const { timeline } = input.analysis;
  const limitMs = input.scenario.expect.stallAfter * 1000;
  for (const seg of timeline.segments) {
    const close = seg.close;
    if (!close || seg.blackHoled || !needsReconnect(seg) || !carriedFullTurn(seg)) continue;
    if (answeredEveryTurn(seg, input.scenario.conversation.maxTurns)) continue;
    const next = timeline.attempts.find((a) => a.t >= close.t && !(a.state === 'opened' && a.segment.conn <= seg.conn));
    if (!next || next.t - close.t <= limitMs) continue;
    return {
      reason: `Connection ${seg.ordinal} closed (${closeText(seg)}) with the conversation unfinished, and the next attempt came only ${secs(next.t - close.t)} later (the scenario's stallAfter is ${input.scenario.expect.stallAfter} s): allowed (spec §6.3 sets no time), but a client that reads the close comes back at once or after its first backoff delay (§6.4); one that notices only by its own inactivity limit leaves the conversation dead meanwhile (F14).`,
      window: { fromMs: close.t, toMs: next.t },
    };
  }
  return null;
}

/**
 * sut-contract §4: `reconnects` is "the connections the client opened after the first one". The
 * journal proves only a lower bound, and the check holds the client to nothing more: a connection
 * on which the server received a prospect message was open and talked on by the client, whichever
 * way it counts (every attempt, as the reference does; only upgrades that opened; only sessions
 * that were set up, as the Gemini reference does). Refused upgrades, unconfirmed resumes and
 * attempts that may never reach the mock (a proxy, a refused upgrade, a socket the client gave up
 * before it opened) are left out, so no count a client could defend is flagged. Through a server
 * under test (relay lags known) the journal holds the server's upstream connections, not the
 * client's: nothing to compare.
 */
function underReportedReconnects(input: JudgeInput): string | null {
  const result = resultOf(input.client);
  if (result === null || input.relayLagMs !== undefined) return null;
  const { timeline } = input.analysis;
  const known = new Set(timeline.conversations);
  const talkedOn = timeline.segments.filter((seg) => known.has(seg.conversationId) && seg.prospectTurns.length > 0);
  const atLeast = talkedOn.length - 1;
  if (result.reconnects >= atLeast) return null;
  return `The client reported ${s(result.reconnects, 'reconnect')}, but the server received prospect messages on ${s(talkedOn.length, 'connection')} (${talkedOn.map((seg) => seg.ordinal).join(', ')}): it opened at least ${atLeast} after the first (sut-contract §4: the connections the client opened after the first one).`;
}

/** Fault actions that send the client a frame it must tolerate (spec §2, §3): not a reason to leave. */
const TOLERATED_FRAME_FAULTS: ReadonlySet<string> = new Set(['sendRaw', 'send', 'sendBinary']);

/** Consecutive attempts after a working connection closed, until one carries a full agent turn. */
function outagesOf(timeline: Timeline): Outage[] {
  const outages: Outage[] = [];
  let current: Outage | null = null;
  let lastGood: Segment | null = null;
  timeline.attempts.forEach((attempt, i) => {
    if (i === 0) {
      if (attempt.state === 'opened') lastGood = attempt.segment;
      return;
    }
    // A new HTTP session is a fresh start (a declared fallback), not one more retry of the outage.
    if (current && attempt.state === 'opened' && attempt.segment.conversationId !== current.after.conversationId) current = null;
    if (attempt.state === 'opened' && attempt.segment.ordinal === 1) {
      if (carriedFullTurn(attempt.segment)) lastGood = attempt.segment;
      return;
    }
    if (!current) {
      const after = lastGood ?? (timeline.attempts[0]?.state === 'opened' ? timeline.attempts[0].segment : null);
      if (!after) return;
      current = { after, attempts: [] };
      outages.push(current);
    }
    current.attempts.push(attempt);
    if (attempt.state === 'opened' && carriedFullTurn(attempt.segment)) {
      lastGood = attempt.segment;
      current = null;
    }
  });
  return outages;
}

/**
 * Idle time before each retry of an outage: from the previous attempt's end to the next attempt.
 * An attempt whose connection got session_expiring with no time to act on did not fail: the
 * server announced its end, and coming back at once is the rotation spec §6.2 asks for, not a
 * retry to space out (§6.4).
 * Found by `resume-harness explore`: a resume answered by a notice with no time left, then an
 * immediate rotation, read as a storm.
 */
function idleGaps(outage: Outage): { readonly ms: number; /** When the gap began, protocol ms. */ readonly from: number; /** 1-based number of the attempt the gap came before. */ readonly attempt: number }[] {
  const gaps: { ms: number; from: number; attempt: number }[] = [];
  for (let i = 1; i < outage.attempts.length; i++) {
    const prev = outage.attempts[i - 1]!;
    // Only a notice with next to no time left (under 2 s): with time left the client could have
    // carried on, and leaving again and again at once from connections that carried nothing is
    // the storm F3 describes (goaway-storm.before-resumed).
    if (prev.state === 'opened' && prev.segment.expiring.some((e) => e.timeLeft < 2)) continue;
    // Nor is a rotation the client put off until late in the notice's lead time: it carried on
    // as long as it could, and §6.2 then asks it to leave before timeLeft runs out, at once.
    // (Found by explore: a notice on every resumed connection, an answer swallowed by a silence,
    // the client waits, rotates at its margin before the deadline, and completes.)
    if (prev.state === 'opened' && rotatedLateInNotice(prev.segment)) continue;
    const prevEnd = prev.state === 'opened' ? (prev.segment.close?.t ?? prev.t) : prev.t;
    gaps.push({ ms: Math.max(0, outage.attempts[i]!.t - prevEnd), from: prevEnd, attempt: i + 1 });
  }
  return gaps;
}

/** The client closed the connection itself after more than half of a notice's lead time had gone by. */
function rotatedLateInNotice(seg: Segment): boolean {
  const close = seg.close;
  if (!close || close.by !== 'client') return false;
  return seg.expiring.some((e) => e.timeLeft >= 2 && close.t >= e.t && close.t - e.t >= (e.timeLeft * 1000) / 2);
}

/**
 * Backoff shows as the last gap well above the first. Comparing the ends rather than each
 * neighbour keeps jitter (±20 % by default) and network latency from reading as a fixed delay.
 */
function grows(gaps: readonly number[]): boolean {
  if (gaps.length < 2) return true;
  return gaps[gaps.length - 1]! >= gaps[0]! * 1.2;
}

/**
 * F6's count belongs to the handle accepted then closed. The client's last connection presented
 * handle H, was confirmed and closed by the server before a full turn, and H had been through
 * such a cycle before (two in all: the point where a client may drop it, accept-then-close-
 * repeated); a newer handle reached the client before that close, was never presented, and the
 * client ended failed with fewer than 3 attempts (§6.4's default budget) spent on the outage. A
 * client that drops H after one cycle never gets that far, and one that spent its budget is
 * judged by the budget rules: neither is this.
 */
function gaveUpNewerHandle(input: JudgeInput, outages: readonly Outage[]): string | null {
  if (resultOf(input.client)?.status !== 'failed') return null;
  const { timeline } = input.analysis;
  const last = timeline.attempts.at(-1);
  if (last?.state !== 'opened' || last.handle === null) return null;
  const seg = last.segment;
  if (!seg.close || !acceptedThenCut(seg)) return null;
  const presented = last.handle;
  const cycles = timeline.attempts.filter((a) => a.state === 'opened' && a.handle === presented && acceptedThenCut(a.segment)).length;
  if (cycles < 2) return null;
  const outage = outages.at(-1);
  if (!outage || !outage.attempts.includes(last) || outage.attempts.length >= 3) return null;
  const newest = newestDeliveredHandle(timeline, seg.conversationId, seg.close.t, 0);
  if (!newest || newest.id === presented || (seg.open.handle !== null && newest.seq <= seg.open.handle.seq)) return null;
  if (timeline.attempts.some((a) => a.handle === newest.id)) return null;
  return `Ended failed after handle ${presented} was accepted then closed a second time (connection ${seg.ordinal}, ${closeText(seg)}), holding handle ${newest.id}, delivered at ${secs(newest.issuedAt)} and never presented, after ${s(outage.attempts.length, 'attempt')} of the outage: accept-then-close belongs to the handle presented, and the newer one was another state, never tried (F6; spec §6.3, §6.4).`;
}

/**
 * An accept-then-close cycle as a client can recognise it: a resume confirmed (session:resumed,
 * setupComplete) and then cut by the server or the network before a full agent turn, the
 * conversation not ended. An open closed with no confirmation looks like any outage.
 */
function acceptedThenCut(seg: Segment): boolean {
  return seg.resumedSentAt !== null && seg.close !== null && seg.close.by !== 'client' && !carriedFullTurn(seg) && seg.conversationEndAt === null;
}

/** A close after which a conformant client must come back. */
function needsReconnect(seg: Segment): boolean {
  const close = seg.close;
  if (!close) return false;
  if (seg.conversationEndAt !== null) return false;
  if (close.code === CloseCode.unauthorised) return false;
  return close.by !== 'client';
}

/**
 * The connection answered the conversation's last turn before it closed: the client's only step
 * left was end_conversation, which asks the server for exactly this close (spec §4), and §6.3
 * asks for a reconnect only after a close "the client did not ask for". A client cannot tell its
 * end_conversation lost in flight from the server's conversation_end lost (both read as 1006),
 * so a close in that window is no reason to come back: nothing is left to resume for. Whether
 * the client then reports the conversation completed is the outcome's business (found by
 * explore: a drop right after the last answer, before end_conversation reached the server).
 */
function answeredEveryTurn(seg: Segment, maxTurns: number): boolean {
  return seg.agentTurns.some((turn) => !turn.greeting && turn.turn >= maxTurns);
}

/** Why resume is impossible after `seg` closed, or null if the client had a usable handle. */
function resumeImpossibleReason(timeline: Timeline, seg: Segment): string | null {
  if (seg.close?.code === CloseCode.invalidResumeHandle) {
    const newest = newestDeliveredHandle(timeline, seg.conversationId, seg.close.t, 0);
    if (!newest || newest.id === seg.open.presented) return 'the only handle was rejected';
  }
  if (seg.open.rejection === 'accept-then-close' || seg.open.rejection === 'outage') {
    return null;
  }
  const newest = newestDeliveredHandle(timeline, seg.conversationId, seg.close?.t ?? timeline.end, 0);
  if (!newest) return 'no handle had been issued yet';
  return null;
}

function closeText(seg: Segment): string {
  const c = seg.close;
  if (!c) return 'still open';
  return `${c.code}${c.reason ? ` "${c.reason}"` : ''} by ${c.by}${c.cause ? `, ${c.cause}` : ''}, at ${secs(c.t)}`;
}
