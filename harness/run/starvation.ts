/**
 * A starved harness is no failure (issue 12). In network mode a FAILED or NON-STRICT verdict that
 * rests on timing finer than the run's own scheduling lag (scheduling-lag.ts), counted in protocol
 * time, is not evidence (a NON-STRICT is a finding too: a late timer that stretched one retry gap
 * made a growing back-off look fixed, `flapping` under load): it becomes UNKNOWN with the measured lag and a time scale that would have
 * been safe, and run-scenario.ts runs the scenario once more at that scale.
 *
 * The lag counted against a verdict is the worst inside its evidence window (the rule says when
 * its timing was measured: judge-rules.ts `evidenceOf`), widened by the rule's tolerance on each
 * side; a rule that does not locate its evidence (a client's own timeout may start anywhere)
 * counts the run's worst. Each timing-sensitive rule names what it tolerates:
 */
import { evidenceOf, ruleOfVerdict, type RuleId } from '../judge/judge-rules.ts';
import type { Judgement } from '../judge/judge.ts';
import { AXES, overallOf, unknown, type Axis, type AxisVerdict } from '../judge/verdict.ts';
import type { Scenario } from '../scenario/schema.ts';
import { lagWithin, safeScale, worstLagMs, type LagReport, type LagTimeline } from './scheduling-lag.ts';

/** Protocol ms of timing error each rule's evidence tolerates. */
export function toleranceMs(rule: RuleId, scenario: Scenario): number | null {
  switch (rule) {
    // The deadline judgements: a notice with less than 2 s left is not judged at all (expiry-axis.ts).
    case 'expiry.waited-for-server':
    case 'expiry.overstayed':
    case 'expiry.open-past-deadline':
      return 2000;
    case 'reconnect.storm':
    // Growth is read from the first and last retry gap of an outage: a lag inside either moves it.
    case 'reconnect.fixed-delay':
      return scenario.expect.minRetryGap * 1000;
    // A message racing the agent's answer: one chunk gap of the agent.
    case 'turns.duplicate':
      return scenario.server.agent.chunkGap * 1000;
    // A stall is judged against stallAfter, but a late message is late by the lag: a stall a few
    // seconds over the threshold is not evidence once the lag reaches a client's timeouts' size.
    case 'turns.stall':
      return Math.min(scenario.expect.stallAfter * 1000, 5000);
    // A client's own timeouts (a resume confirmation, 10 s; an inactivity limit) run late or early with the lag.
    case 'reconnect.gave-up-resumable':
    case 'turns.not-completed':
    case 'context.lost-where-resumable':
    case 'reconnect.abandoned-healthy':
    case 'reconnect.abandoned-after-bad-frame':
      return 5000;
    default:
      return null;
  }
}

export interface Starvation {
  /** The worst lag, real ms, and in protocol ms at the run's scale. */
  readonly lagMs: number;
  readonly lagProtocolMs: number;
  /** The scale at which that lag stays within every overturned verdict's tolerance. */
  readonly safeScale: number;
  readonly axes: readonly Axis[];
}

/**
 * The judgement with the verdicts the lag makes meaningless turned UNKNOWN, and what was
 * overturned. `timeline` places the lag in the run; without it every verdict counts the worst.
 */
export function discountStarvation(judgement: Judgement, lag: LagReport, timeScale: number, scenario: Scenario, timeline: LagTimeline | null = null): { judgement: Judgement; starvation: Starvation | null } {
  const axes = { ...judgement.axes } as Record<Axis, AxisVerdict>;
  const overturned: Axis[] = [];
  let scale = timeScale;
  let worst = 0;
  for (const axis of AXES) {
    const verdict = axes[axis];
    if (verdict.verdict !== 'FAILED' && verdict.verdict !== 'NON-STRICT') continue;
    const rule = ruleOfVerdict(verdict);
    const tolerance = rule ? toleranceMs(rule, scenario) : null;
    if (tolerance === null) continue;
    const window = evidenceOf(verdict);
    const lagMs = window && timeline ? lagWithin(timeline, window, tolerance) : worstLagMs(lag);
    const lagProtocolMs = lagMs / timeScale;
    if (lagProtocolMs <= tolerance) continue;
    const safe = safeScale(lagMs * 2, tolerance, timeScale);
    scale = Math.max(scale, safe);
    worst = Math.max(worst, lagMs);
    overturned.push(axis);
    const where = window && timeline ? ` between ${(window.fromMs / 1000).toFixed(1)} s and ${(window.toMs / 1000).toFixed(1)} s, where this verdict's evidence lies` : '';
    axes[axis] = unknown(`Not evidence: the harness was starved — its event loop lagged up to ${lagMs.toFixed(0)} real ms${where}, ${(lagProtocolMs / 1000).toFixed(1)} protocol s at time scale ${timeScale}, more than the ${(tolerance / 1000).toFixed(2)} s this timing tolerates (${rule}); a time scale of ${safe} would be safe. (${verdict.verdict} on what was seen: ${verdict.reason})`);
  }
  if (overturned.length === 0) return { judgement, starvation: null };
  return { judgement: { ...judgement, overall: overallOf(AXES.map((a) => axes[a].verdict)), axes }, starvation: { lagMs: worst, lagProtocolMs: worst / timeScale, safeScale: scale, axes: overturned } };
}
