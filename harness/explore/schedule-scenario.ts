/**
 * A schedule as a scenario: the same fields as a catalog scenario (title, description,
 * expectation, why, provenance), so that a person can promote a found one to the catalog as it
 * is. The id is the schedule's own digest: the run's randomness derives from the id
 * (run/run-scenario.ts scenarioSeed), so the written file replays the very run that failed.
 */
import { createHash } from 'node:crypto';
import { Scenario } from '../scenario/schema.ts';
import { OUTCOME_OF, scheduleSize, type Schedule } from './schedule-arbitrary.ts';

export const SCENARIO_SCHEMA_REF = '../scenarios/scenario.schema.json';

export function scheduleId(schedule: Schedule): string {
  return `explored-${createHash('sha256').update(JSON.stringify(schedule)).digest('hex').slice(0, 10)}`;
}

export interface FoundBy {
  readonly sut: string;
  readonly seed: number;
  /** The schedule's index among those tried (1-based), before shrinking. */
  readonly run: number;
  readonly shrinks: number;
}

/** The scenario file's content (the form `validate` and `run FILE` read). */
export function scenarioFileOf(schedule: Schedule, found?: FoundBy): Record<string, unknown> {
  const size = scheduleSize(schedule);
  const family = schedule.family === 'recoverable'
    ? 'Every fault leaves a way back with the same handle'
    : 'The upstream lost every state and rejects each presented handle';
  return {
    $schema: SCENARIO_SCHEMA_REF,
    id: scheduleId(schedule),
    title: `Explored schedule: ${size.faults} fault${size.faults === 1 ? '' : 's'}, ${schedule.maxTurns} turns (${schedule.family})`,
    group: schedule.family === 'recoverable' ? 'connection-faults' : 'resume-rejection',
    severity: 'major',
    description: `Drawn by resume-harness explore${found ? ` (seed ${found.seed}, schedule ${found.run}, shrunk in ${found.shrinks} steps)` : ''}: the server script below, as generated and shrunk; nothing in it was inferred. ${family}.`,
    expectation: schedule.family === 'recoverable'
      ? 'The client rides out every fault: it reconnects within its budget, resumes with its newest handle, re-sends an unanswered message once and completes with its context intact.'
      : 'The client cannot keep its context: it notices the rejected resume and says so (ends failed, or falls back to a new session and reports contextLost), within its retry budget.',
    why: found
      ? `${found.sut} failed this schedule: a minimal fault sequence that a conformant client survives (promote it with a provenance naming the field failure it resembles).`
      : 'A random fault schedule of resume-harness explore.',
    provenance: [schedule.family === 'recoverable' ? 'spec §6.3' : 'spec §5.2', 'spec §6.4', 'resume-harness explore'],
    conversation: { maxTurns: schedule.maxTurns },
    server: schedule.server,
    expect: { outcome: OUTCOME_OF[schedule.family] },
    // A random schedule may hold faults the conversation never reaches (a turn past its end, a
    // lifetime longer than it): that is no reason to leave it unjudged (harness/analysis/exercise.ts).
    ...(waivable(schedule).length > 0 ? { exercise: { waive: waivable(schedule), why: 'A drawn schedule: faults the conversation does not reach are part of the draw.' } } : {}),
  };
}

/** The runnable scenario (defaults filled in, validated by the catalog's own schema). */
export function scenarioOf(schedule: Schedule): Scenario {
  const { $schema: _schema, ...file } = scenarioFileOf(schedule);
  return Scenario.parse(file);
}

/** Every requirement exercise.ts derives from a script like this one. */
function waivable(schedule: Schedule): string[] {
  const faults = (schedule.server.faults ?? []).map((_, i) => `fault:${i}`);
  const expiry = schedule.server.expiry?.enabled === false && !(schedule.server.faults ?? []).some((f) => 'expire' in f.do) ? [] : ['expiry-notice'];
  const rejected = schedule.server.validation?.rejectAll ? ['handle-rejected'] : [];
  return [...expiry, ...rejected, ...faults];
}
