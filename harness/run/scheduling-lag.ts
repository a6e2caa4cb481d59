/**
 * The harness's own scheduling lag in network mode (issue 12, "a starved harness is no
 * failure"). Network-mode verdicts rest on timing at a time scale (0.005 real s per protocol s
 * by default: a 10 s margin is 50 real ms), and a starved event loop delays the mock server's
 * timers and frames as much as the client's. The monitor measures the event-loop delay
 * (perf_hooks.monitorEventLoopDelay) and how late a 5 ms probe timer fires; a verdict that rests
 * on timing finer than the lag, in protocol time, is not evidence (judge/starvation.ts).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface LagReport {
  /** The latest a probe timer fired, in real ms. */
  readonly maxTimerLateMs: number;
  /** The 99th percentile of probe timer lateness, in real ms. */
  readonly p99TimerLateMs: number;
  /** perf_hooks' event-loop delay, max and 99th percentile, in real ms. */
  readonly loopDelayMaxMs: number;
  readonly loopDelayP99Ms: number;
  readonly samples: number;
}

/**
 * The probe's period. A stall of D real ms shows as a probe late by at least D − PROBE_MS, so a
 * windowed reading adds the period back (lagWithin); 5 ms keeps that blind spot at 1 protocol s
 * at the default scale, under the finest timing any rule judges (2 s).
 */
const PROBE_MS = 5;

/**
 * Where in the run the lag fell: each probe that fired late, at the protocol time it fired and
 * how late, in real ms. A probe late by L covers the L real ms before it: the loop was stalled
 * then. Kept beside the report, not in it (one entry per late probe).
 */
export interface LagTimeline {
  readonly timeScale: number;
  readonly late: ReadonlyArray<readonly [protocolMs: number, lateRealMs: number]>;
}

/** What a monitor measured: the report (kept in the run) and where the lag fell (read by the starvation discount). */
export interface LagReading {
  readonly report: LagReport;
  readonly timeline: LagTimeline;
}

export interface LagMonitor {
  stop(): LagReading;
}

/** Probes late by less than this are not kept in the timeline: no judged timing is that fine. */
const TIMELINE_FLOOR_MS = 1;

/** `clock`: the run's protocol clock, to place the lag in the run. */
export function startLagMonitor(clock: { now(): number; readonly timeScale: number }): LagMonitor {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const late: number[] = [];
  const placed: Array<readonly [number, number]> = [];
  let expected = performance.now() + PROBE_MS;
  const timer = setInterval(() => {
    const now = performance.now();
    const lateMs = Math.max(0, now - expected);
    late.push(lateMs);
    if (lateMs >= TIMELINE_FLOOR_MS) placed.push([clock.now(), lateMs]);
    expected = now + PROBE_MS;
  }, PROBE_MS);
  timer.unref?.();
  return {
    stop() {
      clearInterval(timer);
      histogram.disable();
      return { report: lagReportOf(late, histogram.max / 1e6, histogram.percentile(99) / 1e6), timeline: { timeScale: clock.timeScale, late: placed } };
    },
  };
}

/**
 * The worst lag, real ms, of the stalls that overlap protocol window [from, to] widened by
 * `marginMs` on each side, plus the probe's period: a probe late by L saw a stall of up to
 * L + PROBE_MS, and a stall shorter than the period may have gone unseen anywhere.
 */
export function lagWithin(timeline: LagTimeline, window: { readonly fromMs: number; readonly toMs: number }, marginMs: number): number {
  const from = window.fromMs - marginMs;
  const to = window.toMs + marginMs;
  let worst = 0;
  for (const [at, lateMs] of timeline.late) {
    const began = at - (lateMs + PROBE_MS) / timeline.timeScale;
    if (at >= from && began <= to) worst = Math.max(worst, lateMs);
  }
  return worst + PROBE_MS;
}

export function lagReportOf(lateMs: readonly number[], loopDelayMaxMs: number, loopDelayP99Ms: number): LagReport {
  const sorted = [...lateMs].sort((a, b) => a - b);
  const p99 = sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(0.99 * sorted.length))]!;
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return { maxTimerLateMs: round(sorted.at(-1) ?? 0), p99TimerLateMs: round(p99), loopDelayMaxMs: round(Number.isFinite(loopDelayMaxMs) ? loopDelayMaxMs : 0), loopDelayP99Ms: round(Number.isFinite(loopDelayP99Ms) ? loopDelayP99Ms : 0), samples: sorted.length };
}

/** The worst lag the run saw, in real ms: what any timing in it may be off by. */
export const worstLagMs = (lag: LagReport): number => Math.max(lag.maxTimerLateMs, lag.loopDelayMaxMs);

/**
 * `--time-scale auto`: a short jitter probe (PROBE_RUN_MS of 1 ms timers) and the smallest scale
 * at which its 99th-percentile lateness, times SAFETY, stays within TOLERANCE_PROTOCOL_MS of
 * protocol time — never below `floor` (the default scale). The CLI flag is wired elsewhere.
 */
export const TOLERANCE_PROTOCOL_MS = 250;
const SAFETY = 4;
const PROBE_RUN_MS = 300;

export async function probeTimeScale(floor = 0.005, ceiling = 0.2): Promise<{ scale: number; p99LateMs: number }> {
  const late: number[] = [];
  const until = performance.now() + PROBE_RUN_MS;
  while (performance.now() < until) {
    const start = performance.now();
    await new Promise<void>((resolve) => setTimeout(resolve, 1));
    late.push(Math.max(0, performance.now() - start - 1));
  }
  const { p99TimerLateMs } = lagReportOf(late, 0, 0);
  return { scale: safeScale(p99TimerLateMs * SAFETY, TOLERANCE_PROTOCOL_MS, floor, ceiling), p99LateMs: p99TimerLateMs };
}

/** The smallest scale (rounded up to 1, 2 or 5 × 10^n) at which `lagMs` of real time is at most `toleranceProtocolMs` of protocol time. */
export function safeScale(lagMs: number, toleranceProtocolMs: number, floor = 0.005, ceiling = 1): number {
  const needed = lagMs / toleranceProtocolMs;
  if (needed <= floor) return floor;
  const exponent = Math.floor(Math.log10(needed));
  for (const step of [1, 2, 5, 10]) {
    const candidate = step * 10 ** exponent;
    if (candidate >= needed) return Math.min(ceiling, Number(candidate.toPrecision(3)));
  }
  return ceiling;
}
