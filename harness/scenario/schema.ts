/**
 * A scenario file: what the server does (the server script), what a conformant client
 * must achieve, and why. Variants inherit everything and override what differs.
 */
import { z } from 'zod';
import { ServerScript } from '../../mock-server/script/schema.ts';

export const SCENARIO_GROUPS = ['expiry', 'resume-rejection', 'connection-faults', 'delivery', 'timing', 'malformed-input', 'end-of-conversation', 'long-session'] as const;
export const SEVERITIES = ['critical', 'major', 'minor'] as const;

const Id = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)*$/, 'lowercase words joined by "-", variants after a "." (e.g. goaway.close-1006)');

export const Outcome = z.enum(['completes', 'reports-loss', 'gives-up']);
export type Outcome = z.infer<typeof Outcome>;

export const Expectation = z.strictObject({
  /**
   * completes: every turn done, context intact.
   * reports-loss: the context cannot survive; the client must notice and say so (fail, or fall back and report).
   * gives-up: the server never recovers; the client must end failed within its budget, without a storm.
   */
  outcome: Outcome,
  /** Most connection attempts one outage may take before the client must stop (spec default 3; a little slack). */
  maxAttemptsPerOutage: z.number().int().positive().default(5),
  /** Shortest allowed idle gap between two failed attempts of one outage (protocol seconds). */
  minRetryGap: z.number().nonnegative().default(0.25),
  /** A conversation that waits this long with both sides idle has stalled (protocol seconds). */
  stallAfter: z.number().positive().default(25),
});
export type Expectation = z.infer<typeof Expectation>;

export const Conversation = z.strictObject({
  maxTurns: z.number().int().positive().default(20),
});

const Base = {
  $schema: z.string().optional(),
  title: z.string().min(1),
  description: z.string().min(1),
  /** What a conformant client must do, in words. */
  expectation: z.string().min(1),
  /** Why the scenario exists: the bug it catches. */
  why: z.string().min(1),
  group: z.enum(SCENARIO_GROUPS),
  severity: z.enum(SEVERITIES).default('major'),
  /** Field failures (F1–F24 of the research) or spec clauses the scenario comes from. */
  provenance: z.array(z.string().min(1)).min(1),
  conversation: Conversation.prefault({}),
  server: ServerScript.prefault({}),
  expect: Expectation,
  /** Protocol seconds after which the run is stopped and judged as a hang. */
  limit: z.number().positive().default(4 * 3600),
};

/** One runnable scenario, after variant expansion and defaults. */
export const Scenario = z.strictObject({ id: Id, ...Base, base: z.string().optional() });
export type Scenario = z.infer<typeof Scenario>;

/** The file schema editors use: the base fields plus variants (kept loose, the loader validates each expansion). */
export const ScenarioFile = z.strictObject({
  id: Id,
  ...Base,
  variants: z.array(z.looseObject({ id: Id, title: z.string(), description: z.string().optional(), expectation: z.string().optional(), why: z.string().optional(), server: z.unknown().optional(), expect: z.unknown().optional(), conversation: z.unknown().optional(), limit: z.number().optional(), severity: z.string().optional(), provenance: z.array(z.string()).optional() })).optional(),
});
