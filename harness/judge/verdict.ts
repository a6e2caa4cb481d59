/**
 * Graded verdicts, Autobahn style, merged by a priority rule (Jepsen's `merge-valid`,
 * with UNKNOWN between pass and fail: a harness error is never a pass).
 */
export const VERDICTS = ['OK', 'NON-STRICT', 'INFORMATIONAL', 'FAILED', 'UNKNOWN'] as const;
export type Verdict = (typeof VERDICTS)[number];

export const AXES = ['context', 'turns', 'reconnect', 'expiry', 'protocol', 'secrets'] as const;
export type Axis = (typeof AXES)[number];

export interface AxisVerdict {
  readonly verdict: Verdict;
  /** One sentence a person can act on. */
  readonly reason: string;
}

export type AxisVerdicts = Record<Axis, AxisVerdict>;

/**
 * Overall = the worst axis by: FAILED > UNKNOWN > NON-STRICT > OK. INFORMATIONAL axes say
 * nothing about conformance and do not count, unless every axis is INFORMATIONAL.
 */
const PRIORITY: Record<Verdict, number> = { INFORMATIONAL: 0, OK: 1, 'NON-STRICT': 2, UNKNOWN: 3, FAILED: 4 };

export function overallOf(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.length === 0) return 'UNKNOWN';
  return verdicts.reduce((worst, v) => (PRIORITY[v] > PRIORITY[worst] ? v : worst), 'INFORMATIONAL' as Verdict);
}

/** Whether a scenario passes the gate: NON-STRICT passes unless --strict. */
export function passes(overall: Verdict, strict: boolean): boolean {
  if (overall === 'OK' || overall === 'INFORMATIONAL') return true;
  return overall === 'NON-STRICT' && !strict;
}

export const ok = (reason: string): AxisVerdict => ({ verdict: 'OK', reason });
export const failed = (reason: string): AxisVerdict => ({ verdict: 'FAILED', reason });
export const nonStrict = (reason: string): AxisVerdict => ({ verdict: 'NON-STRICT', reason });
export const informational = (reason: string): AxisVerdict => ({ verdict: 'INFORMATIONAL', reason });
export const unknown = (reason: string): AxisVerdict => ({ verdict: 'UNKNOWN', reason });
