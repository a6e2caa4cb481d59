/**
 * What both mutation suites (test/mutation/catalog-as-suite.test.ts, gemini-catalog-as-suite.test.ts)
 * assert per scenario: the run's overall verdict is OK, with the message Stryker keeps as the
 * kill's reason (tools/mutation-score.ts reads it: a hang is a kill only when the verdict names
 * it, never on the harness's real-time backstop, "of real time").
 */
import { expect } from 'vitest';
import { runScenario } from '../../harness/run/run-scenario.ts';
import type { Scenario } from '../../harness/scenario/schema.ts';
import type { SystemUnderTest } from '../../harness/sut/system-under-test.ts';
import type { Protocol } from '../../protocol/sut-result.ts';

/** The seed of every mutation run: the first of the catalog tests' five. Same seed, same verdict. */
export const MUTATION_SEED = 1;

export async function expectScenarioOk(scenario: Scenario, sut: SystemUnderTest, protocol?: Protocol): Promise<void> {
  const run = await runScenario(scenario, sut, { mode: 'virtual', seed: MUTATION_SEED, timeScale: 1, ...(protocol ? { protocol } : {}) });
  const faults = Object.entries(run.judgement.axes)
    .filter(([, a]) => a.verdict !== 'OK' && a.verdict !== 'INFORMATIONAL')
    .map(([axis, a]) => `${axis} ${a.verdict}: ${a.reason}`);
  const client = run.client.state === 'reported' ? 'reported' : `${run.client.state}: ${run.client.reason}`;
  expect(run.judgement.overall, `client ${client} | ${faults.join(' | ')}`).toBe('OK');
}
