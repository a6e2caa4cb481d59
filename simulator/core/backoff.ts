/**
 * Delay before a reconnect attempt (spec §6.4). Growing delays keep a struggling server from being
 * hammered; jitter keeps many clients that lost the same server from returning in lockstep.
 */
import type { Rng } from '../../protocol/rng.ts';

export interface BackoffPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  jitter: number;
}

/** The delay without jitter: 0 for the first attempt of an outage, then base, 2·base, 4·base… capped. */
export function nominalBackoffMs(attempt: number, policy: BackoffPolicy): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be an integer >= 1, got ${attempt}`);
  if (attempt === 1) return 0;
  // 2 ** n overflows to Infinity for huge n, which Math.min turns back into the cap.
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 2));
}

/**
 * The nominal delay spread by ±jitter, drawn from `rng`, then kept within [0, maxDelayMs]:
 * the maximum is a promise to the operator, so jitter never pushes past it.
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, rng: Rng): number {
  const nominal = nominalBackoffMs(attempt, policy);
  if (nominal === 0) return 0;
  const factor = 1 + policy.jitter * (2 * rng.next() - 1);
  return Math.round(Math.min(policy.maxDelayMs, Math.max(0, nominal * factor)));
}
