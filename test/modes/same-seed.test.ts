/**
 * Same seed, same result, byte for byte: two virtual runs of a scenario with one seed give
 * identical journals (every frame, handle fingerprint and timestamp), client results and
 * verdicts. A different seed gives a different run.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../harness/run/run-scenario.ts';
import { catalogFiles, loadFiles } from '../../harness/scenario/loader.ts';
import { builtinSut } from '../../harness/sut/builtin-sut.ts';

const core = loadFiles(catalogFiles().filter((f) => f.includes('/core/'))).map((l) => l.scenario);

const comparable = (run: Awaited<ReturnType<typeof runScenario>>) =>
  JSON.stringify({ journal: run.journal, client: run.client, extra: run.clientExtra, output: run.output, judgement: run.judgement, protocolMs: run.protocolMs });

describe('determinism in virtual mode', () => {
  it.each(core.map((s) => [s.id, s] as const))('%s: same seed, identical run', async (_id, scenario) => {
    const a = await runScenario(scenario, builtinSut(), { mode: 'virtual', seed: 42, timeScale: 1 });
    const b = await runScenario(scenario, builtinSut(), { mode: 'virtual', seed: 42, timeScale: 1 });
    expect(a.journal.length).toBeGreaterThan(10);
    expect(comparable(b)).toBe(comparable(a));
  });

  it('a different seed changes the run', async () => {
    const scenario = core.find((s) => s.id === 'flapping')!;
    const a = await runScenario(scenario, builtinSut(), { mode: 'virtual', seed: 1, timeScale: 1 });
    const b = await runScenario(scenario, builtinSut(), { mode: 'virtual', seed: 2, timeScale: 1 });
    expect(JSON.stringify(b.journal)).not.toBe(JSON.stringify(a.journal));
  });
});
