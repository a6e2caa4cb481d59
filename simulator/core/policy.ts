/** How hard the simulator tries to keep one conversation alive (spec §6), and its defaults. */
export interface ResumePolicy {
  /** Connection attempts per outage (spec §6.4). */
  maxAttempts: number;
  /** Delay before the second attempt of an outage, doubling per further attempt (protocol ms). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Relative spread of each delay (0.2 = ±20 %), drawn from the seeded rng. */
  jitter: number;
  /** A resume attempt without `session:resumed` by then has failed (spec §5.2). */
  resumeConfirmTimeoutMs: number;
  /** While awaiting the agent, this long without any frame means the connection is half-open (spec §6.8). */
  inactivityTimeoutMs: number;
  /** Rotate at the latest this long before the goAway deadline; capped to half of `timeLeft`. */
  expiryMarginMs: number;
  /** A handle whose resumed connections closed before a full agent turn this many times is abandoned. */
  maxAcceptThenClose: number;
  /** When resume is impossible: end failed, or start a second session and report the lost context. */
  fallback: 'fail' | 'new-session';
  /** How long to wait for `conversation_end` after sending `end_conversation`. */
  endTimeoutMs: number;
}

export const DEFAULT_RESUME_POLICY: Readonly<ResumePolicy> = Object.freeze({
  maxAttempts: 3,
  baseDelayMs: 2000,
  maxDelayMs: 30000,
  jitter: 0.2,
  resumeConfirmTimeoutMs: 10000,
  inactivityTimeoutMs: 30000,
  expiryMarginMs: 10000,
  maxAcceptThenClose: 2,
  fallback: 'fail',
  endTimeoutMs: 10000,
});

export const DEFAULT_THINK_TIME_MS: readonly [number, number] = [4000, 9000];

/** Fills in defaults and refuses values that would make the run unbounded or meaningless. */
export function resolvePolicy(overrides: Partial<ResumePolicy> = {}): ResumePolicy {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as Partial<ResumePolicy>;
  const policy: ResumePolicy = { ...DEFAULT_RESUME_POLICY, ...defined };
  const nonNegative: (keyof ResumePolicy)[] = [
    'baseDelayMs',
    'maxDelayMs',
    'resumeConfirmTimeoutMs',
    'inactivityTimeoutMs',
    'expiryMarginMs',
    'endTimeoutMs',
  ];
  for (const key of nonNegative) {
    const value = policy[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new RangeError(`policy.${key} must be a finite number >= 0, got ${String(value)}`);
    }
  }
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new RangeError(`policy.maxAttempts must be an integer >= 1, got ${policy.maxAttempts}`);
  }
  if (!Number.isInteger(policy.maxAcceptThenClose) || policy.maxAcceptThenClose < 1) {
    throw new RangeError(`policy.maxAcceptThenClose must be an integer >= 1, got ${policy.maxAcceptThenClose}`);
  }
  if (!(policy.jitter >= 0 && policy.jitter < 1)) throw new RangeError(`policy.jitter must be in [0, 1), got ${policy.jitter}`);
  if (policy.fallback !== 'fail' && policy.fallback !== 'new-session') {
    throw new RangeError(`policy.fallback must be 'fail' or 'new-session', got ${String(policy.fallback)}`);
  }
  return policy;
}
