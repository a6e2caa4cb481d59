/**
 * Context: did the conversation's context survive, and if not, did the client say so?
 * Silent loss — the server's model lost answered turns while the client reported
 * `contextLost: false` — is the most serious failure the harness knows (sut-contract §5).
 */
import { clientReportedLoss, resultOf, s, type JudgeInput } from './judge-input.ts';
import { breach } from './judge-rules.ts';
import { ok, type AxisVerdict } from './verdict.ts';

export function judgeContext(input: JudgeInput): AxisVerdict {
  const { facts } = input.analysis;
  const result = resultOf(input.client);
  const lost = facts.lostSlots.length > 0 || facts.newSessionAfterTurns;
  const outcome = input.scenario.expect.outcome;
  const what = facts.newSessionAfterTurns
    ? input.protocol === 'gemini-live'
      ? 'a fresh model session (a setup without a handle) replaced the conversation'
      : 'a new HTTP session replaced the conversation'
    : `the final model state lacks ${s(facts.lostSlots.length, 'answered prospect turn')} (from turn ${facts.lostSlots[0]})`;

  if (!result) {
    return lost
      ? breach('context.silent-loss', `Context lost (${what}) and the client reported nothing: ${describe(input)}.`)
      : breach('context.no-result', `No client result to compare with the server's view: ${describe(input)}.`);
  }
  if (lost) {
    if (!clientReportedLoss(input.client)) return breach('context.silent-loss', `Context lost silently: ${what}, yet the client reported contextLost:false.`);
    if (outcome === 'completes') return breach('context.lost-where-resumable', `Context lost where it should have survived: ${what} (the client did report it).`);
    if (facts.rewrites.length > 0 && !facts.newSessionAfterTurns) {
      return breach('context.talked-on-lost-session', `Context lost and reported, but the client kept talking on a model session that had lost it (connection ${facts.rewrites[0]!.segment.ordinal}); spec §6.7 asks for a new session or a graceful end.`);
    }
    return gaveUpNotReported(input) ?? ok(`Context lost and reported, as expected: ${what}; the client reported ${result.status === 'failed' ? 'status failed' : 'contextLost:true'}.`);
  }
  if (facts.duplicatedHistory.length > 0) {
    const { segment, alreadyHeld } = facts.duplicatedHistory[0]!;
    return breach('context.duplicated', `Context duplicated: on connection ${segment.ordinal} the client replayed ${s(alreadyHeld, 'prospect turn')} as history into a context that already held ${alreadyHeld === 1 ? 'it' : 'them'}, so the model holds ${alreadyHeld === 1 ? 'it' : 'them'} twice (field failure F9).`);
  }
  if (facts.rewrites.length > 0) {
    const { segment, slot } = facts.rewrites[0]!;
    return breach('context.rolled-back', `Context rolled back: on connection ${segment.ordinal} the client sent a new message as turn ${slot}, a turn the agent had already answered with another message: it talked on as if the lost turn had happened.`);
  }
  if (result.contextLost && result.status === 'completed') {
    return breach('context.false-loss-report', `Context survived (${s(facts.finalState.length, 'prospect message')} in the final state), but the client reported contextLost:true.`);
  }
  return gaveUpNotReported(input) ?? ok(`Context survived: the final model state holds all ${s(facts.finalState.length, 'prospect turn')}.`);
}

/**
 * sut-contract §4: `contextLost` is true "if the client knows the conversation's context did not
 * survive: it fell back to a fresh session, or it gave up". A failed run is a give-up unless the
 * server ended the conversation (conversation_end: the context lasted to the server's end, spec §3)
 * or no conversation ever began (no connection opened: there was no context to lose). Only then
 * is `status: failed` with `contextLost: false` inconsistent; NON-STRICT, since the failure itself
 * is reported (spec §6.7: "end cleanly with a failed status").
 */
function gaveUpNotReported(input: JudgeInput): AxisVerdict | null {
  const result = resultOf(input.client);
  if (!result || result.status !== 'failed' || result.contextLost) return null;
  const { segments } = input.analysis.timeline;
  if (segments.length === 0 || segments.some((seg) => seg.conversationEndAt !== null)) return null;
  return breach('context.gave-up-not-reported', `The client gave up (status failed) after ${s(segments.length, 'connection')}, yet reported contextLost:false; sut-contract §4 asks for contextLost:true when the client gives up.`);
}

function describe(input: JudgeInput): string {
  return input.client.state === 'reported' ? 'reported' : `${input.client.state} (${input.client.reason})`;
}
