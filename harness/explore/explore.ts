/**
 * `resume-harness explore`: random fault schedules (schedule-arbitrary.ts) run against a client
 * in virtual mode until one fails, then shrunk by fast-check to a minimal one. The property is
 * "the judge does not fail the client on this schedule"; fast-check's seed makes the sequence of
 * schedules, and each run is deterministic in virtual time, so one seed gives one result.
 *
 * A FAILED verdict fails the property (NON-STRICT too with `strict`); UNKNOWN — the harness
 * could not judge — does not: exploring must not report a client for the harness's trouble. Such
 * runs are counted and reported instead.
 */
import fc from 'fast-check';
import type { Verdict } from '../judge/verdict.ts';
import { runScenario, type ScenarioRun } from '../run/run-scenario.ts';
import type { SystemUnderTest } from '../sut/system-under-test.ts';
import { scheduleArbitrary, type Schedule } from './schedule-arbitrary.ts';
import { scenarioOf } from './schedule-scenario.ts';

export interface ExploreOptions {
  readonly sut: SystemUnderTest;
  readonly seed: number;
  /** Schedules to try at most. */
  readonly runs: number;
  /** Stop trying new schedules after this many real ms (the shrink of a found failure still completes). */
  readonly timeLimitMs?: number;
  /** NON-STRICT fails a schedule too. */
  readonly strict?: boolean;
  /**
   * The reference client, run on every schedule the client under test fails: a schedule the
   * reference fails too is not held against the client (it is a false alarm of the judge, a
   * schedule the arbitrary should not draw, or a bug of the reference) and is counted and kept
   * apart instead (`suspect`). Absent: every failure counts.
   */
  readonly reference?: SystemUnderTest;
  /** Called after each run (progress). */
  readonly onRun?: (run: ScenarioRun, index: number) => void;
}

export interface ExploreFailure {
  readonly schedule: Schedule;
  /** The verdict of the shrunk schedule's run, with the reasons of its failing axes. */
  readonly verdict: Verdict;
  readonly reasons: readonly string[];
  /** Schedules tried up to and including the first failing one. */
  readonly runsToFailure: number;
  readonly shrinks: number;
}

export interface ExploreResult {
  /** Every run, the shrinking ones included. */
  readonly runs: number;
  /** Distinct schedules tried before stopping (fast-check's count). */
  readonly schedules: number;
  readonly unknown: number;
  /** Schedules the client failed and the reference failed too: not counted against the client. */
  readonly suspect: number;
  /** The first of them, with the reference's reasons, for whoever keeps the harness. */
  readonly firstSuspect: { readonly schedule: Schedule; readonly reasons: readonly string[] } | null;
  readonly wallMs: number;
  readonly interrupted: boolean;
  readonly failure: ExploreFailure | null;
}

const failing = (verdict: Verdict, strict: boolean): boolean => verdict === 'FAILED' || (strict && verdict === 'NON-STRICT');

export async function explore(options: ExploreOptions): Promise<ExploreResult> {
  const started = performance.now();
  let runs = 0;
  let unknown = 0;
  const runOne = async (schedule: Schedule): Promise<ScenarioRun> => {
    const run = await runScenario(scenarioOf(schedule), options.sut, { mode: 'virtual', seed: options.seed, timeScale: 1 });
    runs++;
    if (run.judgement.overall === 'UNKNOWN') unknown++;
    options.onRun?.(run, runs);
    return run;
  };
  let suspect = 0;
  let firstSuspect: ExploreResult['firstSuspect'] = null;
  const property = fc.asyncProperty(scheduleArbitrary, async (schedule) => {
    const run = await runOne(schedule);
    if (!failing(run.judgement.overall, options.strict === true)) return true;
    if (!options.reference) return false;
    const reference = await runScenario(scenarioOf(schedule), options.reference, { mode: 'virtual', seed: options.seed, timeScale: 1 });
    if (!failing(reference.judgement.overall, options.strict === true)) return false;
    suspect++;
    firstSuspect ??= { schedule, reasons: reasonsOf(reference) };
    return true;
  });
  const details = await fc.check(property, {
    seed: options.seed,
    numRuns: options.runs,
    ...(options.timeLimitMs !== undefined ? { interruptAfterTimeLimit: options.timeLimitMs, markInterruptAsFailure: false } : {}),
    // Shrinking replays candidates: bound it so a pathological case cannot run for ever.
    endOnFailure: false,
  });
  if (!details.failed || !details.counterexample) {
    return { runs, schedules: details.numRuns, unknown, suspect, firstSuspect, wallMs: performance.now() - started, interrupted: details.interrupted, failure: null };
  }
  const [schedule] = details.counterexample;
  // The shrunk schedule's own run, for its reasons (the last run of the shrink is not always the minimal one).
  const run = await runOne(schedule);
  const reasons = reasonsOf(run);
  return {
    runs,
    schedules: details.numRuns,
    unknown,
    suspect,
    firstSuspect,
    wallMs: performance.now() - started,
    interrupted: details.interrupted,
    failure: { schedule, verdict: run.judgement.overall, reasons, runsToFailure: details.numRuns, shrinks: details.numShrinks },
  };
}

const reasonsOf = (run: ScenarioRun): string[] =>
  Object.entries(run.judgement.axes).filter(([, a]) => a.verdict !== 'OK' && a.verdict !== 'INFORMATIONAL').map(([axis, a]) => `${axis} ${a.verdict}: ${a.reason}`);
