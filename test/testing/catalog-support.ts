/**
 * What the catalog tests share: the catalog, the catchers each scenario declares, and the time
 * scale a scenario runs at over real sockets.
 */
import { readCatchers, type Catcher } from '../../tools/catalog-table.ts';
import { loadCatalog } from '../../harness/scenario/loader.ts';
import type { Scenario } from '../../harness/scenario/schema.ts';

export const CATALOG: readonly Scenario[] = loadCatalog().map((l) => l.scenario);
export const CATCHERS: Readonly<Record<string, Catcher[]>> = readCatchers();

/** The four named scenarios of issue 2 (scenarios/core/) and their variants. */
export const CORE_BASES = ['goaway', 'delayed-close', 'invalid-handle', 'flapping'] as const;
export const isCore = (s: Scenario): boolean => (CORE_BASES as readonly string[]).includes(s.base ?? s.id);

/** Mutants whose failing runs can leave a client behind that never ends (a "zombie" that keeps reconnecting in real time, or waits for an end_conversation acknowledgement that never comes). */
export const MAY_HANG = new Set(['t9-no-half-open-detection', 't10-never-ends', 'waits-for-end-ack']);

/** A rough protocol duration of a scenario when it completes: turns × (think + answer). */
export function estimatedSeconds(s: Scenario): number {
  const [lo, hi] = s.server.agent.replyDelay;
  const turn = 6.5 + (lo + hi) / 2 + s.server.agent.chunks * s.server.agent.chunkGap;
  return 30 + s.conversation.maxTurns * turn;
}

/**
 * Real seconds per protocol second over the network: slow enough that a few milliseconds of
 * socket and scheduling overhead stay small next to the protocol's seconds (retry gaps are
 * judged on growth: 1.6 protocol s of overhead per attempt reads as a fixed delay), fast enough
 * that a long scenario still takes seconds, not minutes. Measured: at 0.02 a loaded machine
 * (two test processes on two cores) added up to 45 ms per attempt; at 0.003 the client's 60 s
 * session-creation timeout was 180 ms of real time, less than a cold `fetch` under load.
 */
export function networkTimeScale(s: Scenario): number {
  return Math.min(0.04, Math.max(0.004, 8 / estimatedSeconds(s)));
}
