/**
 * Clients with a bug put back, and a helper that runs scenarios against them and writes every
 * report format, as the CLI does. Virtual time: a scenario takes milliseconds.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReportWriter, type ReportFormat, type RunSummary, ALL_FORMATS } from '../../harness/report/report-writer.ts';
import { runScenario, type ScenarioRun } from '../../harness/run/run-scenario.ts';
import type { Scenario } from '../../harness/scenario/schema.ts';
import { simulatorSut } from '../../harness/sut/builtin-sut.ts';
import type { SystemUnderTest } from '../../harness/sut/system-under-test.ts';
import { ProspectSimulator, type SimulatorOptions } from '../../simulator/index.ts';

/**
 * The seed plan's client: waits for the server to close after session_expiring (T6) and
 * then takes the close as the end (T1), so every expiry and every drop loses the conversation.
 */
export class BrokenClient extends ProspectSimulator {
  constructor(options: SimulatorOptions) {
    super({ ...options, decisions: { shouldReconnect: () => false, rotationDelayMs: () => 1e9, isRotationBoundary: () => false } });
  }
}

/** T12: logs the share and session tokens (and anything else it knows) in full. */
export class LeakyClient extends ProspectSimulator {
  constructor(options: SimulatorOptions) {
    super({ ...options, decisions: { redactSecrets: (text) => text } });
  }
}

export const brokenSut = (): SystemUnderTest => simulatorSut('broken', (o) => new BrokenClient(o));
export const leakySut = (): SystemUnderTest => simulatorSut('module:./clients/leaky client.ts', (o) => new LeakyClient(o));

export interface ReportedRun {
  readonly summary: RunSummary;
  readonly runs: ScenarioRun[];
  readonly reportsRoot: string;
}

export async function runAndReport(
  scenarios: readonly Scenario[],
  suts: readonly SystemUnderTest[],
  options: {
    seed?: number; formats?: readonly ReportFormat[]; reportsRoot?: string; runId?: string; strict?: boolean;
    /** Alters a run before it is reported (a client that leaks more than the simulator does). */
    tamper?: (run: ScenarioRun) => ScenarioRun;
    /** Which SUT × scenario pairs to run; all by default. */
    only?: (sut: SystemUnderTest, scenario: Scenario) => boolean;
  } = {},
): Promise<ReportedRun> {
  const reportsRoot = options.reportsRoot ?? mkdtempSync(join(tmpdir(), 'resume-harness-reports-'));
  const seed = options.seed ?? 42;
  const strict = options.strict ?? false;
  const writer = await createReportWriter({
    reportsRoot, runId: options.runId ?? 'run-1', formats: new Set(options.formats ?? ALL_FORMATS), seed, mode: 'virtual', strict, timeScale: 1,
  });
  const runs: ScenarioRun[] = [];
  for (const sut of suts) {
    for (const scenario of scenarios) {
      if (options.only && !options.only(sut, scenario)) continue;
      const raw = await runScenario(scenario, sut, { mode: 'virtual', seed, timeScale: 1 });
      const run = options.tamper ? options.tamper(raw) : raw;
      runs.push(run);
      await writer.scenarioDone(run);
    }
  }
  return { summary: await writer.finish(), runs, reportsRoot };
}
