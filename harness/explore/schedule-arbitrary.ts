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
 * - `steady`: nothing ever closes; the server sends frames a client must tolerate (invalid JSON,
 *   unknown types, known types with wrong fields, binary audio, non-fatal errors: §2, §3) and
 *   the agent may be slow to answer (under the 30 s a client may wait, §6.8). A conformant
 *   client completes without a single reconnect (`maxReconnects: 0`).
 * - `ended`: the server ends the conversation before its last turn, with conversation_end (§3)
 *   or a close 4001 (§7): a conformant client ends failed and never reconnects (`gives-up`).
 *
 * Shrinking works on the structure: fewer faults, fewer turns, the defaults of each field.
 */
import fc from 'fast-check';
import type { ServerScriptInput } from '../../mock-server/index.ts';
import type { Outcome } from '../scenario/schema.ts';

export type ScheduleFamily = 'recoverable' | 'rejected' | 'steady' | 'ended';

export interface Schedule {
  readonly family: ScheduleFamily;
  readonly maxTurns: number;
  readonly server: ServerScriptInput;
}

/** The outcome a conformant client reaches on a schedule of this family (scenario `expect.outcome`). */
export const OUTCOME_OF: Readonly<Record<ScheduleFamily, Outcome>> = { recoverable: 'completes', rejected: 'reports-loss', steady: 'completes', ended: 'gives-up' };

/**
 * The reconnects a conformant client needs, where the script alone bounds them (scenario
 * `expect.maxReconnects`): none in a `steady` schedule, where nothing ever closes.
 */
export const MAX_RECONNECTS_OF: Readonly<Partial<Record<ScheduleFamily, number>>> = { steady: 0 };

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

/**
 * What a valid resume does: confirmed at once or up to 8 s late — inside the 10 s a client may
 * wait for session:resumed (§5.2 names no window; the catalog's resume-confirm-late uses 8 s) —
 * and the agent's last turn possibly repeated after it (F19: a repeat is not an answer).
 */
const resume: fc.Arbitrary<NonNullable<ServerScriptInput['resume']>> = fc.record({
  confirm: fc.oneof(fc.constant('immediate' as const), tenths(0.1, 8).map((after) => ({ after }))),
  state: fc.constantFrom('restored', 'repeat-last') as fc.Arbitrary<'restored' | 'repeat-last'>,
}, { requiredKeys: [] });

/**
 * A notice on every resumed connection the moment session:resumed is sent (an upstream that
 * keeps recycling connections, F3; the catalog's goaway-storm.after-every-resume). With 50 s or
 * more left, every connection still has time for a full turn before its deadline (a client
 * thinks for up to 20 s, the agent answers within 12 s here): a client that waits for a turn
 * boundary after a turn makes progress on each one; one that rotates at once, or takes the
 * moment right after a resume for a boundary, storms without a turn.
 */
const noticeStorm: fc.Arbitrary<Fault> = fc.record({
  when: fc.constant({ event: 'resumed' as const }),
  times: fc.integer({ min: 2, max: 100 }),
  do: fc.record({ expire: fc.record({ timeLeft: tenths(50, 60) }) }),
}) as fc.Arbitrary<Fault>;

const recoverable: fc.Arbitrary<Schedule> = fc.integer({ min: 2, max: 10 }).chain((maxTurns) =>
  fc.record({ agent, expiry, handles: handles(maxTurns), resume, faults, storm: fc.option(noticeStorm, { nil: undefined, freq: 3 }) }, { requiredKeys: ['faults'] })
    // Under a storm every connection lives about 50 s: only a handle after every turn, with no
    // resumable:false window, lets the state move on from one connection to the next (otherwise the
    // state is pinned to one old handle, as with short lifetimes; found by explore).
    .map(({ storm, faults: list, ...server }) => ({ family: 'recoverable' as const, maxTurns, server: storm ? { ...server, handles: {}, faults: [...list, storm] } : { ...server, faults: list } })),
);

/**
 * Frames a client must tolerate (spec §2: ignore unknown types, never crash on invalid JSON; a
 * text-only client MAY ignore binary audio; §3: an error message is not fatal), each as the
 * catalog's malformed-frames scenarios send it.
 */
const toleratedFrame: fc.Arbitrary<Action> = fc.oneof(
  fc.constant({ sendRaw: '{"type":"transcript","role":"agent","text":"and one more th' }),
  fc.constantFrom(
    { type: 'usage_metadata', promptTokenCount: 515, responseTokenCount: 38 },
    { type: 'voice_activity', speaking: false },
    { type: 'transcript', role: 'agent', final: 'yes' },
    { type: 'session_resumption_update', handle: 42, resumable: true },
    { type: 'error', code: 'rate_limited', message: 'Too many requests; slowing down.' },
  ).map((send) => ({ send })),
  fc.constant({ sendBinary: 4800 }),
) as fc.Arbitrary<Action>;

/** Where a tolerated frame comes: after a turn (or every turn), or while the agent thinks. */
const frameTrigger: fc.Arbitrary<Pick<Fault, 'when' | 'times'>> = fc.oneof(
  fc.record({ when: fc.record({ turn: fc.integer({ min: 0, max: 8 }), phase: fc.constantFrom('after-final', 'after-handle', 'mid-turn', 'after-prospect') as fc.Arbitrary<'after-final' | 'after-handle' | 'mid-turn' | 'after-prospect'> }) }),
  fc.record({ when: fc.constantFrom({ event: 'agent-final' as const }, { event: 'prospect-message' as const }, { event: 'handle-issued' as const }), times: fc.integer({ min: 1, max: 100 }) }, { requiredKeys: ['when'] }),
);

const frameFault: fc.Arbitrary<Fault> = fc.record({ trigger: frameTrigger, after: tenths(0, 2), do: toleratedFrame })
  .map(({ trigger: t, after, do: action }) => ({ ...t, after, do: action }) as Fault);

/**
 * A healthy connection throughout: no expiry, no close. The agent may take up to 25 s to start
 * an answer (plus at most 1 s of latency): slower than an impatient client's inactivity limit,
 * within the 30 s a client may take a live connection for a dead one (§6.8; catalog slow-agent).
 */
const steady: fc.Arbitrary<Schedule> = fc.record({
  maxTurns: fc.integer({ min: 2, max: 8 }),
  replyDelay: fc.tuple(tenths(0, 22), tenths(0, 3)).map(([a, b]) => [a, a + b] as [number, number]),
  frames: fc.array(frameFault, { maxLength: 4 }),
  latency: fc.option(fc.record({ latency: fc.integer({ min: 0, max: 800 }), jitter: fc.integer({ min: 0, max: 200 }) }), { nil: undefined }),
}).map(({ maxTurns, replyDelay, frames, latency }) => ({
  family: 'steady' as const,
  maxTurns,
  server: {
    agent: { replyDelay },
    expiry: { enabled: false },
    faults: frames,
    ...(latency ? { toxics: [{ type: 'latency' as const, attributes: latency }] } : {}),
  },
}));

/**
 * The server ends the conversation at turn k, before the last: conversation_end (then a close
 * 1000 or a drop, §3: final whatever the close looks like) or a close 4001 (§6.3, §7: do not
 * reconnect). Gentle faults may come before it. A conformant client ends failed and never
 * comes back.
 */
const ending: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ endConversation: fc.record({ reason: fc.constant('the agent ended the call'), drop: fc.boolean() }) }),
  fc.record({ close: fc.record({ code: fc.constant(4001), reason: fc.constant('unauthorised'), delay: tenths(0, 1) }) }),
) as fc.Arbitrary<Action>;

const ended: fc.Arbitrary<Schedule> = fc.integer({ min: 2, max: 10 }).chain((maxTurns) => fc.record({
  turn: fc.integer({ min: 1, max: maxTurns - 1 }),
  phase: fc.constantFrom('after-final', 'after-handle', 'mid-turn', 'after-prospect') as fc.Arbitrary<'after-final' | 'after-handle' | 'mid-turn' | 'after-prospect'>,
  end: ending,
  gentle: fc.array(fc.record({ when: midConversation, do: gentleAction, after: tenths(0, 10) }, { requiredKeys: ['when', 'do'] }), { maxLength: 2 }),
}).map(({ turn, phase, end, gentle }) => ({
  family: 'ended' as const,
  maxTurns,
  server: { expiry: { enabled: false }, faults: [{ when: { turn, phase }, do: end }, ...(gentle as Fault[])] },
})));

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
export const scheduleArbitrary: fc.Arbitrary<Schedule> = fc.oneof(
  { arbitrary: recoverable, weight: 4 },
  { arbitrary: rejected, weight: 1 },
  { arbitrary: steady, weight: 1 },
  { arbitrary: ended, weight: 1 },
);

/** The size of a schedule, as the README reports it for a shrunk one: faults plus the fields set. */
export function scheduleSize(schedule: Schedule): { faults: number; fields: number } {
  const countLeaves = (value: unknown): number =>
    value === null || typeof value !== 'object' ? 1 : Array.isArray(value) ? value.reduce((n: number, v) => n + countLeaves(v), 0) : Object.values(value).reduce((n: number, v) => n + countLeaves(v), 0);
  return { faults: schedule.server.faults?.length ?? 0, fields: countLeaves(schedule.server) };
}
