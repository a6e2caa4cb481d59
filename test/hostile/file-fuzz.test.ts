/**
 * Scenario files and client result files (captures) under mutation (issue 13 §1): `validate`
 * exits 0 or 2, never throws, and each refusal names the file and the place (the field a
 * structural mutation touched, the line and column of broken JSON); a mutated result file
 * becomes a report with a reason. `npm run fuzz` runs more of them.
 */
import { describe, expect, it } from 'vitest';
import { fuzzScenarioFiles } from './testing/scenario-fuzz.ts';

describe('mutated scenario files and captures', () => {
  it('400 seeded mutations: exit 0 or 2, never a crash, every refusal precise', async () => {
    const figures = await fuzzScenarioFiles({ count: 400, seed: 21 });
    expect(figures.crashes).toEqual([]);
    expect(figures.imprecise).toEqual([]);
    expect(figures.inputs).toBe(400);
    // Both kinds were fuzzed, and most mutations were refused: the check is not vacuous.
    expect(figures.scenarioFiles).toBeGreaterThan(100);
    expect(figures.captures).toBeGreaterThan(100);
    expect(figures.refused).toBeGreaterThan(figures.inputs / 2);
    expect(figures.refused + figures.accepted).toBe(figures.inputs);
  }, 60_000);
});
