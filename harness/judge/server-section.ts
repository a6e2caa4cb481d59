/**
 * What the run says of the server under test (docs/server-contract.md §2, §3), besides the six
 * axes of the conversation as the model saw it: whether it could be judged at all and stayed
 * up (lifecycle), what it did on both of its wires (the axes of judge/server/, folded over one
 * history of the client side and the upstream side), and whether its output held a secret.
 */
import { fingerprint } from '../../protocol/redact.ts';
import type { ServerRecord } from '../server/server-under-test.ts';
import { s } from './judge-input.ts';
import { judgeExpiryRelay } from './server/expiry-relay-axis.ts';
import { judgeHandleRelay } from './server/handle-relay-axis.ts';
import { judgeIsolation, judgeTenantBinding } from './server/probe-axes.ts';
import { judgeResumePassthrough } from './server/resume-passthrough-axis.ts';
import { SERVER_AXES, type ServerAxesInput, type ServerAxis } from './server/server-judge-input.ts';
import { judgeUpstream } from './server/upstream-axis.ts';
import { judgeCloseCodes, judgeFrameTypes } from './server/wire-shape-axes.ts';
import { failed, nonStrict, ok, overallOf, unknown, type AxisVerdict, type Verdict } from './verdict.ts';

export { SERVER_AXES, type ServerAxis } from './server/server-judge-input.ts';

export interface ServerJudgement {
  /** The worst of the server axes. */
  readonly verdict: Verdict;
  /** Ready, stopped when asked: OK; only by SIGKILL: NON-STRICT. Never ready or exited at once: UNKNOWN (nothing to judge). Crashed mid-run: FAILED. */
  readonly lifecycle: AxisVerdict;
  /** No handle, token or key in full in what it printed (server-contract.md §2). */
  readonly secrets: AxisVerdict;
  /** Every server axis, lifecycle and secrets included, in SERVER_AXES order. */
  readonly axes: Readonly<Record<ServerAxis, AxisVerdict>>;
}

/**
 * `wire`: the history of both wires; absent when the server never became ready (then every
 * wire axis is UNKNOWN: nothing was judged, nothing passed).
 */
export function judgeServer(record: ServerRecord, secrets: readonly string[], wire?: ServerAxesInput): ServerJudgement {
  const lifecycle = judgeLifecycle(record);
  const leaks = judgeServerSecrets(record, secrets);
  const notJudged = unknown('Not judged: the server never served the run.');
  const onWire = (judgeAxis: (input: ServerAxesInput) => AxisVerdict): AxisVerdict => (wire ? judgeAxis(wire) : notJudged);
  const axes: Record<ServerAxis, AxisVerdict> = {
    lifecycle,
    'handle-relay': onWire(judgeHandleRelay),
    'expiry-relay': onWire(judgeExpiryRelay),
    'resume-passthrough': onWire(judgeResumePassthrough),
    'tenant-binding': onWire(judgeTenantBinding),
    isolation: onWire(judgeIsolation),
    'close-codes': onWire(judgeCloseCodes),
    'frame-types': onWire(judgeFrameTypes),
    upstream: onWire(judgeUpstream),
    secrets: leaks,
  };
  return { verdict: overallOf(SERVER_AXES.map((axis) => axes[axis].verdict)), lifecycle, secrets: leaks, axes };
}

function judgeLifecycle(record: ServerRecord): AxisVerdict {
  switch (record.state) {
    case 'ready':
      // The contract (server-contract.md §1) stops a server with SIGTERM and kills it after a
      // grace period, and asks no more of it: needing SIGKILL is no failure. But a server that
      // ignores SIGTERM in production is killed under its live conversations, which never get
      // the 1001 that tells a client to resume (ai-voice-protocol.md §7): NON-STRICT.
      return record.stoppedWith === 'SIGKILL'
        ? nonStrict(`${record.reason}: its open conversations would be cut without the 1001 that tells a client to resume (ai-voice-protocol.md §7).`)
        : ok(`${record.reason}.`);
    case 'never-ready':
      return unknown(`The server never became ready, nothing could be judged: ${record.reason}.`);
    case 'exited-early':
      return unknown(`The server exited before it became ready, nothing could be judged: ${record.reason}.`);
    case 'crashed':
      // The harness saw it go: a server that dies under a conversation fails it (the six axes then show what the client was left with).
      return failed(`The server crashed during the run: ${record.reason}.`);
  }
}

export function judgeServerSecrets(record: ServerRecord, secrets: readonly string[]): AxisVerdict {
  const wanted = secrets.filter((x) => x.length >= 8);
  const streams = [['stdout', record.stdout], ['stderr', record.stderr]] as const;
  for (const [stream, lines] of streams) {
    for (let i = 0; i < lines.length; i++) {
      const leaked = wanted.find((secret) => lines[i]!.includes(secret));
      if (leaked) return failed(`The server's ${stream} line ${i + 1} contains a secret in full (${fingerprint(leaked)}); server-contract.md §2: handles, tokens and keys are never printed in full.`);
    }
  }
  const count = record.stdout.length + record.stderr.length;
  return ok(count === 0 ? 'The server printed nothing: no secret could leak.' : `No handle, share token or API key in full in ${s(count, 'line')} of server output.`);
}
