/**
 * The server script: everything a scenario tells the mock AI-voice server to do, as data.
 * Durations are protocol seconds (the unit of the protocol, spec §8), except inside Toxiproxy
 * toxics, which keep Toxiproxy's milliseconds. Every field has a default that reproduces the
 * reference AI-voice server, so a script says only what differs.
 *
 * The descriptions below are what editors show: scenarios/scenario.schema.json is generated
 * from this file (`npm run schema`).
 */
import { z } from 'zod';
import { MockServerError } from '../errors.ts';

const seconds = z.number().nonnegative();
const closeCode = z.number().int().min(1000).max(4999);
const positiveInt = z.number().int().positive();

export const AgentPolicy = z.strictObject({
  replyDelay: z.tuple([seconds, seconds]).default([1, 2.5]).describe('Delay between a prospect message and the first transcript chunk of the answer: [min, max] seconds, seeded.'),
  chunks: positiveInt.default(3).describe('Transcript chunks per agent turn; only the last is final.'),
  chunkGap: seconds.default(0.6).describe('Seconds between two chunks of one agent turn.'),
  greetingDelay: seconds.default(0.5).describe('Seconds before the greeting on a fresh model session.'),
}).describe('The simulated sales agent: how fast and in how many pieces it speaks.');

export const ExpiryPolicy = z.strictObject({
  enabled: z.boolean().default(true).describe('false: no scripted connection lifetime (expiry only through faults).'),
  lifetime: seconds.default(600).describe('Connection lifetime: the upstream ends every connection this long after it opened (Gemini: about 10 min).'),
  timeLeft: seconds.default(60).describe('timeLeft announced in session_expiring, this long before the deadline (Gemini\'s goAway: about 60 s).'),
  closeAfter: seconds.optional().describe('When the server actually closes, counted from the notice (default: timeLeft). Larger = a delayed close.'),
  closeCode: closeCode.default(1000).describe('Close code at the deadline: 1000 for the reference server, 1008 for Gemini\'s goAway overrun (F1), 1011 "Deadline expired…" in early-2026 logs (F4).'),
  closeReason: z.string().default('session expired').describe('Close reason at the deadline.'),
  dropAtDeadline: z.boolean().default(false).describe('Drop with no close frame (the client sees 1006) at the deadline instead of closing.'),
  silentAfterNotice: z.boolean().default(false).describe('After the notice the server sends nothing more (the agent goes quiet) until the close (F2).'),
  resendHandle: z.boolean().default(true).describe('Send the latest handle again right before session_expiring (the reference server does).'),
}).describe('The upstream connection lifetime: session_expiring (goAway) and the close at its deadline, on every connection.');

export const HandlePolicy = z.strictObject({
  every: positiveInt.default(1).describe('Issue a handle after every n-th completed agent turn (turn 0 is the greeting).'),
  firstAfterTurn: z.number().int().nonnegative().default(0).describe('No handle before this agent turn has completed (0 = after the greeting).'),
  firstDelay: seconds.default(0).describe('No handle before this many seconds after the conversation\'s first connection opened (F10: Gemini\'s first handle came 4.8 s in). When the delay is over, the first handle comes at once if the agent is idle, else with the next completed turn.'),
  resumeHandleDelay: seconds.default(0).describe('On a face whose agent does not greet (Gemini): seconds after a resume is confirmed before the resumed session\'s own handle is sent (0: at once, as Gemini sends sessionResumptionUpdate soon after setupComplete, gemini-live.md §1.4). A connection closed sooner never gets it: an accept-then-close within 100 ms (F6) leaves the client holding the handle it presented.'),
  nonResumableWhileGenerating: z.boolean().default(true).describe('Send resumable:false (empty handle) while the agent generates, as Gemini does (F11).'),
  nonResumableAfterTurns: z.array(z.number().int().nonnegative()).default([]).describe('Agent turns (by index) after which the server sends resumable:false instead of a handle: a window with no resumable state (F11).'),
  ttl: seconds.default(7200).describe('A handle expires this many seconds after the connection that issued it closed (Gemini: 2 h).'),
  ttlFromIssue: z.boolean().default(false).describe('Count the TTL from the handle\'s issue instead of its connection\'s close.'),
  bytes: z.number().int().min(16).max(64).default(24).describe('Bytes of randomness per handle (at least 16 = 128 bit, spec §5.1).'),
  onlyNewestValid: z.boolean().default(false).describe('Only the newest issued handle is accepted: rotation makes every older one stale.'),
}).describe('When resume handles are issued (session_resumption_update) and how long they live.');

/**
 * silent-fresh, close-4003 and accept-then-close are spec §5.2's three behaviours; `close` closes
 * with any code and reason right after opening, as Gemini does (docs/gemini-live.md §1.6).
 */
export const RejectionBehaviour = z.enum(['silent-fresh', 'close-4003', 'accept-then-close', 'close']).describe(
  'What the server does with a rejected handle: silent-fresh = open a fresh session and never send session:resumed; close-4003 = close 4003 "invalid resume handle"; accept-then-close = accept, then close (acceptThenClose); close = close right after opening with rejectClose\'s code and reason (Gemini: 1008 "BidiGenerateContent session not found", 1007 "Invalid session handle").',
);
export type RejectionBehaviour = z.infer<typeof RejectionBehaviour>;

export const ValidationPolicy = z.strictObject({
  reject: RejectionBehaviour.default('silent-fresh'),
  rejectAll: z.boolean().default(false).describe('Reject every handle, valid or not (an upstream that lost all state).'),
  acceptThenClose: z.strictObject({
    after: seconds.default(0.5).describe('Seconds after opening.'),
    code: closeCode.default(1011),
    reason: z.string().default('Internal error occurred.'),
    sendResumed: z.boolean().default(true).describe('Send session:resumed before closing.'),
  }).prefault({}).describe('reject "accept-then-close": when and how the accepted connection is closed again (F6).'),
  rejectClose: z.strictObject({
    code: closeCode.default(1008),
    reason: z.string().default('BidiGenerateContent session not found'),
  }).prefault({}).describe('reject "close": the code and reason of the close right after opening (F5).'),
  silentFresh: z.strictObject({
    greet: z.boolean().default(true).describe('The fresh session greets first (the reference agent does; Gemini\'s model waits to be spoken to).'),
  }).prefault({}).describe('reject "silent-fresh": how the fresh session starts.'),
  refuseWhileOldSocketOpen: z.boolean().default(false).describe('Refuse a resume (close 1011) while an older socket of the same conversation is still open (F7).'),
}).describe('How presented handles are validated (TTL, binding, newest-only) and what happens to a rejected one (spec §5.2).');

export const ResumePolicy = z.strictObject({
  confirm: z.union([z.literal('immediate'), z.literal('never'), z.strictObject({ after: seconds.describe('Seconds after opening.') })]).default('immediate')
    .describe('When session:resumed is sent after a valid resume: "immediate", { "after": seconds }, or "never".'),
  state: z.union([z.literal('restored'), z.literal('reset'), z.literal('repeat-last'), z.strictObject({ rollback: positiveInt.describe('Answered turns the restored state lacks.') })]).default('restored')
    .describe('The agent\'s state after a valid resume: "restored" as captured, "reset" emptied (F8), { "rollback": n } n turns short, or "repeat-last": restored, and the last agent turn is sent again (F19).'),
  repeatCut: positiveInt.optional()
    .describe('With state "repeat-last": the repeated turn is cut to its first n characters and still closed by a final transcript (F19: speech cut mid-sentence, a premature turnComplete), so its words differ from the turn the client holds. A turn no longer than n is repeated whole.'),
})
  // A cut applies to a repeated turn only: without "repeat-last" nothing is repeated, and the option would silently do nothing.
  .refine((resume) => resume.repeatCut === undefined || resume.state === 'repeat-last', { path: ['repeatCut'], message: 'repeatCut cuts the repeated turn: it needs state "repeat-last"' })
  .describe('What a valid resume does.');

export const TurnPhase = z.enum(['after-final', 'after-handle', 'mid-turn', 'after-prospect']).describe(
  'after-final: right after the agent\'s final chunk of that turn, before its handle; after-handle: right after the handle; mid-turn: after the first of several chunks; after-prospect: when the prospect message of that turn arrives, before the agent answers.',
);

/** When a fault fires: exactly one of the forms. */
export const Trigger = z.union([
  z.strictObject({ at: seconds.describe('Seconds after the conversation\'s HTTP session was created.') }).describe('At a protocol time.'),
  z.strictObject({
    turn: z.number().int().nonnegative().describe('The turn: 0 is the greeting, k the answer to the k-th prospect message.'),
    phase: TurnPhase.default('after-handle'),
  }).describe('At turn k (on every connection that reaches it).'),
  z.strictObject({ connection: positiveInt.describe('1-based connection number within the conversation.') }).describe('When the n-th connection opens.'),
  z.strictObject({
    event: z.enum(['open', 'handle-issued', 'resumed', 'session-expiring', 'close', 'prospect-message', 'agent-final']).describe('The event, on the connection it happens on.'),
    nth: positiveInt.optional().describe('Only its n-th occurrence in the conversation (default: every one, up to `times`).'),
  }).describe('After an event.'),
  z.strictObject({
    every: z.number().positive().describe('Seconds between firings.'),
    jitter: seconds.default(0).describe('± seconds added to each interval, drawn from the seeded rng.'),
    count: positiveInt.describe('How many firings (bounded).'),
    start: seconds.default(0).describe('Seconds after the conversation was created before the first interval starts.'),
  }).describe('Every interval, with seeded jitter, a bounded number of times.'),
]).meta({ id: 'Trigger', description: 'When a fault fires: exactly one of { "at" }, { "turn", "phase"? }, { "connection" }, { "event", "nth"? }, { "every", "count", "jitter"?, "start"? }.' });
export type Trigger = z.infer<typeof Trigger>;

const Direction = z.enum(['in', 'out']).describe('in = client → server, out = server → client.');

/**
 * Toxiproxy's connection faults, with Toxiproxy's names, fields and attributes (milliseconds,
 * bytes): `{ name?, type, stream, toxicity, attributes }`. `toxicity` is drawn once per
 * connection the toxic meets (Toxiproxy PR #143), from the conversation's seeded rng.
 */
const toxicBase = {
  name: z.string().optional().describe('Toxiproxy\'s name: a label for the reader and the journal.'),
  toxicity: z.number().min(0).max(1).default(1).describe('Probability that the toxic affects a connection, drawn once per connection (Toxiproxy).'),
};
const stream = z.enum(['upstream', 'downstream']).default('downstream').describe('Toxiproxy\'s direction: upstream = client → server, downstream = server → client.');
export const Toxic = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('latency'), ...toxicBase, stream, attributes: z.strictObject({ latency: z.number().nonnegative().describe('Milliseconds.'), jitter: z.number().nonnegative().default(0).describe('± milliseconds.') }) })
    .describe('Every frame of the stream is delayed by latency ± jitter ms; the stream keeps its order, closes included.'),
  z.strictObject({ type: z.literal('timeout'), ...toxicBase, stream, attributes: z.strictObject({ timeout: z.number().nonnegative().describe('Milliseconds; 0 = never close.') }) })
    .describe('Stops all data, then drops the connection (no close frame) after timeout ms, or never with 0: a silent, half-dead peer.'),
  z.strictObject({ type: z.literal('reset_peer'), ...toxicBase, stream, attributes: z.strictObject({ timeout: z.number().nonnegative().default(0).describe('Milliseconds.') }) })
    .describe('Connection reset by peer (no close frame), at once or after timeout ms.'),
  z.strictObject({ type: z.literal('slow_close'), ...toxicBase, stream, attributes: z.strictObject({ delay: z.number().nonnegative().describe('Milliseconds.') }) })
    .describe('The server\'s closes of this connection happen delay ms late.'),
  z.strictObject({ type: z.literal('limit_data'), ...toxicBase, stream, attributes: z.strictObject({ bytes: z.number().int().nonnegative() }) })
    .describe('The connection is cut (no close frame) once this many more bytes have passed in the stream.'),
  z.strictObject({ type: z.literal('down'), ...toxicBase, attributes: z.strictObject({ duration: z.number().nonnegative().describe('Milliseconds.') }) })
    .describe('Toxiproxy\'s proxy enabled:false: every open connection drops and every upgrade is refused (HTTP 503) for duration ms.'),
]).meta({ id: 'Toxic', description: 'A Toxiproxy toxic: { "type", "name"?, "stream"?, "toxicity"?, "attributes" } with Toxiproxy\'s attribute names in milliseconds and bytes.' });
export type Toxic = z.infer<typeof Toxic>;

export const Action = z.union([
  z.strictObject({ send: z.record(z.string(), z.unknown()) }).describe('Send this object as a JSON text frame: any protocol message, or one of an unknown type.'),
  z.strictObject({ sendRaw: z.string() }).describe('Send this text frame as is (malformed JSON, anything).'),
  z.strictObject({ sendBinary: z.number().int().positive() }).describe('Send a binary frame of this many bytes (agent audio).'),
  z.strictObject({
    expire: z.strictObject({
      timeLeft: seconds.default(60),
      closeAfter: seconds.optional().describe('Seconds after the notice (default: timeLeft).'),
      closeCode: closeCode.default(1000),
      closeReason: z.string().default('session expired'),
      silent: z.boolean().default(false).describe('Nothing more is sent until the close.'),
      resendHandle: z.boolean().default(true),
    }).prefault({}),
  }).describe('session_expiring with any timeLeft, then a close at its deadline; several on one connection keep the earliest deadline.'),
  z.strictObject({ close: z.strictObject({ code: closeCode, reason: z.string().default(''), delay: seconds.default(0) }) }).describe('Close with this code and reason, after delay seconds.'),
  z.strictObject({ drop: z.strictObject({ delay: seconds.default(0) }).prefault({}) }).describe('Drop with no close frame: the client sees 1006.'),
  z.strictObject({ halfOpen: z.strictObject({}).prefault({}) }).describe('Keep the socket, stop reading and writing: a black hole.'),
  z.strictObject({ silence: z.strictObject({ duration: seconds.optional() }).prefault({}) }).describe('The agent goes quiet (for duration seconds, or for good); the socket stays healthy.'),
  z.strictObject({ pings: z.union([z.literal('ignore'), z.strictObject({ lateBy: seconds })]) }).describe('Client pings (network mode): "ignore" them, or answer { "lateBy": seconds } late.'),
  z.strictObject({ delayMessage: z.strictObject({ direction: Direction, nth: positiveInt.describe('1-based, per connection.'), by: seconds }) }).describe('Delay the n-th frame of this connection in one direction.'),
  z.strictObject({ duplicateMessage: z.strictObject({ direction: Direction, nth: positiveInt }) }).describe('Deliver the n-th frame of this connection twice.'),
  z.strictObject({ dropMessage: z.strictObject({ direction: Direction, nth: positiveInt }) }).describe('Lose the n-th frame of this connection.'),
  z.strictObject({ endConversation: z.strictObject({ reason: z.string().default('ended by server'), drop: z.boolean().default(false).describe('Drop (1006) instead of closing 1000.') }).prefault({}) })
    .describe('conversation_end, then close 1000 (or drop).'),
  z.strictObject({ issueHandle: z.strictObject({ binding: z.enum(['own', 'other-share-token', 'other-conversation']).default('own') }).prefault({}) })
    .describe('Issue a resume handle now. own: a valid one of this conversation; other-share-token / other-conversation: one bound to another agent or conversation (a relay mixing tenants up), which this server rejects as foreign.'),
  z.strictObject({ idleTimeout: z.strictObject({ after: seconds, code: closeCode.optional().describe('Close code; absent = drop (1006).'), reason: z.string().default('') }) })
    .describe('From now on, an intermediate hop reaps this connection after `after` seconds without a client frame (F24).'),
  z.strictObject({ restart: z.strictObject({ code: closeCode.default(1001), reason: z.string().default('server restart'), forgetHandles: z.boolean().default(true) }).prefault({}) })
    .describe('The server restarts: every open connection closes, and (by default) every handle is forgotten.'),
  z.strictObject({ outage: z.strictObject({ attempts: positiveInt, status: z.number().int().min(400).max(599).optional().describe('Refuse the upgrade with this HTTP status.'), code: closeCode.default(1011).describe('Without status: open, then close at once with this code.'), reason: z.string().default('The service is currently unavailable.') }) })
    .describe('The next `attempts` connection attempts of this conversation fail.'),
  z.strictObject({ slowAccept: z.strictObject({ delay: seconds, attempts: positiveInt.default(1) }) }).describe('The next `attempts` upgrades complete only after delay seconds.'),
  z.strictObject({ toxic: Toxic }).describe('Apply a Toxiproxy toxic to the connection the trigger concerns.'),
]).meta({ id: 'Action', description: 'What the server does: exactly one key naming the action.' });
export type Action = z.infer<typeof Action>;

export const FaultRule = z.strictObject({
  note: z.string().optional().describe('A note for the reader: what this fault stands for.'),
  when: Trigger,
  connection: positiveInt.optional().describe('Only on this connection number (1-based, per conversation).'),
  conversation: positiveInt.optional().describe('Only in this conversation (1-based order of HTTP sessions): a fallback session can be spared.'),
  after: seconds.default(0).describe('Seconds to wait after the trigger before acting.'),
  times: positiveInt.default(1).describe('How many times the rule may fire (each matching trigger occurrence).'),
  toxicity: z.number().min(0).max(1).default(1).describe('Probability that a firing applies, drawn per firing from the seeded rng (a toxic\'s own toxicity is per connection).'),
  do: z.union([Action, z.array(Action).min(1)]).describe('One action, or a list carried out in order.'),
}).meta({ id: 'FaultRule', description: 'A fault: when it fires and what the server then does. State is per conversation.' });
export type FaultRule = z.infer<typeof FaultRule>;

/** Every script ServerScript's parse has produced: what the server takes without parsing again. */
const validated = new WeakSet<object>();

export const ServerScript = z.strictObject({
  agent: AgentPolicy.prefault({}),
  expiry: ExpiryPolicy.prefault({}),
  handles: HandlePolicy.prefault({}),
  validation: ValidationPolicy.prefault({}),
  resume: ResumePolicy.prefault({}),
  faults: z.array(FaultRule).default([]).describe('Scripted faults, each with its own state per conversation.'),
  toxics: z.array(Toxic).default([]).describe('Toxics on every connection from the moment it opens, as on a Toxiproxy proxy.'),
})
  // The parse's own output is registered (an overwrite keeps the JSON Schema as it is), so a
  // script the scenario loader validated is recognised, not validated twice.
  .overwrite((script) => {
    validated.add(script);
    return script;
  })
  .meta({ id: 'ServerScript', description: 'What the mock AI-voice server does; every field defaults to the reference server.' })
  .brand<'ValidScript'>();
/** A validated script: only ServerScript's parse makes one. */
export type ServerScript = z.infer<typeof ServerScript>;
export type ValidScript = ServerScript;
export type ServerScriptInput = z.input<typeof ServerScript>;

/** A script ServerScript's parse produced, as it produced it. */
export function isValidScript(script: unknown): script is ValidScript {
  return typeof script === 'object' && script !== null && validated.has(script);
}

/** The script the server runs: a validated one as it is, anything else validated now (`serve`, users, tests). */
export function acceptScript(script: ServerScriptInput | ValidScript | undefined): ValidScript {
  if (isValidScript(script)) return script;
  const parsed = ServerScript.safeParse(script ?? {});
  if (!parsed.success) throw new MockServerError('MOCK_SCRIPT_INVALID', parsed.error.message, { cause: parsed.error });
  return parsed.data;
}
