/**
 * A scenario file: what the server does (the server script), what a conformant client
 * must achieve, and why. Variants inherit everything and override what differs.
 */
import { z } from 'zod';
import { ServerScript } from '../../mock-server/index.ts';
import { PROTOCOLS } from '../../protocol/sut-result.ts';

export const SCENARIO_GROUPS = ['expiry', 'resume-rejection', 'connection-faults', 'delivery', 'timing', 'malformed-input', 'end-of-conversation', 'long-session'] as const;
export const SEVERITIES = ['critical', 'major', 'minor'] as const;

const Id = z.string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)*$/, 'lowercase words joined by "-", variants after a "." (e.g. goaway.close-1006)')
  .describe('Stable id: lowercase words joined by "-"; a variant is "<base id>.<name>".');

export const Outcome = z.enum(['completes', 'reports-loss', 'gives-up']).describe(
  'completes: every turn done, context intact. reports-loss: the context cannot survive; the client must notice and say so (end failed, or fall back to a new session and report contextLost). gives-up: the server never recovers; the client must end failed within its budget, without a storm. (A client that completes with its context intact passes all three.)',
);
export type Outcome = z.infer<typeof Outcome>;

export const Expectation = z.strictObject({
  outcome: Outcome,
  maxAttemptsPerOutage: z.number().int().positive().default(5).describe('Most connection attempts one outage may take before the client must stop (spec default 3, with a little slack).'),
  minRetryGap: z.number().nonnegative().default(0.25).describe('Shortest allowed idle gap, in seconds, between two failed attempts of one outage.'),
  stallAfter: z.number().positive().default(25).describe('Seconds after which a conversation with both sides waiting has stalled.'),
  maxReconnects: z.number().int().nonnegative().optional().describe('Most reconnects a conformant client needs in this run. Set it where the server never forces one (0): a client that reconnects anyway abandoned a healthy connection.'),
}).describe('What the judge holds the client to.');
export type Expectation = z.infer<typeof Expectation>;

export const Conversation = z.strictObject({
  maxTurns: z.number().int().positive().default(20).describe('Prospect turns the client is asked to complete.'),
}).describe('The conversation the client is asked to hold.');

export const Exercise = z.strictObject({
  waive: z.array(z.string().regex(/^(expiry-notice|handle-rejected|fault:\d+)$/, 'a derived requirement: expiry-notice, handle-rejected or fault:<index>')).min(1).describe('Derived requirements (harness/analysis/exercise.ts) this scenario does not need to happen for its verdict to mean something.'),
  why: z.string().min(1).describe('Why the verdict means something without them.'),
}).describe('What must happen for the verdict to mean something is derived from the server script (an expiry notice reached, each fault fired, a handle rejected); a run where it did not happen is UNKNOWN. Waive a derived requirement here, by name and with a reason.');

const Base = {
  $schema: z.string().optional().describe('Path to scenario.schema.json, for editors.'),
  title: z.string().min(1).describe('One line: what happens.'),
  description: z.string().min(1).describe('What the server does, step by step.'),
  expectation: z.string().min(1).describe('What a conformant client must do, in words.'),
  why: z.string().min(1).describe('Why the scenario exists: the bug it catches.'),
  group: z.enum(SCENARIO_GROUPS).describe('The catalog group it is listed under.'),
  severity: z.enum(SEVERITIES).default('major').describe('critical: context loss or a dead conversation; major: a failed conversation or a storm; minor: inefficiency.'),
  provenance: z.array(z.string().min(1)).min(1).describe('Field failures (F1–F24 of docs/field-failures.md) or clauses of docs/ai-voice-protocol.md (e.g. "spec §6.2") the scenario comes from.'),
  conversation: Conversation.prefault({}),
  server: ServerScript.prefault({}),
  expect: Expectation,
  exercise: Exercise.optional(),
  limit: z.number().positive().default(4 * 3600).describe('Protocol seconds after which the run is stopped and judged as a hang.'),
  faces: z.array(z.enum(PROTOCOLS)).min(1).default([...PROTOCOLS]).describe(
    'The wires on which the scenario means what it says (--protocol). Default: both faces of the mock. A scenario whose fault exists on one wire only (an HTTP session call, session:resumed, the AI-voice close codes) names that face and says why in `why`.',
  ),
  notThroughServer: z.string().min(1).optional().describe(
    'Set when the scenario has no meaning with a server under test in front of the Gemini face (--server): why. A fault that belongs between a client and its server (a proxy\'s byte ceiling) means something else, or nothing, on the server\'s upstream. Absent: every Gemini-face scenario runs through a server.',
  ),
};

/** One runnable scenario, after variant expansion and defaults. */
export const Scenario = z.strictObject({ id: Id, ...Base, base: z.string().optional() });
export type Scenario = z.infer<typeof Scenario>;

/**
 * One variant as written in a file: an id and a title, and whatever differs from the base. It
 * deep-merges into the base (objects key by key; arrays and scalars replace), so every field is
 * optional here; the merged scenario is validated in full by the loader.
 */
export const Variant = z.strictObject({
  id: Id,
  title: z.string().min(1).describe('One line: what this variant changes.'),
  description: z.string().min(1).optional(),
  expectation: z.string().min(1).optional(),
  why: z.string().min(1).optional(),
  group: z.enum(SCENARIO_GROUPS).optional(),
  severity: z.enum(SEVERITIES).optional(),
  provenance: z.array(z.string().min(1)).min(1).optional(),
  conversation: Conversation.partial().optional(),
  server: ServerScript.optional(),
  expect: Expectation.partial().optional(),
  exercise: Exercise.optional(),
  limit: z.number().positive().optional(),
  faces: z.array(z.enum(PROTOCOLS)).min(1).optional(),
  notThroughServer: z.string().min(1).optional(),
}).describe('A variant: deep-merged into the base (objects key by key; arrays and scalars replace).');

/** The file schema editors use (scenarios/scenario.schema.json is generated from it): the base fields plus variants. */
export const ScenarioFile = z.strictObject({
  id: Id,
  ...Base,
  variants: z.array(Variant).optional(),
});
