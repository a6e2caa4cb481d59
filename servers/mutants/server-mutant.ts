/**
 * A server mutant: the reference AI-voice server (servers/reference/) with exactly one
 * realistic bug, as REFERENCE_BEHAVIOUR with one or more decisions replaced
 * (servers/reference/behaviour.ts). The gallery proves the server suite as a measuring
 * instrument: each mutant must be caught on its own axis, and the reference on none.
 */
import { withOverrides, type ServerBehaviour } from '../reference/behaviour.ts';

/** The axes the harness judges a server on (docs/server-contract.md §3), in the judge's order (harness/judge/server/server-judge-input.ts; a test checks both lists agree). */
export const SERVER_AXES = [
  'lifecycle',
  'handle-relay',
  'expiry-relay',
  'resume-passthrough',
  'tenant-binding',
  'isolation',
  'close-codes',
  'frame-types',
  'upstream',
  'secrets',
] as const;
export type ServerAxis = (typeof SERVER_AXES)[number];

export interface ServerMutant {
  /** Stable id, `sN-kebab-case`: `--server mutant:<id>` (or `mutant:sN`) and `--mutant <id>`. */
  readonly id: string;
  /** A few words, for tables. */
  readonly title: string;
  /** The axis that must catch it. */
  readonly axis: ServerAxis;
  /** What it does wrong, in one sentence. */
  readonly bug: string;
  /** The contract clause it breaks, and the field failure it stands for, if any. */
  readonly standsFor: string;
  /**
   * The verdict the bug deserves on its axis (default FAILED). NON-STRICT for what the contract
   * words as allowed but graded (a system instruction sent again on resume, server-contract.md §2).
   */
  readonly detectedAs?: 'FAILED' | 'NON-STRICT';
  readonly behaviour: ServerBehaviour;
}

/** A mutant: the reference behaviour with `overrides` replacing some decisions. */
export function serverMutant(fields: Omit<ServerMutant, 'behaviour'>, overrides: Partial<ServerBehaviour>): ServerMutant {
  return Object.freeze({ ...fields, behaviour: withOverrides(overrides) });
}
