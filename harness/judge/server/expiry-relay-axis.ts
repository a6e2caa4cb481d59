/**
 * Expiry relay (docs/server-contract.md §2): Gemini's goAway becomes `session_expiring` with
 * the goAway's `timeLeft`, and when the upstream ends the client's connection is closed, never
 * left open and silent.
 *
 *  E1 each goAway the server received reaches its client as `session_expiring` while the client
 *     stays connected a reaction window after it: FAILED otherwise (the client learns of the
 *     end only when it comes: field failure F1, the turn in flight is lost);
 *  E2 its `timeLeft` is the goAway's, to the second: FAILED otherwise (a client that plans its
 *     rotation on a made-up 60 s overstays a shorter notice, or leaves a longer one early);
 *  E3 when an upstream that Gemini had accepted ends, the client is closed by the server within
 *     a reaction window, or given another upstream: FAILED when it was left open and silent
 *     (the client waits for an answer that never comes).
 *     A resume Gemini rejected before setupComplete is exempt: the server may open a fresh
 *     session behind the same client connection (ai-voice-protocol.md §5.2).
 */
import { failed, informational, ok, type AxisVerdict } from '../verdict.ts';
import { s } from '../judge-input.ts';
import { openAt, toClient, type ClientConn } from './server-history.ts';
import type { ServerAxesInput } from './server-judge-input.ts';

export function judgeExpiryRelay(input: ServerAxesInput): AxisVerdict {
  const { history, reactionMs } = input;
  let notices = 0;
  let ends = 0;
  for (const client of history.clients) {
    const expiring = toClient(client).filter((f) => f.type === 'session_expiring');
    let used = 0;
    for (const upstream of client.upstreams) {
      for (const goAway of upstream.goAways) {
        const notice = expiring.slice(used).find((f) => f.t >= goAway.t);
        if (!notice) {
          if (openAt(client, goAway.t + reactionMs)) return failed(`Gemini sent goAway (timeLeft ${goAway.timeLeft} s) at ${at(goAway.t)} on connection ${client.wc}'s upstream; the client, connected ${stayed(client)}, never got session_expiring (server-contract.md §2).`);
          continue;
        }
        used = expiring.indexOf(notice) + 1;
        notices++;
        const timeLeft = Number(notice.message?.['timeLeft']);
        if (!Number.isFinite(goAway.timeLeft)) continue;
        if (!Number.isFinite(timeLeft) || Math.abs(timeLeft - goAway.timeLeft) > 1) return failed(`Connection ${client.wc} got session_expiring with timeLeft ${String(notice.message?.['timeLeft'])} at ${at(notice.t)}; Gemini's goAway said ${goAway.timeLeft} s (server-contract.md §2: timeLeft taken from the goAway).`);
      }
    }
    const silent = leftOpen(client, reactionMs, history.endedAt);
    if (silent) return failed(silent);
    ends += client.upstreams.filter((u) => u.close !== null && u.setupCompleteAt !== null).length;
  }
  if (notices === 0 && ends === 0) return informational('No goAway and no upstream end reached a connected client in this run: nothing to judge on expiry relay.');
  return ok(`${s(notices, 'goAway')} relayed as session_expiring with Gemini's timeLeft; every client whose upstream ended was closed${ends > 0 ? ` (${s(ends, 'upstream end')})` : ''}.`);
}

/** E3: an accepted upstream ended, and its client stayed open past the reaction window with no other upstream. */
function leftOpen(client: ClientConn, reactionMs: number, endedAt: number): string | undefined {
  for (const upstream of client.upstreams) {
    if (upstream.close === null || upstream.setupCompleteAt === null) continue;
    const ended = upstream.close.t;
    if (client.close !== null && client.close.t <= ended + reactionMs) continue;
    if (client.close === null && endedAt <= ended + reactionMs) continue;
    const replaced = client.upstreams.some((other) => other !== upstream && other.t >= ended);
    if (replaced) continue;
    if (!openAt(client, ended)) continue;
    const until = client.close ? `until the client itself closed it at ${at(client.close.t)}` : 'until the end of the run';
    return `Connection ${client.wc}'s upstream ended at ${at(ended)} (Gemini closed ${upstream.close.code}); the server left the client open and silent ${until} (server-contract.md §2: the client connection is closed when the upstream ends).`;
  }
  return undefined;
}

const stayed = (client: ClientConn): string => (client.close ? `until ${at(client.close.t)}` : 'until the end of the run');
const at = (t: number): string => `${(t / 1000).toFixed(1)} s`;
