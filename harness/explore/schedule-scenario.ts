/**
 * A schedule as a scenario: the same fields as a catalog scenario (title, description,
 * expectation, why, provenance), so that a person can promote a found one to the catalog as it
 * is. The id is the schedule's own digest: the run's randomness derives from the id
 * (run/run-scenario.ts scenarioSeed), so the written file replays the very run that failed.
 */
import { createHash } from 'node:crypto';
import { Scenario } from '../scenario/schema.ts';
import { MAX_RECONNECTS_OF, OUTCOME_OF, scheduleSize, type Schedule, type ScheduleFamily } from './schedule-arbitrary.ts';

const FAMILY_TEXT: Readonly<Record<ScheduleFamily, string>> = {
  recoverable: 'Every fault leaves a way back with the same handle',
  rejected: 'The upstream lost every state and rejects each presented handle',
  steady: 'Nothing ever closes: the server only sends frames a client must tolerate, and the agent may be slow',
  ended: 'The server ends the conversation before its last turn (conversation_end or a close 4001)',
};

const GROUP_OF: Readonly<Record<ScheduleFamily, string>> = {
  recoverable: 'connection-faults', rejected: 'resume-rejection', steady: 'malformed-input', ended: 'end-of-conversation',
};

const EXPECTATION_OF: Readonly<Record<ScheduleFamily, string>> = {
  recoverable: 'The client rides out every fault: it reconnects within its budget, resumes with its newest handle, re-sends an unanswered message once and completes with its context intact.',
  rejected: 'The client cannot keep its context: it notices the rejected resume and says so (ends failed, or falls back to a new session and reports contextLost), within its retry budget.',
  steady: 'The client ignores the frames it must tolerate and waits for a slow agent: no reconnect at all, every turn completes.',
  ended: 'The conversation is over on the server\'s word: the client ends failed and never reconnects.',
};

const PROVENANCE_OF: Readonly<Record<ScheduleFamily, readonly string[]>> = {
  recoverable: ['spec §6.3', 'spec §6.4'],
  rejected: ['spec §5.2', 'spec §6.4'],
  steady: ['spec §2', 'spec §3', 'spec §6.8'],
  ended: ['spec §3 (conversation_end)', 'spec §6.3', 'spec §7 (4001)'],
};

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
  const family = FAMILY_TEXT[schedule.family];
  const maxReconnects = MAX_RECONNECTS_OF[schedule.family];
  return {
    $schema: SCENARIO_SCHEMA_REF,
    id: scheduleId(schedule),
    title: `Explored schedule: ${size.faults} fault${size.faults === 1 ? '' : 's'}, ${schedule.maxTurns} turns (${schedule.family})`,
    group: GROUP_OF[schedule.family],
    severity: 'major',
    description: `Drawn by resume-harness explore${found ? ` (seed ${found.seed}, schedule ${found.run}, shrunk in ${found.shrinks} steps)` : ''}: the server script below, as generated and shrunk; nothing in it was inferred. ${family}.`,
    expectation: EXPECTATION_OF[schedule.family],
    why: found
      ? `${found.sut} failed this schedule: a minimal fault sequence that a conformant client survives (promote it with a provenance naming the field failure it resembles).`
      : 'A random fault schedule of resume-harness explore.',
    provenance: [...PROVENANCE_OF[schedule.family], 'resume-harness explore'],
    conversation: { maxTurns: schedule.maxTurns },
    server: schedule.server,
    expect: { outcome: OUTCOME_OF[schedule.family], ...(maxReconnects !== undefined ? { maxReconnects } : {}) },
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
