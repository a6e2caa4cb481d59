/**
 * Random fault schedules in the scenario language (mock-server/script/schema.ts), drawn by
 * fast-check so that a failing one shrinks to a minimal one. A schedule is a whole server
 * script plus the length of the conversation, in one of two families whose expected outcome
 * follows from the script alone, so the judge is never asked for more than the protocol gives:
 *
 * - `recoverable`: every fault leaves a way back — expiries with any lead time and any close
 *   code, delayed closes, drops, early closes, silences, a short outage
 *   (never more failed attempts than one outage's budget, ai-voice-protocol.md §6.4), latency.
 *   The handle stays valid, so a conformant client completes with its context intact.
 * - `rejected`: the upstream lost every state (validation.rejectAll) and rejects handles in one
 *   of §5.2's ways: the context cannot survive, and a conformant client says so
 *   (`reports-loss`).
 *
 * Shrinking works on the structure: fewer faults, fewer turns, the defaults of each field.
 */
import fc from 'fast-check';
import type { ServerScriptInput } from '../../mock-server/index.ts';
import type { Outcome } from '../scenario/schema.ts';

export type ScheduleFamily = 'recoverable' | 'rejected';

export interface Schedule {
  readonly family: ScheduleFamily;
  readonly maxTurns: number;
  readonly server: ServerScriptInput;
}

/** The outcome a conformant client reaches on a schedule of this family (scenario `expect.outcome`). */
export const OUTCOME_OF: Readonly<Record<ScheduleFamily, Outcome>> = { recoverable: 'completes', rejected: 'reports-loss' };

type Fault = NonNullable<ServerScriptInput['faults']>[number];
type Action = Fault['do'] extends infer A ? (A extends readonly unknown[] ? never : A) : never;

/** Whole protocol seconds or tenths: values a person can read in a written scenario. */
const tenths = (min: number, max: number): fc.Arbitrary<number> => fc.integer({ min: min * 10, max: max * 10 }).map((n) => n / 10);

/** Close codes a server may send at an expiry or an abrupt end (ai-voice-protocol.md §7; Gemini's 1008/1011, F1/F4). */
const closeCodes = fc.constantFrom(1000, 1001, 1008, 1011, 1012, 1013);

/**
 * Triggers that fire only once the first handle exists (the greeting's, right after it): a
 * connection lost before any handle leaves nothing to resume, and the outcome would no longer
 * follow from the script (that case is the catalog's first-handle-late and
 * flapping.before-first-handle).
 */
const trigger: fc.Arbitrary<Fault['when']> = fc.oneof(
  // The greeting takes at most 0.5 + 5 × 1.5 s (agent below): its handle exists by 15 s.
  tenths(15, 240).map((at) => ({ at })),
  fc.record({ turn: fc.integer({ min: 1, max: 8 }), phase: fc.constantFrom('after-final', 'after-handle', 'mid-turn', 'after-prospect') as fc.Arbitrary<'after-final' | 'after-handle' | 'mid-turn' | 'after-prospect'> }),
  fc.integer({ min: 2, max: 4 }).map((connection) => ({ connection })),
  fc.record({ event: fc.constantFrom('handle-issued', 'resumed', 'session-expiring', 'prospect-message') as fc.Arbitrary<'handle-issued' | 'resumed' | 'session-expiring' | 'prospect-message'>, nth: fc.integer({ min: 1, max: 4 }) }),
  // The first open and the first agent-final (the greeting's, before its handle) come too early.
  fc.record({ event: fc.constantFrom('open', 'agent-final') as fc.Arbitrary<'open' | 'agent-final'>, nth: fc.integer({ min: 2, max: 4 }) }),
);

/**
 * Faults that end a connection: only right after a full agent turn on it (turn triggers at
 * after-final or after-handle). A server that closes resumed connections before they carried
 * a turn is an accept-then-close loop, after which a conformant client may abandon its handle
 * (F6; found by explore): the conversation would then no longer be recoverable by the script
 * alone.
 */
const closingAction: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ expire: fc.record({ timeLeft: tenths(0, 60), closeCode: closeCodes }) }),
  fc.record({ expire: fc.record({ timeLeft: tenths(0, 30), closeAfter: tenths(0, 45), closeCode: closeCodes, silent: fc.boolean(), resendHandle: fc.boolean() }) }),
  fc.record({ close: fc.record({ code: closeCodes, reason: fc.constant('scripted close'), delay: tenths(0, 5) }) }),
  fc.record({ drop: fc.record({ delay: tenths(0, 5) }) }),
) as fc.Arbitrary<Action>;

const afterFullTurn: fc.Arbitrary<Fault['when']> = fc.record({
  turn: fc.integer({ min: 1, max: 8 }),
  phase: fc.constantFrom('after-final', 'after-handle') as fc.Arbitrary<'after-final' | 'after-handle'>,
});

/**
 * Where a gentle fault may fire: at a time or a turn, or on a handle or a prospect message;
 * not as a connection opens or a resume is confirmed, where a silence would swallow
 * session:resumed itself and read as a resume that never came (§5.2; found by explore).
 */
const midConversation: fc.Arbitrary<Fault['when']> = trigger.filter((when) => !('connection' in when) && !('event' in when && (when.event === 'open' || when.event === 'resumed')));

/** Faults that leave the connection up: a silence, a late frame, latency; and one refused upgrade. */
const gentleAction: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ silence: fc.record({ duration: tenths(1, 20) }) }),
  // No delayMessage: delaying one frame lets a later one overtake it (a handle ahead of the final
  // transcript of its own turn), which no ordered stream does and §5.1 rules out; a client then
  // re-sends a message the restored state holds, through no fault of its own (found by explore).
  // One failed attempt at most: §6.4 bounds attempts per outage (3) without saying whether a
  // rotation whose connection carried no turn yet belongs to the outage after it; a client that
  // counts it has 2 attempts left, and the protocol allows that count (found by explore).
  fc.record({ outage: fc.record({ attempts: fc.constant(1), status: fc.constantFrom(503, 502) }) }),
  fc.record({ toxic: fc.record({ type: fc.constant('latency' as const), attributes: fc.record({ latency: fc.integer({ min: 0, max: 800 }), jitter: fc.integer({ min: 0, max: 200 }) }) }) }),
) as fc.Arbitrary<Action>;

const fault: fc.Arbitrary<Fault> = fc.oneof(
  fc.record({ when: afterFullTurn, do: closingAction, after: tenths(0, 3) }, { requiredKeys: ['when', 'do'] }),
  fc.record({ when: midConversation, do: gentleAction, after: tenths(0, 10) }, { requiredKeys: ['when', 'do'] }),
);

/** At most one outage rule: two could add up to more failed attempts than one outage's budget (§6.4). */
const faults: fc.Arbitrary<Fault[]> = fc.array(fault, { maxLength: 4 }).filter((list) => list.filter((f) => 'outage' in f.do).length <= 1);

const expiry: fc.Arbitrary<NonNullable<ServerScriptInput['expiry']>> = fc.oneof(
  fc.constant({ enabled: false }),
  fc.record({
    lifetime: fc.integer({ min: 200, max: 600 }),
    timeLeft: tenths(0, 60),
    closeCode: closeCodes,
    closeAfter: tenths(0, 90),
    dropAtDeadline: fc.boolean(),
    silentAfterNotice: fc.boolean(),
    resendHandle: fc.boolean(),
  // The notice comes at least 180 s into each connection: after the greeting and its handle
  // (see trigger), and after enough turns for the resumable state to move on. A resume rolls the
  // state back to the newest handle (up to 4 turns behind with a handle every 2 turns and a
  // resumable:false window); the client re-sends those turns (§5.1) and needs a few more for a
  // newer handle, at up to 20 s a turn. Shorter lives pin the state to one old handle on every
  // connection: the server, not the client, then keeps the conversation from moving (found by
  // explore).
  }, { requiredKeys: ['lifetime'] }).map((e) => ({ ...e, timeLeft: Math.min(e.timeLeft ?? 60, e.lifetime - 180) })),
);

const agent: fc.Arbitrary<NonNullable<ServerScriptInput['agent']>> = fc.record({
  chunks: fc.integer({ min: 1, max: 5 }),
  chunkGap: tenths(0, 1.5),
  replyDelay: fc.tuple(tenths(0, 2), tenths(0, 2)).map(([a, b]) => [a, a + b] as [number, number]),
}, { requiredKeys: [] });

// No firstDelay: the first handle comes with the greeting, before any fault can fire (see trigger).
const handles = (maxTurns: number): fc.Arbitrary<NonNullable<ServerScriptInput['handles']>> => fc.record({
  every: fc.integer({ min: 1, max: 2 }),
  nonResumableAfterTurns: fc.uniqueArray(fc.integer({ min: 1, max: maxTurns }), { maxLength: 1 }).map((xs) => [...xs].sort((a, b) => a - b)),
}, { requiredKeys: [] });

const recoverable: fc.Arbitrary<Schedule> = fc.integer({ min: 2, max: 10 }).chain((maxTurns) =>
  fc.record({ agent, expiry, handles: handles(maxTurns), faults }, { requiredKeys: ['faults'] }).map((server) => ({ family: 'recoverable' as const, maxTurns, server })),
);

const rejected: fc.Arbitrary<Schedule> = fc.record({
  maxTurns: fc.integer({ min: 2, max: 8 }),
  reject: fc.constantFrom('silent-fresh', 'close-4003', 'accept-then-close', 'close') as fc.Arbitrary<'silent-fresh' | 'close-4003' | 'accept-then-close' | 'close'>,
  lifetime: fc.integer({ min: 60, max: 300 }),
  faults,
}).map(({ maxTurns, reject, lifetime, faults: list }) => ({
  family: 'rejected' as const,
  maxTurns,
  server: { expiry: { lifetime, timeLeft: Math.min(30, lifetime) }, validation: { reject, rejectAll: true }, faults: list },
}));

/** Recoverable schedules most of the time: they are where a client's resume logic can fail silently. */
export const scheduleArbitrary: fc.Arbitrary<Schedule> = fc.oneof({ arbitrary: recoverable, weight: 4 }, { arbitrary: rejected, weight: 1 });

/** The size of a schedule, as the README reports it for a shrunk one: faults plus the fields set. */
export function scheduleSize(schedule: Schedule): { faults: number; fields: number } {
  const countLeaves = (value: unknown): number =>
    value === null || typeof value !== 'object' ? 1 : Array.isArray(value) ? value.reduce((n: number, v) => n + countLeaves(v), 0) : Object.values(value).reduce((n: number, v) => n + countLeaves(v), 0);
  return { faults: schedule.server.faults?.length ?? 0, fields: countLeaves(schedule.server) };
}
