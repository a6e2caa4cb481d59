/**
 * The reference simulator passes every scenario of the catalog in virtual time, across five
 * seeds: no scenario raises a false alarm (issue 3: "the reference simulator passes all,
 * across 5 seeds").
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../harness/run/run-scenario.ts';
import { builtinSut } from '../../harness/sut/builtin-sut.ts';
import { CATALOG } from '../testing/catalog-support.ts';

const SEEDS = [1, 2, 3, 4, 5];

describe('the reference simulator, virtual time, 5 seeds', () => {
  it.each(CATALOG.map((s) => [s.id, s] as const))('%s', async (_id, scenario) => {
    for (const seed of SEEDS) {
      const run = await runScenario(scenario, builtinSut(), { mode: 'virtual', seed, timeScale: 1 });
      const faults = Object.entries(run.judgement.axes).filter(([, a]) => a.verdict !== 'OK' && a.verdict !== 'INFORMATIONAL');
      expect(run.judgement.overall, `seed ${seed}: ${faults.map(([axis, a]) => `${axis}: ${a.reason}`).join(' | ')}`).toBe('OK');
    }
  });
});
