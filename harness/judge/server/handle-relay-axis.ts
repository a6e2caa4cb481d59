/**
 * Handle relay (docs/server-contract.md §2): every `sessionResumptionUpdate` Gemini sent with
 * `resumable: true` reaches the client as `session_resumption_update` with that handle; one
 * with `resumable: false` reaches it, if at all, only as `resumable: false` with an empty
 * handle; on goAway the newest handle goes out again right before `session_expiring`.
 *
 * Rules, each with the clause it stands for:
 *  R1 a resumable handle the client is given was issued by Gemini on that client's upstream
 *     (a made-up, empty or foreign handle is FAILED: the client would resume nothing, or
 *     another conversation: field failure F5, stale handle);
 *  R2 a handle is given again as resumable after Gemini said `resumable: false` (F11), other than
 *     the goAway re-send: FAILED (§2, "never as a resumable one");
 *  R3 a resumable handle Gemini sent is relayed while the client stays connected a reaction
 *     window after it: FAILED otherwise (the client would resume an older state: lost turns);
 *  R4 the message right before each `session_expiring` is the newest handle of that
 *     connection, when it has one, and that handle does not come again right after the notice
 *     (unless Gemini sent it again after its goAway): FAILED otherwise (a client that rotates
 *     on the notice would take an older handle, or none: field failure F1).
 */
import { failed, informational, ok, type AxisVerdict } from '../verdict.ts';
import { s } from '../judge-input.ts';
import { openAt, toClient, type ClientConn, type UpstreamConn } from './server-history.ts';
import type { ServerAxesInput } from './server-judge-input.ts';

export function judgeHandleRelay(input: ServerAxesInput): AxisVerdict {
  const { history, reactionMs } = input;
  let relayed = 0;
  let notices = 0;
  for (const client of history.clients) {
    if (client.party !== 'client') continue;
    const issued = issuedOn(client.upstreams);
    const frames = toClient(client).filter((f) => f.json);
    const goAways = client.upstreams.flatMap((u) => u.goAways).sort((x, y) => x.seq - y.seq);
    for (let i = 0; i < frames.length; i++) {
      const frame = frames[i]!;
      if (frame.type === 'session_resumption_update' && frame.message?.['resumable'] === true) {
        const handle = String(frame.message['handle'] ?? '');
        const origin = issued.get(handle);
        if (!origin || origin.t > frame.t) return failed(`Connection ${client.wc} was given handle ${handle || '(empty)'} as resumable at ${at(frame.t)}, a handle Gemini never issued on its upstream (server-contract.md §2: only Gemini's resumable handles are passed on).`);
        const reSendBeforeNotice = frames[i + 1]?.type === 'session_expiring';
        if (!reSendBeforeNotice) {
          // Gemini may send one handle more than once; only a relay beyond what it sent is the server's own re-send.
          const sends = sendsOf(client.upstreams, handle, frame.t);
          const relays = frames.slice(0, i + 1).filter((f) => f.type === 'session_resumption_update' && f.message?.['handle'] === handle && frames[frames.indexOf(f) + 1]?.type !== 'session_expiring').length;
          const refused = relays > sends.length ? refusalBetween(client.upstreams, sends.at(-1) ?? origin.t, frame.t) : undefined;
          if (refused !== undefined) return failed(`Connection ${client.wc} was given handle ${handle} again as resumable at ${at(frame.t)}, after Gemini said resumable: false at ${at(refused)} and without Gemini sending it again (server-contract.md §2: a resumable:false update is passed on only as resumable: false with an empty handle).`);
          relayed += relays === 1 ? 1 : 0;
        }
      }
      if (frame.type === 'session_expiring') {
        // The k-th notice answers the k-th goAway (a server relays each once, in order); the newest handle is
        // the newest Gemini sent before that goAway — a handle of a turn Gemini finished after it came later.
        const goAway = goAways[notices];
        notices++;
        if (goAway === undefined) continue;
        const newest = newestBefore(client.upstreams, goAway.seq);
        if (newest === undefined) continue;
        const before = frames[i - 1];
        if (before?.type !== 'session_resumption_update' || before.message?.['resumable'] !== true || before.t < goAway.t) return failed(`Connection ${client.wc} got session_expiring at ${at(frame.t)} without the newest handle ${newest} right before it (server-contract.md §2: on goAway the newest handle, then session_expiring; a client rotating on the notice takes an older handle).`);
        // s3's order, inverted: the newest handle again right after the notice, when Gemini did not send it after its goAway.
        const after = frames[i + 1];
        if (after?.type === 'session_resumption_update' && after.message?.['resumable'] === true && after.message['handle'] === newest && !sentAfter(client.upstreams, newest, goAway.seq)) return failed(`Connection ${client.wc} got the newest handle ${newest} again right after session_expiring at ${at(frame.t)}, not before it (server-contract.md §2: on goAway the newest handle, then session_expiring: a client that rotates on the notice has not got it yet).`);
        if (before.message['handle'] !== newest) return failed(`Connection ${client.wc} got session_expiring at ${at(frame.t)} after handle ${String(before.message['handle'])}, not the newest one Gemini had issued before its goAway, ${newest} (server-contract.md §2).`);
      }
    }
    const missing = unrelayed(client, frames.map((f) => f.message?.['handle']), reactionMs);
    if (missing) return failed(`Gemini sent handle ${missing.handle} as resumable at ${at(missing.t)} on connection ${client.wc}'s upstream, and the client, connected ${missing.stayed}, never got it (server-contract.md §2: every resumable handle is passed on; the client would resume an older state).`);
  }
  if (relayed === 0) return informational('No resumable handle was relayed in this run: nothing to judge on handle relay.');
  return ok(`${s(relayed, 'handle')} relayed as Gemini issued them${notices > 0 ? `, the newest right before each of ${s(notices, 'expiry notice')}` : ''}; none resumable that Gemini had not made so.`);
}

/** Every resumable handle Gemini sent on these upstreams, with when. */
function issuedOn(upstreams: readonly UpstreamConn[]): Map<string, { t: number }> {
  const issued = new Map<string, { t: number }>();
  for (const upstream of upstreams) for (const update of upstream.updates) if (update.resumable && update.handle !== null && !issued.has(update.handle)) issued.set(update.handle, { t: update.t });
  return issued;
}

/** When Gemini sent `handle` as resumable on these upstreams, up to `t`. */
function sendsOf(upstreams: readonly UpstreamConn[], handle: string, t: number): number[] {
  return upstreams.flatMap((u) => u.updates.filter((x) => x.resumable && x.handle === handle && x.t <= t).map((x) => x.t)).sort((x, y) => x - y);
}

function refusalBetween(upstreams: readonly UpstreamConn[], from: number, to: number): number | undefined {
  for (const upstream of upstreams) for (const update of upstream.updates) if (!update.resumable && update.t > from && update.t <= to) return update.t;
  return undefined;
}

/** The newest resumable handle Gemini sent on these upstreams before the journal entry `seq`. */
function newestBefore(upstreams: readonly UpstreamConn[], seq: number): string | undefined {
  let newest: { seq: number; handle: string } | undefined;
  for (const upstream of upstreams) for (const update of upstream.updates) if (update.resumable && update.handle !== null && update.seq < seq && (!newest || update.seq > newest.seq)) newest = { seq: update.seq, handle: update.handle };
  return newest?.handle;
}

/** Whether Gemini sent `handle` as resumable after the journal entry `seq`. */
function sentAfter(upstreams: readonly UpstreamConn[], handle: string, seq: number): boolean {
  return upstreams.some((u) => u.updates.some((x) => x.resumable && x.handle === handle && x.seq > seq));
}

/** A resumable handle the client never got although it stayed connected a reaction window after Gemini sent it. */
function unrelayed(client: ClientConn, given: readonly unknown[], reactionMs: number): { handle: string; t: number; stayed: string } | undefined {
  const got = new Set(given.filter((h): h is string => typeof h === 'string'));
  for (const upstream of client.upstreams) {
    for (const update of upstream.updates) {
      if (!update.resumable || update.handle === null || got.has(update.handle)) continue;
      if (!openAt(client, update.t + reactionMs)) continue;
      const stayed = client.close ? `until ${at(client.close.t)}` : 'until the end of the run';
      return { handle: update.handle, t: update.t, stayed };
    }
  }
  return undefined;
}

const at = (t: number): string => `${(t / 1000).toFixed(1)} s`;
