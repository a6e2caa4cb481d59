/**
 * Every scenario earns its place: each broken client scenarios/catchers.json names for it is
 * FAILED by the harness on that scenario, on the axis named (virtual time, three seeds) — or
 * NON-STRICT, for a bug the protocol allows (Mutant.detectedAs). The
 * reference passes the same runs (reference-virtual.test.ts), so the failure is the bug's.
 *
 * Mutants that may never end run last: a client that never ends keeps reconnecting in real
 * time after its run, and must not reach the runs after it.
 */
import { describe, expect, it } from 'vitest';
import { findMutant } from '../../simulator/index.ts';
import { runScenario } from '../../harness/run/run-scenario.ts';
import { simulatorSut } from '../../harness/sut/builtin-sut.ts';
import { CATALOG, CATCHERS, MAY_HANG } from '../testing/catalog-support.ts';

const SEEDS = [1, 2, 3];
const cases = CATALOG.flatMap((scenario) =>
  (CATCHERS[scenario.id] ?? []).filter((c) => c.mode === 'virtual').map((c) => ({ name: `${scenario.id} ✗ ${c.mutant} (${c.axis})`, scenario, catcher: c })),
).sort((a, b) => Number(MAY_HANG.has(a.catcher.mutant)) - Number(MAY_HANG.has(b.catcher.mutant)));

describe('each scenario fails the broken clients it exists to catch', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, { scenario, catcher }) => {
    const mutant = findMutant(catcher.mutant);
    expect(mutant, catcher.mutant).toBeDefined();
    for (const seed of SEEDS) {
      const run = await runScenario(scenario, simulatorSut(`mutant:${catcher.mutant}`, mutant!.create), { mode: 'virtual', seed, timeScale: 1 });
      // A bug the protocol allows is detected as exactly NON-STRICT (Mutant.detectedAs; docs/judge-rules.md).
      const detectedAs = mutant!.detectedAs ?? 'FAILED';
      expect(run.judgement.overall, `seed ${seed}: ${JSON.stringify(run.judgement.axes)}`).toBe(detectedAs);
      expect(run.judgement.axes[catcher.axis].verdict, `seed ${seed}: ${catcher.axis}: ${run.judgement.axes[catcher.axis].reason}`).toBe(detectedAs);
    }
  });
});
