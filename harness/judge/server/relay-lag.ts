/**
 * What a server under test adds to the client's deadline. The six client axes read the Gemini
 * face's journal, where an expiry runs from Gemini's goAway to the upstream's close; but the
 * client saw the notice only when the server relayed it, and the upstream closed only when the
 * server passed the client's close on. Judged on the face's clock alone, a client that left
 * before its own deadline (timeLeft counted from the notice it got, ai-voice-protocol.md §6.2)
 * looks late by the two relays: a false alarm of the harness, not a bug of the client. The
 * server's own promptness is the expiry-relay axis's business (docs/server-contract.md §3).
 *
 * Measured per run, per upstream connection, from the recording proxy's wire and the face's
 * journal (one clock): never a blanket tolerance, so a client that truly overstays is caught.
 */
import type { ServerHistory } from './server-history.ts';

/** Protocol ms the server's two relays added to the deadline of each upstream connection (journal conn) with a goAway. */
export function relayLagOf(history: ServerHistory): ReadonlyMap<number, number> {
  const lag = new Map<number, number>();
  for (const upstream of history.upstreams) {
    const goAway = upstream.goAways[0];
    const client = upstream.cause;
    if (!goAway || !client) continue;
    const notice = client.frames.find((f) => f.dir === 'to-client' && f.type === 'session_expiring' && f.t >= goAway.t);
    const noticeLag = notice ? notice.t - goAway.t : 0;
    // The client's close reached the upstream through the server: the upstream's close came after it.
    const closeLag = client.close && client.close.by === 'client' && upstream.close && upstream.close.t >= client.close.t ? upstream.close.t - client.close.t : 0;
    if (noticeLag + closeLag > 0) lag.set(upstream.conn, noticeLag + closeLag);
  }
  return lag;
}
