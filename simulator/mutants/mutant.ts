/**
 * A mutant: a client with exactly one bug, for the harness's detection matrix. Most are the
 * reference simulator with one decision overridden (`decisions`, merged over DEFAULT_DECISIONS);
 * a few also set a policy knob, or wrap the WebSocket the client is given (a bug below the
 * simulator, in its transport); the seed plan's port is a client of its own (`create`).
 */
import type { WebSocketCtor } from '../core/connection.ts';
import type { ResumeDecisions } from '../core/decisions.ts';
import type { ResumePolicy } from '../core/policy.ts';
import { ProspectSimulator } from '../prospect-simulator.ts';
import type { SimulatorOptions } from '../simulator-types.ts';

export interface Mutant {
  /** Stable id, used as `--sut mutant:<id>` and in the matrix. */
  readonly id: string;
  readonly trap: string;
  /** The bug, in one sentence. */
  readonly bug: string;
  /**
   * The modes in which the bug can show at all (default: both). A bug below msw's WebSocket —
   * pings, TCP — cannot in virtual mode: the matrix shows such a mutant as not applicable
   * there, rather than as an escape.
   */
  readonly modes?: readonly ('virtual' | 'network')[];
  /**
   * The verdict the bug deserves (default FAILED). NON-STRICT for a deviation the spec words as
   * "allowed, not ideal": the matrix counts the harness grading it NON-STRICT as detection.
   */
  readonly detectedAs?: 'FAILED' | 'NON-STRICT';
  create(options: SimulatorOptions): { run(): Promise<unknown> };
}

/** How a mutant of the reference differs from it. */
export interface ReferenceOverride {
  /** Decisions replaced (the rest stay DEFAULT_DECISIONS). */
  readonly decisions?: Partial<ResumeDecisions>;
  /** Policy knobs set on top of the run's own. */
  readonly policy?: Partial<ResumePolicy>;
  /** Wraps the WebSocket the client is given: the bug is in the client's transport layer. */
  readonly webSocket?: (inner: WebSocketCtor, options: SimulatorOptions) => WebSocketCtor;
}

/** The reference simulator with `override` applied to its options. */
export function createOverridden(override: ReferenceOverride, options: SimulatorOptions): ProspectSimulator {
  let opts = options;
  if (override.policy) opts = { ...opts, policy: { ...opts.policy, ...override.policy } };
  if (override.decisions) opts = { ...opts, decisions: override.decisions };
  if (override.webSocket) {
    const inner = opts.WebSocket ?? (globalThis as { WebSocket?: WebSocketCtor }).WebSocket;
    if (inner) opts = { ...opts, WebSocket: override.webSocket(inner, opts) };
  }
  return new ProspectSimulator(opts);
}

/** A gallery entry: the reference with one override. */
export interface OverrideMutant extends Mutant, ReferenceOverride {}

export const overrideMutant = (id: string, trap: string, bug: string, override: ReferenceOverride): OverrideMutant => ({
  id,
  trap,
  bug,
  ...override,
  create: (options) => createOverridden(override, options),
});
