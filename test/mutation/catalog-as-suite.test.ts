/**
 * The scenario catalog as the test suite of the reference Prospect Simulator (issue 15): what
 * StrykerJS runs against each mutant of the simulator's deciding code (stryker.config.mjs,
 * `npm run mutation`). A mutant is killed when any scenario's verdict is not OK; one `it` per
 * scenario, so that Stryker's bail stops at the first scenario that catches it.
 *
 * On the unmutated reference every scenario must be OK: that is this file's assertion, and
 * Stryker's dry run refuses to start when it fails. Virtual time, one seed: the same seed gives
 * the same verdict byte for byte, so a mutant's status does not depend on the machine's load.
 *
 * A hang is killed only when the verdict names it: the harness stops a virtual run that never
 * ends on protocol time or timer firings (deterministic) and says so in the client's report;
 * the message below carries that reason. A run stopped on the harness's real-time backstop
 * ("of real time") is the one hang that depends on the machine: tools/mutation-score.ts counts
 * it with Stryker's own timeouts, never as killed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../harness/run/run-scenario.ts';
import { stopInterception } from '../../harness/sandbox/msw-interception.ts';
import { builtinSut } from '../../harness/sut/builtin-sut.ts';
import { CATALOG } from '../testing/catalog-support.ts';

/** The seed of every run (the first of test/catalog/reference-virtual.test.ts's five). */
const MUTATION_SEED = 1;

describe('the catalog as the suite of the reference simulator (virtual time, seed 1)', () => {
  afterAll(() => stopInterception());

  it.each(CATALOG.map((s) => [s.id, s] as const))('%s', async (_id, scenario) => {
    const run = await runScenario(scenario, builtinSut(), { mode: 'virtual', seed: MUTATION_SEED, timeScale: 1 });
    const faults = Object.entries(run.judgement.axes)
      .filter(([, a]) => a.verdict !== 'OK' && a.verdict !== 'INFORMATIONAL')
      .map(([axis, a]) => `${axis} ${a.verdict}: ${a.reason}`);
    const client = run.client.state === 'reported' ? 'reported' : `${run.client.state}: ${run.client.reason}`;
    expect(run.judgement.overall, `client ${client} | ${faults.join(' | ')}`).toBe('OK');
  });
});
