/**
 * What the run says of the server under test itself (docs/server-contract.md §1, §2 Secrets),
 * besides the six axes: whether it could be judged at all, whether it stayed up, and whether
 * its output held a secret in full. The server-side axes (handle relay, tenant binding,
 * isolation…) are not judged here yet.
 */
import { fingerprint } from '../../protocol/redact.ts';
import type { ServerRecord } from '../server/server-under-test.ts';
import { s } from './judge-input.ts';
import { failed, ok, overallOf, unknown, type AxisVerdict, type Verdict } from './verdict.ts';

export interface ServerJudgement {
  /** The worst of `lifecycle` and `secrets`. */
  readonly verdict: Verdict;
  /** Ready, stopped when asked: OK. Never ready or exited at once: UNKNOWN (nothing to judge). Crashed mid-run: FAILED. */
  readonly lifecycle: AxisVerdict;
  /** No handle, token or key in full in what it printed (server-contract.md §2). */
  readonly secrets: AxisVerdict;
}

export function judgeServer(record: ServerRecord, secrets: readonly string[]): ServerJudgement {
  const lifecycle = judgeLifecycle(record);
  const leaks = judgeServerSecrets(record, secrets);
  return { verdict: overallOf([lifecycle.verdict, leaks.verdict]), lifecycle, secrets: leaks };
}

function judgeLifecycle(record: ServerRecord): AxisVerdict {
  switch (record.state) {
    case 'ready':
      return ok(`${record.reason}.`);
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
