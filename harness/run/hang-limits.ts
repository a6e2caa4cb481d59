/**
 * When a network run stops waiting for its client (issue 12, "time limits that fit the
 * scenario"): a hanging client used to cost the scenario's 4-hour limit scaled — about 87 s
 * of wall time per scenario at the default scale of 0.005 — so a catalog run against one lasted
 * over an hour.
 *
 * - The wall limit follows from the scenario's expected protocol duration
 *   (scenario/expected-duration.ts), WALL_LIMIT_FACTOR times it, scaled, plus a small slack:
 *   the bound for a client that keeps busy for ever (a reconnect loop).
 * - A client that hangs does nothing, and then nothing happens on the server either: no journal
 *   event for QUIET_PROTOCOL_S protocol seconds (at least QUIET_MIN_WALL_MS of wall time) ends
 *   the run as hung. No conformant client is that quiet: its longest silence is a back-off
 *   (≤ 30 s), an inactivity limit (30 s) plus a resume confirmation (10 s), or a slow agent's
 *   answer (≤ 25 s). Time the harness itself was starved does not count (a late poll).
 */
import { expectedDurationS, WALL_LIMIT_FACTOR } from '../scenario/expected-duration.ts';
import type { Scenario } from '../scenario/schema.ts';

export const QUIET_PROTOCOL_S = 120;
export const QUIET_MIN_WALL_MS = 2000;
/**
 * Before the client's first contact (no journal event yet) the watch waits longer: starting a
 * client process (`cmd:`: node, its modules) takes seconds on a loaded machine. Still under the
 * 10 s a hanging client may cost.
 */
export const STARTUP_WALL_MS = 8000;
export const DEFAULT_WALL_SLACK_MS = 5000;
const POLL_MS = 100;
/** A poll this late means the harness was starved: the gap is not the client's silence. */
const STARVED_POLL_MS = 500;

export function networkWallLimitMs(scenario: Scenario, timeScale: number, slackMs = DEFAULT_WALL_SLACK_MS): number {
  const protocolS = Math.min(scenario.limit, WALL_LIMIT_FACTOR * expectedDurationS(scenario));
  return protocolS * 1000 * timeScale + slackMs;
}

export const quietWallMs = (timeScale: number): number => Math.max(QUIET_MIN_WALL_MS, QUIET_PROTOCOL_S * 1000 * timeScale);

export interface NoProgressWatch {
  /** Resolves with the reason once nothing has happened for the quiet limit. */
  readonly stalled: Promise<string>;
  stop(): void;
}

export function watchForNoProgress(progress: () => number, quietMs: number, now: () => number = () => performance.now(), startupMs = STARTUP_WALL_MS): NoProgressWatch {
  let stop = (): void => {};
  const stalled = new Promise<string>((resolve) => {
    let seen = progress();
    let quietSince = now();
    let lastPoll = quietSince;
    const timer = setInterval(() => {
      const t = now();
      const late = t - lastPoll - POLL_MS;
      lastPoll = t;
      const count = progress();
      // Starved: the silence may be the harness's, not the client's. Start counting again.
      if (count !== seen || late > STARVED_POLL_MS) {
        seen = count;
        quietSince = t;
        return;
      }
      const limit = count === 0 ? Math.max(startupMs, quietMs) : quietMs;
      if (t - quietSince >= limit) {
        clearInterval(timer);
        resolve(count === 0
          ? `the client made no contact with the server in ${(limit / 1000).toFixed(1)} s of real time: it hangs`
          : `nothing happened on the server for ${(limit / 1000).toFixed(1)} s of real time (${QUIET_PROTOCOL_S} protocol s at least): the client hangs`);
      }
    }, POLL_MS);
    timer.unref?.();
    stop = () => clearInterval(timer);
  });
  return { stalled, stop: () => stop() };
}
