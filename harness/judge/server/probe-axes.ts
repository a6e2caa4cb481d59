/**
 * The two axes only the harness's own probes can exercise (harness/server/server-probes.ts),
 * since the client under test holds one conversation under one share token.
 *
 * Tenant binding (docs/server-contract.md §2): a handle issued under one share token MUST be
 * refused under another. The probe presents the client's newest handle under the run's second
 * share token.
 *  T1 that handle reaching any Gemini setup during the probe: FAILED (a security failure:
 *     one tenant resumes another's conversation);
 *  T2 `session:resumed` on the probe's connection: FAILED.
 *
 * Isolation (§2, §3): two conversations under one share token, both connected at once.
 *  I1 a resumable handle given to one that Gemini issued on the other's upstream: FAILED
 *     (the next resume joins the wrong conversation);
 *  I2 one's prospect text reaching the other's upstream: FAILED (turns mixed).
 * A probe that could not be carried out says so (INFORMATIONAL, with its reason): no verdict
 * is claimed for what did not happen.
 */
import { fingerprint } from '../../../protocol/redact.ts';
import { failed, informational, ok, type AxisVerdict } from '../verdict.ts';
import { toClient, type ClientConn } from './server-history.ts';
import type { ServerAxesInput } from './server-judge-input.ts';

export function judgeTenantBinding(input: ServerAxesInput): AxisVerdict {
  const probe = input.probes.find((p) => p.probe === 'tenant');
  if (!probe) return informational('The tenant probe did not run in this run.');
  if (!probe.exercised || probe.presented === undefined) return informational(`Not exercised: ${probe.note}`);
  const { history } = input;
  const leaked = history.upstreams.find((u) => u.t >= probe.from && u.t <= probe.to && u.presented === probe.presented);
  if (leaked) return failed(`Handle ${probe.presented}, issued under the run's share token, was presented under another share token and the server passed it to Gemini's setup (upstream connection ${leaked.conn}${leaked.resume === 'resumed' ? ', which Gemini resumed: the other tenant joined the conversation' : ''}) (server-contract.md §2: a handle of another share token MUST be refused).`);
  const confirmed = history.clients.filter((c) => c.party === 'probe:tenant').find((c) => toClient(c).some((f) => f.type === 'session:resumed'));
  if (confirmed) return failed(`Handle ${probe.presented} presented under another share token got session:resumed on connection ${confirmed.wc} (server-contract.md §2: MUST be refused).`);
  return ok(`A handle of the run's share token presented under another was refused: ${probe.note}`);
}

export function judgeIsolation(input: ServerAxesInput): AxisVerdict {
  const probe = input.probes.find((p) => p.probe === 'isolation');
  if (!probe) return informational('The isolation probe did not run in this run.');
  if (!probe.exercised) return informational(`Not exercised: ${probe.note}`);
  const a = partyConn(input.history.clients, 'probe:isolation-a');
  const b = partyConn(input.history.clients, 'probe:isolation-b');
  if (!a || !b) return informational('Not exercised: the two probe conversations were not both connected.');
  if (a.upstreams.length === 0 || b.upstreams.length === 0) return informational('Not exercised: the probe conversations could not be told apart upstream (a server that rewrites prospect texts cannot be judged on isolation).');
  return mixed(a, b) ?? mixed(b, a) ?? ok(`Two conversations at once under one share token: each got only its own handles, and each upstream only its own turns (${probe.note}).`);
}

function partyConn(clients: readonly ClientConn[], party: ClientConn['party']): ClientConn | undefined {
  return clients.find((c) => c.party === party && c.openedAt !== null);
}

function mixed(self: ClientConn, other: ClientConn): AxisVerdict | undefined {
  const own = new Set(self.upstreams.flatMap((u) => u.updates.filter((x) => x.resumable && x.handle !== null).map((x) => x.handle!)));
  const theirs = new Set(other.upstreams.flatMap((u) => u.updates.filter((x) => x.resumable && x.handle !== null).map((x) => x.handle!)));
  for (const frame of toClient(self)) {
    if (frame.type !== 'session_resumption_update' || frame.message?.['resumable'] !== true) continue;
    const handle = String(frame.message['handle'] ?? '');
    if (theirs.has(handle) && !own.has(handle)) return failed(`Two conversations under one share token: connection ${self.wc} was given handle ${handle}, which Gemini issued on the other conversation's upstream (server-contract.md §2; its next resume would join the other conversation).`);
  }
  const otherTexts = new Set(other.frames.filter((f) => f.dir === 'to-server' && f.type === 'prospect_message' && typeof f.message?.['text'] === 'string').map((f) => fingerprint(String(f.message!['text']))));
  for (const upstream of self.upstreams) {
    const foreign = upstream.prospectTurns.find((turn) => otherTexts.has(turn.textId));
    if (foreign) return failed(`Two conversations under one share token: a prospect turn of connection ${other.wc} reached the upstream of connection ${self.wc} (upstream ${upstream.conn}) (turns mixed between conversations).`);
  }
  return undefined;
}
