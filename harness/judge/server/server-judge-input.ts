/**
 * What the server axes read: the run's one history (server-history.ts), what the harness's
 * probes did, the agent the server was given, and how long a server may take to react.
 */
import type { ServerHistory } from './server-history.ts';

/** What a probe of the harness did (harness/server/server-probes.ts), as the judge needs it. */
export interface ProbeFacts {
  readonly probe: 'tenant' | 'isolation';
  readonly exercised: boolean;
  readonly note: string;
  readonly from: number;
  readonly to: number;
  /** tenant: the fingerprint of the handle presented under the other share token. */
  readonly presented?: string;
}

export interface ServerAxesInput {
  readonly history: ServerHistory;
  readonly probes: readonly ProbeFacts[];
  /** The agent of the run's share token (RESUME_HARNESS_AGENTS). */
  readonly agent: { readonly model: string; readonly systemInstruction: string };
  /**
   * Protocol ms a server is given to react to one event (relay a frame, close a socket): a few
   * hundred real ms, converted with the time scale. A rule that needs a reaction judges only
   * when the window was open that long; before that, it says nothing (never a false alarm).
   */
  readonly reactionMs: number;
}

/** The server axes, in the order reports show them (docs/server-contract.md §2, §3). */
export const SERVER_AXES = ['lifecycle', 'handle-relay', 'expiry-relay', 'resume-passthrough', 'tenant-binding', 'isolation', 'close-codes', 'frame-types', 'upstream', 'secrets'] as const;
export type ServerAxis = (typeof SERVER_AXES)[number];
