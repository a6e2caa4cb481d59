/**
 * Resume passthrough (docs/server-contract.md §2): a handle the server accepts reaches
 * Gemini's setup unchanged, and `session:resumed` is sent only once Gemini has accepted it
 * (`setupComplete` on that connection). A fresh upstream session confirmed to the client as
 * resumed is the most serious server failure the harness knows (field failure F8): the client believes its
 * context survived, and the model has forgotten everything (silent context loss).
 *
 *  P1 the first upstream of a connection that presented a handle presents either that handle,
 *     unchanged, or none (the server refused it): another handle is FAILED;
 *  P2 `session:resumed` on a connection none of whose upstreams presented a handle and got
 *     setupComplete: FAILED (silent context loss; a handle Gemini rejected was confirmed);
 *  P3 `session:resumed` that reached the client before Gemini sent setupComplete on the
 *     resuming upstream: FAILED (confirmed before Gemini accepted). Both are stamped by one
 *     clock and the server cannot answer before it hears, so a conformant server never trips it;
 *  P4 `session:resumed` on a connection that presented no handle: FAILED.
 */
import { failed, informational, ok, type AxisVerdict } from '../verdict.ts';
import { s } from '../judge-input.ts';
import { toClient } from './server-history.ts';
import type { ServerAxesInput } from './server-judge-input.ts';

export function judgeResumePassthrough(input: ServerAxesInput): AxisVerdict {
  let passed = 0;
  let refused = 0;
  let confirmed = 0;
  for (const client of input.history.clients) {
    const resumed = toClient(client).filter((f) => f.type === 'session:resumed');
    if (client.resumeHandle === null) {
      if (resumed.length > 0) return failed(`Connection ${client.wc} presented no handle and got session:resumed at ${at(resumed[0]!.t)} (ai-voice-protocol.md §2: session:resumed confirms a restored handle).`);
      continue;
    }
    const first = client.upstreams[0];
    if (first !== undefined && first.presented !== null && first.presented !== client.resumeHandle) return failed(`Connection ${client.wc} presented handle ${client.resumeHandle}; the server set Gemini up with ${first.presented} (server-contract.md §2: an accepted handle is passed to Gemini's setup unchanged).`);
    if (first?.presented === client.resumeHandle) passed++;
    else refused++;
    for (const confirmation of resumed) {
      // Gemini accepted a resume when it answered a setup that presented the handle with setupComplete (§2); an
      // accept-then-close (F6) counts as accepted: the server cannot know what comes next.
      const presentedHandle = client.upstreams.filter((u) => u.presented !== null && u.t <= confirmation.t);
      const accepted = presentedHandle.find((u) => u.setupCompleteAt !== null && u.setupCompleteAt <= confirmation.t);
      if (!accepted) {
        if (presentedHandle.some((u) => u.setupCompleteAt !== null)) return failed(`Connection ${client.wc} got session:resumed at ${at(confirmation.t)}, before Gemini sent setupComplete for the resume (server-contract.md §2: session:resumed only after Gemini's setupComplete on that connection).`);
        const what = client.upstreams.length === 0 ? 'no upstream at all' : client.upstreams.map((u) => (u.presented !== null ? `an upstream whose resume Gemini rejected (connection ${u.conn})` : `a fresh upstream session (connection ${u.conn})`)).join(' and ');
        return failed(`Silent context loss made by the server: connection ${client.wc} got session:resumed at ${at(confirmation.t)} while Gemini had resumed nothing for it (${what}) (server-contract.md §2: session:resumed only once Gemini accepted the handle).`);
      }
      confirmed++;
    }
  }
  if (passed === 0 && refused === 0) return informational('No client presented a handle in this run: nothing to judge on resume passthrough.');
  return ok(`${s(passed, 'handle')} passed to Gemini unchanged, ${s(refused, 'handle')} refused by the server; ${s(confirmed, 'session:resumed')}, each after Gemini's setupComplete on a resumed upstream.`);
}

const at = (t: number): string => `${(t / 1000).toFixed(1)} s`;
