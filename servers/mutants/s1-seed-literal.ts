/**
 * The seed plan's server taken literally. Three of its lines, each a bug on its own; the axis
 * that must catch it is the worst of them: a resume confirmed before Gemini accepted the handle.
 *
 * - `await ai.live.connect(...)`, then `session:resumed`: the connect() the plan was written
 *   against (@google/genai before 2.11, gemini-live.md §1.8) resolves as soon as the socket has
 *   opened and the setup is sent, before Gemini answers it. So a handle Gemini then rejects was
 *   already confirmed; after the rejection the server opens a fresh session (the reference's
 *   fallback) and the client believes its context survived. Here: `session:resumed` on the
 *   upstream's `opened` event (the SDK's onopen).
 * - `timeLeft: 60` in session_expiring, whatever goAway said.
 * - `if (msg.sessionResumptionUpdate?.newHandle) send({ handle, resumable: true })`: every update
 *   with a handle is passed on as resumable, `resumable: false` included.
 */
import { REFERENCE_BEHAVIOUR } from '../reference/behaviour.ts';
import { serverMutant } from './server-mutant.ts';

export const S1_SEED_LITERAL = serverMutant(
  {
    id: 's1-seed-literal',
    title: 'the seed plan\'s server',
    axis: 'resume-passthrough',
    bug: 'sends session:resumed when the upstream socket opens (before Gemini answered the setup) and falls back to a fresh session when Gemini then rejects the handle; also timeLeft 60 always and every handle relayed as resumable',
    standsFor: 'server-contract.md §2, "session:resumed only after setupComplete" (also goAway timeLeft, resumable:false); F8 (context lost after a "successful" resume); gemini-live.md §1.8 (what connect() waits for)',
  },
  {
    confirmsResumeAt: () => 'upstream-open',
    expiringTimeLeft: () => 60,
    relayedHandle: (update, view) =>
      typeof update.newHandle === 'string' && update.newHandle.length > 0 ? { handle: update.newHandle, resumable: true } : REFERENCE_BEHAVIOUR.relayedHandle(update, view),
  },
);
