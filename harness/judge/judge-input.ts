import type { Protocol, SutResult } from '../../protocol/sut-result.ts';
import type { RunAnalysis } from '../analysis/run-analysis.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { ClientReport } from '../sut/system-under-test.ts';

export interface JudgeInput {
  readonly scenario: Scenario;
  /** The wire the client spoke (default ai-voice): it names what a valid frame is. */
  readonly protocol?: Protocol;
  /** The timeline and conversation facts, worked out once per run (analysis/run-analysis.ts). */
  readonly analysis: RunAnalysis;
  readonly client: ClientReport;
  /** Everything the client printed or logged. */
  readonly output: readonly string[];
  /** Every secret the server issued (handles, tokens), to look for in the client's output. */
  readonly secrets: readonly string[];
  /**
   * Through a server under test: per upstream connection, the protocol ms its relays added to
   * the client's deadline (judge/server/relay-lag.ts). Absent when the client meets the mock.
   */
  readonly relayLagMs?: ReadonlyMap<number, number>;
  /**
   * 'virtual' when the run was on the virtual clock with intercepted sockets: every attempt the
   * client made reached the mock at the protocol instant it was made. In network mode an attempt
   * can stall in the kernel or never arrive (measured: a resume's connect held 17 protocol s at
   * scale 0.005 under load), so how late the journal saw it says nothing of the client.
   * Absent: not known to be virtual.
   */
  readonly mode?: 'virtual' | 'network';
}

export const resultOf = (client: ClientReport): SutResult | null => (client.state === 'reported' ? client.result : null);

/** Whether the client told us it did not finish with its context: it failed, or said so. */
export const clientReportedLoss = (client: ClientReport): boolean => {
  const r = resultOf(client);
  return r !== null && (r.status === 'failed' || r.contextLost);
};

export const s = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
export const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
