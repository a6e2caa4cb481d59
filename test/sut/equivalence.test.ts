/**
 * Black-box judgement: the reference simulator plugged in three ways gets the same verdicts,
 * overall and per axis, on every scenario of the catalog — whatever the catalog holds.
 *
 *   builtin  the simulator in-process, given the harness's WebSocket, fetch and clock (virtual)
 *   module:  test/sut/fixtures/reference-module.ts, which constructs it with nothing injected:
 *            global WebSocket, fetch and timers, patched and faked by the harness (virtual)
 *   cmd:     simulator/cli.ts as a process, with the contract's variables, over real sockets
 *            on 127.0.0.1 at time scale 0.01 (network)
 *
 * In virtual time builtin and module must even leave the same journal, event for event. Over
 * the network, runs go four at a time, longest first; a run that disagrees is measured again
 * alone at a slower time scale before it counts — under load a few real milliseconds of CPU
 * contention stretch a retry gap by seconds of protocol time, which is noise of the measure,
 * not a difference of the client. A disagreement that survives that is a failure.
 */
import { resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runScenario, type ScenarioRun } from '../../harness/run/run-scenario.ts';
import { loadCatalog } from '../../harness/scenario/loader.ts';
import type { Scenario } from '../../harness/scenario/schema.ts';
import { builtinSut } from '../../harness/sut/builtin-sut.ts';
import { cmdSut } from '../../harness/sut/cmd-sut.ts';
import { moduleSut } from '../../harness/sut/module-sut.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const SEED = 1;
const TIME_SCALE = 0.01;
const CONCURRENCY = 4;
const catalog = loadCatalog().map((l) => l.scenario);

const verdicts = (run: ScenarioRun): Record<string, string> => ({
  overall: run.judgement.overall,
  ...Object.fromEntries(Object.entries(run.judgement.axes).map(([axis, v]) => [axis, v.verdict])),
});
const why = (run: ScenarioRun): string =>
  Object.entries(run.judgement.axes)
    .filter(([, v]) => v.verdict !== 'OK' && v.verdict !== 'INFORMATIONAL')
    .map(([axis, v]) => `${axis} ${v.verdict}: ${v.reason}`)
    .join(' | ') || 'all OK';

describe('builtin, module: and cmd: give the reference simulator the same verdicts', () => {
  it(`on every scenario of the catalog (${catalog.length})`, async () => {
    // Virtual runs fake the process's timers: one at a time, all before the network ones.
    const builtin = new Map<string, ScenarioRun>();
    const mismatches: string[] = [];
    const moduleKind = moduleSut(resolve(ROOT, 'test/sut/fixtures/reference-module.ts'), { id: 'module:reference' });
    for (const scenario of catalog) {
      const b = await runScenario(scenario, builtinSut(), { mode: 'virtual', seed: SEED, timeScale: 1 });
      const m = await runScenario(scenario, moduleKind, { mode: 'virtual', seed: SEED, timeScale: 1 });
      builtin.set(scenario.id, b);
      expect(m.client.state, `${scenario.id}: ${JSON.stringify(m.client)}`).toBe(b.client.state);
      if (!isDeepStrictEqual(verdicts(m), verdicts(b))) mismatches.push(`module ${scenario.id}: ${JSON.stringify(verdicts(m))} vs builtin ${JSON.stringify(verdicts(b))} — ${why(m)}`);
      else if (!isDeepStrictEqual(m.journal, b.journal)) mismatches.push(`module ${scenario.id}: same verdicts, but another journal`);
    }

    const cmd = cmdSut('node --import tsx simulator/cli.ts', { cwd: ROOT });
    const runCmd = (scenario: Scenario, timeScale: number): Promise<ScenarioRun> => runScenario(scenario, cmd, { mode: 'network', seed: SEED, timeScale });
    const queue = [...catalog].sort((a, b) => builtin.get(b.id)!.protocolMs - builtin.get(a.id)!.protocolMs);
    const network = new Map<string, ScenarioRun>();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let scenario = queue.shift(); scenario; scenario = queue.shift()) network.set(scenario.id, await runCmd(scenario, TIME_SCALE));
      }),
    );
    const remeasured: string[] = [];
    for (const scenario of catalog) {
      const b = builtin.get(scenario.id)!;
      let c = network.get(scenario.id)!;
      if (isDeepStrictEqual(verdicts(c), verdicts(b))) continue;
      const slower = b.protocolMs > 2_000_000 ? 0.02 : 0.05;
      remeasured.push(`${scenario.id} (${why(c)}) at ${slower}`);
      c = await runCmd(scenario, slower);
      if (!isDeepStrictEqual(verdicts(c), verdicts(b))) {
        mismatches.push(`cmd ${scenario.id}: ${JSON.stringify(verdicts(c))} vs builtin ${JSON.stringify(verdicts(b))} — cmd: ${why(c)}; client ${JSON.stringify(c.client)}`);
      }
    }
    if (remeasured.length > 0) console.info(`re-measured alone: ${remeasured.join('; ')}`);
    expect(mismatches).toEqual([]);
    // Over the network the verdicts come from real traffic.
    expect([...network.values()].every((run) => run.journal.some((e) => e.kind === 'http-session'))).toBe(true);
  }, 900_000);
});
