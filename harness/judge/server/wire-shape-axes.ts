/**
 * The shape of what the server put on the client's wire.
 *
 * Close codes (ai-voice-protocol.md §7): every close the server sent carries a code of the
 * table (1000, 1001, 1008, 1011, 4001, 4003): another code is FAILED, since a client can only
 * act on the codes the protocol gives it. The table's situations are checked where the run
 * shows them and graded NON-STRICT, since the client reconnects either way: a close other
 * than 1000 when the upstream ended after its goAway (§7: the reference closes with 1000 at
 * expiry). A dropped TCP connection (no close frame) is INFORMATIONAL: §7 lists 1006.
 *
 * Frame types (ai-voice-protocol.md §2, server-contract.md §2): JSON messages go in text
 * frames, binary frames carry audio only. A JSON message in a binary frame is FAILED (a
 * client reading text frames never sees it: field failure F23, relays that change the frame type); a text
 * frame that is not a JSON object is FAILED.
 */
import { failed, informational, nonStrict, ok, type AxisVerdict } from '../verdict.ts';
import { s } from '../judge-input.ts';
import { toClient } from './server-history.ts';
import type { ServerAxesInput } from './server-judge-input.ts';

/** ai-voice-protocol.md §7, the codes a server sends. */
export const SERVER_CLOSE_CODES: ReadonlySet<number> = new Set([1000, 1001, 1008, 1011, 4001, 4003]);

export function judgeCloseCodes(input: ServerAxesInput): AxisVerdict {
  let closes = 0;
  let drops = 0;
  let odd: string | undefined;
  for (const client of input.history.clients) {
    const close = client.close;
    if (close === null) continue;
    if (close.by === 'network') {
      drops++;
      continue;
    }
    if (close.by !== 'server') continue;
    closes++;
    if (!SERVER_CLOSE_CODES.has(close.code)) return failed(`The server closed connection ${client.wc} with ${close.code} ${JSON.stringify(close.reason)} at ${at(close.t)}: not a code of ai-voice-protocol.md §7, so the client cannot know whether to reconnect.`);
    const expired = client.upstreams.some((u) => u.goAways.length > 0 && u.close !== null && u.close.t <= close.t);
    if (expired && close.code !== 1000 && odd === undefined) odd = `The server closed connection ${client.wc} with ${close.code} after its upstream ended at expiry (ai-voice-protocol.md §7: 1000 at expiry); the client reconnects either way.`;
  }
  if (odd) return nonStrict(odd);
  if (closes === 0 && drops === 0) return informational('The server closed no client connection in this run: nothing to judge on close codes.');
  if (closes === 0) return informational(`The server closed no connection with a close frame; ${s(drops, 'connection')} ended without one (1006).`);
  return ok(`${s(closes, 'close')} by the server, each with a code of ai-voice-protocol.md §7${drops > 0 ? `; ${s(drops, 'connection')} dropped without a close frame` : ''}.`);
}

export function judgeFrameTypes(input: ServerAxesInput): AxisVerdict {
  let text = 0;
  let audio = 0;
  for (const client of input.history.clients) {
    for (const frame of toClient(client)) {
      if (frame.binary && frame.json) return failed(`Connection ${client.wc} got a JSON message${frame.type ? ` (${frame.type})` : ''} in a binary frame at ${at(frame.t)} (ai-voice-protocol.md §2: JSON goes in text frames, binary frames carry audio only).`);
      if (!frame.binary && !frame.json) return failed(`Connection ${client.wc} got a text frame that is not a JSON object at ${at(frame.t)} (ai-voice-protocol.md §2).`);
      if (frame.binary) audio++;
      else text++;
    }
  }
  if (text + audio === 0) return informational('The server sent no frame in this run.');
  return ok(`${s(text, 'JSON message')} in text frames${audio > 0 ? `, ${s(audio, 'audio frame')} in binary ones` : ''}.`);
}

const at = (t: number): string => `${(t / 1000).toFixed(1)} s`;
