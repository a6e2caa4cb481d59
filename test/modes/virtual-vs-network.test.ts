/**
 * The same scenarios over real sockets on 127.0.0.1 (time scaled) give the same verdicts as
 * in virtual time: the judgement does not depend on the transport.
 */
import { describe, expect, it } from 'vitest';
import { runScenario, type ScenarioRun } from '../../harness/run/run-scenario.ts';
import { catalogFiles, loadFiles } from '../../harness/scenario/loader.ts';
import { builtinSut } from '../../harness/sut/builtin-sut.ts';

const core = loadFiles(catalogFiles().filter((f) => f.includes('/core/'))).map((l) => l.scenario);
const TIME_SCALE = 0.02;
const verdicts = (run: ScenarioRun) => ({ overall: run.judgement.overall, ...Object.fromEntries(Object.entries(run.judgement.axes).map(([k, v]) => [k, v.verdict])) });

async function inBatches<T, R>(items: readonly T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

describe('virtual and network modes agree', () => {
  it('on every core scenario and variant', async () => {
    // Virtual runs fake the process's timers: all of them first, one at a time.
    const virtual: ScenarioRun[] = [];
    for (const scenario of core) virtual.push(await runScenario(scenario, builtinSut(), { mode: 'virtual', seed: 3, timeScale: 1 }));
    const network = await inBatches(core, 6, (scenario) => runScenario(scenario, builtinSut(), { mode: 'network', seed: 3, timeScale: TIME_SCALE }));
    const disagreements = core
      .map((scenario, i) => ({ id: scenario.id, virtual: verdicts(virtual[i]!), network: verdicts(network[i]!), reasons: network[i]!.judgement.axes }))
      .filter((d) => JSON.stringify(d.virtual) !== JSON.stringify(d.network));
    expect(disagreements).toEqual([]);
    expect(virtual.every((run) => run.judgement.overall === 'OK')).toBe(true);
    // Over the network the journal comes from real sockets: it must show real traffic.
    expect(network.every((run) => run.journal.some((e) => e.kind === 'frame-in'))).toBe(true);
  }, 300_000);
});
