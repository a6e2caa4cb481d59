/**
 * What the server does upstream (docs/server-contract.md §2), read from the Gemini face's
 * journal: one upstream per client connection, opened with the agent's model and
 * `sessionResumption`; on a fresh session the agent's system instruction and exactly one
 * kick-off turn (the face counts it as the greeting request); on a resume neither; and no
 * upstream left open once its client has gone.
 *
 *  U1 a setup without the agent's model or without sessionResumption: FAILED (the model
 *     cannot change on resume, F6; without sessionResumption no handle ever comes);
 *  U2 a fresh setup without the agent's system instruction: FAILED (the agent forgets who it is);
 *  U3 a resume's setup that carries the system instruction again: NON-STRICT (Gemini allows
 *     configuration changes on resume except the model; the seed's server does not send it);
 *  U4 a prospect turn reaching Gemini before its client sent that many prospect messages on the
 *     connection: FAILED (a turn the prospect never said: a kick-off on resume makes the model
 *     greet again mid-conversation). Causality, not timing: a relay cannot precede its source;
 *  U5 an upstream still open a reaction window after its client connection ended: FAILED (an
 *     orphan upstream: Gemini keeps a session, and its quota, for no one). An upstream the
 *     scenario faulted (black-holed, throttled) is exempt: its close completes when the mock
 *     lets it, whatever the server did.
 */
import { failed, informational, nonStrict, ok, type AxisVerdict } from '../verdict.ts';
import { s } from '../judge-input.ts';
import type { ClientConn, UpstreamConn } from './server-history.ts';
import type { ServerAxesInput } from './server-judge-input.ts';

export function judgeUpstream(input: ServerAxesInput): AxisVerdict {
  const { history, agent, reactionMs } = input;
  let resent: string | undefined;
  for (const upstream of history.upstreams) {
    const setup = upstream.setup;
    if (setup === null) continue;
    const label = upstream.cause ? `connection ${upstream.cause.wc}'s upstream ${upstream.conn}` : `upstream ${upstream.conn}`;
    if (setup.model !== undefined && stripModels(setup.model) !== stripModels(agent.model)) return failed(`The setup of ${label} asks for model ${setup.model}; the agent's is ${agent.model} (server-contract.md §2: opened with the agent's model).`);
    if (!setup.sessionResumption) return failed(`The setup of ${label} does not enable sessionResumption (server-contract.md §2): Gemini never issues a handle on it.`);
    if (upstream.presented === null && setup.systemInstruction !== agent.systemInstruction) return failed(`The fresh setup of ${label} ${setup.systemInstruction === undefined ? 'has no' : 'has another'} system instruction; the agent's is expected (server-contract.md §2: on a fresh session the setup carries it).`);
    if (upstream.presented !== null && setup.systemInstruction !== undefined && resent === undefined) resent = `The resume setup of ${label} sends the system instruction again (allowed by Gemini, which keeps it; the seed's server does not: server-contract.md §2).`;
  }
  for (const client of history.clients) {
    const invented = inventedTurn(client);
    if (invented) return failed(invented);
    const orphan = orphanOf(client, reactionMs, history.endedAt);
    if (orphan) return failed(orphan);
  }
  if (resent) return nonStrict(resent);
  if (history.upstreams.length === 0) return informational('The server opened no upstream connection in this run.');
  return ok(`${s(history.upstreams.length, 'upstream connection')}, each set up with the agent's model and sessionResumption, the system instruction on fresh sessions only; no turn the client did not send, no orphan upstream.`);
}

/** `models/x` and `x` name the same model. */
const stripModels = (model: string): string => model.replace(/^models\//, '');

function inventedTurn(client: ClientConn): string | undefined {
  const sent = client.frames.filter((f) => f.dir === 'to-server' && f.type === 'prospect_message').map((f) => f.t);
  const turns = client.upstreams.flatMap((u) => u.prospectTurns.map((turn) => ({ ...turn, conn: u.conn, resumed: u.presented !== null }))).sort((x, y) => x.t - y.t);
  for (let i = 0; i < turns.length; i++) {
    const turn = turns[i]!;
    const before = sent.filter((t) => t <= turn.t).length;
    if (before < i + 1) {
      const why = turn.resumed ? ' (a kick-off on a resume: the model greets again mid-conversation)' : '';
      return `Gemini got prospect turn ${i + 1} on upstream ${turn.conn} at ${at(turn.t)} while connection ${client.wc}'s client had sent ${s(before, 'prospect message')}: the server made up a turn${why} (server-contract.md §2: on a resume the server sends no kick-off turn).`;
    }
  }
  return undefined;
}

function orphanOf(client: ClientConn, reactionMs: number, endedAt: number): string | undefined {
  if (client.close === null) return undefined;
  const gone = client.close.t;
  if (endedAt < gone + reactionMs) return undefined;
  // A faulted upstream (a black hole, a toxic) may hold the server's close for as long as the script says: not the server's doing.
  const left = client.upstreams.find((u: UpstreamConn) => !u.faulted && u.t <= gone && (u.close === null || u.close.t > gone + reactionMs));
  if (!left) return undefined;
  const until = left.close ? `until ${at(left.close.t)}` : 'until the end of the run';
  return `Connection ${client.wc}'s client left at ${at(gone)}; its upstream ${left.conn} stayed open ${until} (server-contract.md §2: when the client connection ends, the server closes its upstream).`;
}

const at = (t: number): string => `${(t / 1000).toFixed(1)} s`;
