/**
 * How long a scenario takes a conformant client, in protocol seconds, worked out from its
 * script (issue 12, "time limits that fit the scenario"). It bounds the reference at every pace
 * of docs/exercised-faults.md (test/trust/time-limits.test.ts checks each measured run against
 * it); a network run's wall limit is WALL_LIMIT_FACTOR times it, scaled.
 *
 *   turns     maxTurns × (SLOWEST_THINK_S + the agent's slowest answer: replyDelay max, plus its
 *             chunks' gaps) — the slowest pace thinks 10 s a turn (bursts: 20 s every 4th turn)
 *   faults    OUTAGE_ALLOWANCE_S per scripted fault rule and per firing beyond the first: a drop
 *             costs back-off (up to 2 + 4 s), a half-open costs the inactivity limit (30 s), a
 *             refused resume its confirmation timeout (10 s), a repeated turn or silence its length
 *   expiry    ROTATION_ALLOWANCE_S per connection lifetime the conversation can cross
 *   setup     SETUP_S: the session, the greeting, the end
 *
 * and never more than the scenario's own `limit`, which a conformant client ends within (a fault
 * rule that fires every few seconds without cutting anything, such as the heartbeats of
 * handshake-hangs.frames-while-hung, would otherwise count as hundreds of outages).
 */
import type { Scenario } from './schema.ts';

export const SLOWEST_THINK_S = 10;
export const OUTAGE_ALLOWANCE_S = 75;
export const ROTATION_ALLOWANCE_S = 15;
export const SETUP_S = 30;
/** A network run may take this many times the expected duration (latency, scheduling, a slow client) before it is cut. */
export const WALL_LIMIT_FACTOR = 2;

export function expectedDurationS(scenario: Scenario): number {
  const { agent, expiry, faults } = scenario.server;
  const answerS = agent.replyDelay[1] + (agent.chunks - 1) * agent.chunkGap;
  const silences = faults.flatMap((rule) => (Array.isArray(rule.do) ? rule.do : [rule.do])).reduce((sum, action) => sum + ('silence' in action ? (action.silence.duration ?? 0) : 0), 0);
  const firings = faults.reduce((sum, rule) => sum + Math.min(rule.times, 'every' in rule.when ? rule.when.count : 3), 0);
  const turnsS = scenario.conversation.maxTurns * (SLOWEST_THINK_S + answerS) + agent.greetingDelay;
  const lifetimes = expiry.enabled ? Math.ceil((turnsS + firings * OUTAGE_ALLOWANCE_S) / Math.max(1, expiry.lifetime - expiry.timeLeft / 2)) : 0;
  return Math.min(scenario.limit, Math.ceil(SETUP_S + turnsS + silences + firings * OUTAGE_ALLOWANCE_S + lifetimes * ROTATION_ALLOWANCE_S));
}
