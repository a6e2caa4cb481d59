/**
 * A client the protocol allows that the judge once FAILED (issue 12): against an
 * accept-then-close server it presents the same handle on each of its bounded attempts
 * (spec §6.4: "Within its budget, a client MAY present the same handle on every attempt"),
 * then stops — ends failed, or falls back to a new session with contextLost:true (§6.7).
 * It is the reference simulator counting accept-then-close cycles against its attempt budget
 * instead of abandoning the handle after two.
 */
import { ProspectSimulator } from '../../simulator/index.ts';
import { simulatorSut } from '../../harness/sut/builtin-sut.ts';
import type { SystemUnderTest } from '../../harness/sut/system-under-test.ts';

export interface BoundedHandleClient {
  /** Connection attempts per outage, each presenting the same handle (spec §6.4 default 3). */
  readonly attempts: number;
  /** When the budget is spent: end failed, or start a new session and report the lost context (§6.7). */
  readonly fallback: 'fail' | 'new-session';
}

export function boundedHandleClient({ attempts, fallback }: BoundedHandleClient): SystemUnderTest {
  return simulatorSut(`same-handle-x${attempts}-${fallback}`, (options) => new ProspectSimulator({
    ...options,
    policy: { ...options.policy, maxAttempts: attempts, maxAcceptThenClose: attempts + 1, fallback },
  }));
}
