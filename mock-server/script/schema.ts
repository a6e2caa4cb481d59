/**
 * The server script: everything a scenario tells the mock AI-voice server to do, as data.
 * Durations are protocol seconds (the unit of the protocol, spec §8). Every field has a
 * default that reproduces the reference AI-voice server, so a script says only what differs.
 */
import { z } from 'zod';

const seconds = z.number().nonnegative();
const closeCode = z.number().int().min(1000).max(4999);
const positiveInt = z.number().int().positive();

export const AgentPolicy = z.strictObject({
  /** Delay between a prospect message and the first transcript chunk. */
  replyDelay: z.tuple([seconds, seconds]).default([1, 2.5]),
  /** Transcript chunks per agent turn; only the last is final. */
  chunks: positiveInt.default(3),
  /** Gap between chunks. */
  chunkGap: seconds.default(0.6),
  /** Delay before the greeting on a fresh model session. */
  greetingDelay: seconds.default(0.5),
});

export const ExpiryPolicy = z.strictObject({
  /** Connection lifetime: the upstream drops every connection this long after it opened. */
  lifetime: seconds.default(600),
  /** `timeLeft` announced in session_expiring, this long before the deadline. */
  timeLeft: seconds.default(60),
  /** When the server actually closes, counted from the notice (default: timeLeft). Larger = delayed close. */
  closeAfter: seconds.optional(),
  /** Close code at the deadline: 1000 for the reference server, 1008 for Gemini's goAway overrun. */
  closeCode: closeCode.default(1000),
  closeReason: z.string().default('session expired'),
  /** Drop with no close frame (1006) at the deadline instead of a close frame. */
  dropAtDeadline: z.boolean().default(false),
  /** After the notice the server sends nothing more (the agent goes quiet) until the close. */
  silentAfterNotice: z.boolean().default(false),
  /** Send the latest handle again just before session_expiring (the reference server does). */
  resendHandle: z.boolean().default(true),
  /** Set to false to script expiry with faults only. */
  enabled: z.boolean().default(true),
});

export const HandlePolicy = z.strictObject({
  /** Issue a handle after every n-th completed agent turn (turn 0 is the greeting). */
  every: positiveInt.default(1),
  /** No handle before this agent turn has completed (0 = after the greeting). */
  firstAfterTurn: z.number().int().nonnegative().default(0),
  /** Send `resumable:false` while the agent generates (Gemini does). */
  nonResumableWhileGenerating: z.boolean().default(true),
  /** Agent turns (by index) after which the server sends `resumable:false` instead of a handle. */
  nonResumableAfterTurns: z.array(z.number().int().nonnegative()).default([]),
  /** A handle expires this long after the connection that issued it closed (Gemini: 2 h). */
  ttl: seconds.default(7200),
  /** Count the TTL from issue rather than from the issuing connection's close. */
  ttlFromIssue: z.boolean().default(false),
  /** Handle bytes of randomness (≥ 16 = 128 bit, spec §5.1). */
  bytes: z.number().int().min(16).max(64).default(24),
  /** Only the newest issued handle is accepted (rotation: every older one is stale). */
  onlyNewestValid: z.boolean().default(false),
});

export const RejectionBehaviour = z.enum(['silent-fresh', 'close-4003', 'accept-then-close']);
export type RejectionBehaviour = z.infer<typeof RejectionBehaviour>;

export const ValidationPolicy = z.strictObject({
  /** What the server does with a rejected handle (spec §5.2). */
  reject: RejectionBehaviour.default('silent-fresh'),
  /** Reject every handle, valid or not (an upstream that lost all state). */
  rejectAll: z.boolean().default(false),
  /** accept-then-close: delay after open, close code and reason, and whether session:resumed goes first. */
  acceptThenClose: z.strictObject({
    after: seconds.default(0.5),
    code: closeCode.default(1011),
    reason: z.string().default('Internal error occurred.'),
    sendResumed: z.boolean().default(true),
  }).prefault({}),
  /** Refuse a resume (close 1011) while an older socket of the same conversation is still open (F7). */
  refuseWhileOldSocketOpen: z.boolean().default(false),
});

export const ResumePolicy = z.strictObject({
  /** When session:resumed is sent after a valid resume: immediately, after a delay, or never. */
  confirm: z.union([z.literal('immediate'), z.literal('never'), z.strictObject({ after: seconds })]).default('immediate'),
  /** The agent's state after a valid resume (F8): as captured, emptied, rolled back n turns, or restored with the last agent turn sent again. */
  state: z.union([
    z.literal('restored'),
    z.literal('reset'),
    z.literal('repeat-last'),
    z.strictObject({ rollback: positiveInt }),
  ]).default('restored'),
});

/** When a fault fires. Exactly one of the keys, plus the common modifiers. */
export const Trigger = z.union([
  z.strictObject({ at: seconds }),
  z.strictObject({
    turn: z.number().int().nonnegative(),
    /** after-final: right after the agent's final chunk (before its handle); after-handle: after the handle; mid-turn: between the first and the final chunk; after-prospect: when the prospect message of that turn arrives. */
    phase: z.enum(['after-final', 'after-handle', 'mid-turn', 'after-prospect']).default('after-handle'),
  }),
  z.strictObject({ connection: positiveInt }),
  z.strictObject({
    event: z.enum(['open', 'handle-issued', 'resumed', 'session-expiring', 'close', 'prospect-message', 'agent-final']),
    nth: positiveInt.optional(),
  }),
  z.strictObject({
    every: z.number().positive(),
    jitter: seconds.default(0),
    count: positiveInt,
    start: seconds.default(0),
  }),
]);
export type Trigger = z.infer<typeof Trigger>;

const Direction = z.enum(['in', 'out']);

/** Toxiproxy's connection faults, with Toxiproxy's names and attributes (milliseconds, bytes). */
export const Toxic = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('latency'), stream: z.enum(['upstream', 'downstream']).default('downstream'), attributes: z.strictObject({ latency: z.number().nonnegative(), jitter: z.number().nonnegative().default(0) }) }),
  z.strictObject({ type: z.literal('timeout'), stream: z.enum(['upstream', 'downstream']).default('downstream'), attributes: z.strictObject({ timeout: z.number().nonnegative() }) }),
  z.strictObject({ type: z.literal('reset_peer'), stream: z.enum(['upstream', 'downstream']).default('downstream'), attributes: z.strictObject({ timeout: z.number().nonnegative().default(0) }) }),
  z.strictObject({ type: z.literal('slow_close'), stream: z.enum(['upstream', 'downstream']).default('downstream'), attributes: z.strictObject({ delay: z.number().nonnegative() }) }),
  z.strictObject({ type: z.literal('limit_data'), stream: z.enum(['upstream', 'downstream']).default('downstream'), attributes: z.strictObject({ bytes: z.number().int().nonnegative() }) }),
  z.strictObject({ type: z.literal('down'), attributes: z.strictObject({ duration: z.number().nonnegative() }) }),
]);
export type Toxic = z.infer<typeof Toxic>;

export const Action = z.union([
  z.strictObject({ send: z.record(z.string(), z.unknown()) }),
  z.strictObject({ sendRaw: z.string() }),
  z.strictObject({ sendBinary: z.number().int().positive() }),
  z.strictObject({
    expire: z.strictObject({
      timeLeft: seconds.default(60),
      closeAfter: seconds.optional(),
      closeCode: closeCode.default(1000),
      closeReason: z.string().default('session expired'),
      silent: z.boolean().default(false),
      resendHandle: z.boolean().default(true),
    }).prefault({}),
  }),
  z.strictObject({ close: z.strictObject({ code: closeCode, reason: z.string().default(''), delay: seconds.default(0) }) }),
  z.strictObject({ drop: z.strictObject({ delay: seconds.default(0) }).prefault({}) }),
  z.strictObject({ halfOpen: z.strictObject({}).prefault({}) }),
  z.strictObject({ silence: z.strictObject({ duration: seconds.optional() }).prefault({}) }),
  z.strictObject({ pings: z.union([z.literal('ignore'), z.strictObject({ lateBy: seconds })]) }),
  z.strictObject({ delayMessage: z.strictObject({ direction: Direction, nth: positiveInt, by: seconds }) }),
  z.strictObject({ duplicateMessage: z.strictObject({ direction: Direction, nth: positiveInt }) }),
  z.strictObject({ dropMessage: z.strictObject({ direction: Direction, nth: positiveInt }) }),
  z.strictObject({ endConversation: z.strictObject({ reason: z.string().default('ended by server') }).prefault({}) }),
  z.strictObject({ restart: z.strictObject({ code: closeCode.default(1001), reason: z.string().default('server restart'), forgetHandles: z.boolean().default(true) }).prefault({}) }),
  /** The next `attempts` connection attempts fail: upgrade rejected with `status`, or opened and closed with `code`. */
  z.strictObject({ outage: z.strictObject({ attempts: positiveInt, status: z.number().int().min(400).max(599).optional(), code: closeCode.default(1011), reason: z.string().default('The service is currently unavailable.') }) }),
  z.strictObject({ slowAccept: z.strictObject({ delay: seconds, attempts: positiveInt.default(1) }) }),
  z.strictObject({ toxic: Toxic }),
]);
export type Action = z.infer<typeof Action>;

export const FaultRule = z.strictObject({
  /** A note for the reader: what this fault stands for. */
  note: z.string().optional(),
  when: Trigger,
  /** Only on this connection number (1-based, per conversation). */
  connection: positiveInt.optional(),
  /** Only in this conversation (1-based order of HTTP sessions): a fallback session can be spared. */
  conversation: positiveInt.optional(),
  /** Wait this long after the trigger before acting. */
  after: seconds.default(0),
  /** How many times the rule may fire (each matching trigger occurrence). */
  times: positiveInt.default(1),
  /** Probability that a firing applies (Toxiproxy's toxicity), drawn from the seeded rng. */
  toxicity: z.number().min(0).max(1).default(1),
  do: z.union([Action, z.array(Action).min(1)]),
});
export type FaultRule = z.infer<typeof FaultRule>;

export const ServerScript = z.strictObject({
  agent: AgentPolicy.prefault({}),
  expiry: ExpiryPolicy.prefault({}),
  handles: HandlePolicy.prefault({}),
  validation: ValidationPolicy.prefault({}),
  resume: ResumePolicy.prefault({}),
  faults: z.array(FaultRule).default([]),
});
export type ServerScript = z.infer<typeof ServerScript>;
export type ServerScriptInput = z.input<typeof ServerScript>;
