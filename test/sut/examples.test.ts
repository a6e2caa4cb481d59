/**
 * The three examples of examples/ pass the four named scenarios — goaway, delayed-close,
 * invalid-handle, flapping — each through the kind of system under test it illustrates:
 * the plain-JS module in virtual time (the variants too), the plain-JS process, the
 * Python 3.11 process (standard library only) and its variant on the `websockets` library over
 * real sockets.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { passes } from '../../harness/judge/verdict.ts';
import { runScenario, type ScenarioRun } from '../../harness/run/run-scenario.ts';
import { loadCatalog } from '../../harness/scenario/loader.ts';
import type { Scenario } from '../../harness/scenario/schema.ts';
import { parseSut } from '../../harness/sut/parse-sut.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const NAMED = ['goaway', 'delayed-close', 'invalid-handle', 'flapping'];
const catalog = loadCatalog().map((l) => l.scenario);
const named = NAMED.map((id) => catalog.find((s) => s.id === id)!);
const withVariants = catalog.filter((s) => NAMED.includes(s.base ?? s.id));
/** Generous: a gap of a few real milliseconds must not turn into seconds of protocol time. */
const TIME_SCALE = 0.02;
const hasPython = spawnSync('python3', ['--version']).status === 0;
/**
 * The first Python that has the `websockets` library: `python3` on PATH, else Debian's own
 * (python3-websockets installs into /usr/bin/python3's dist-packages, which a pyenv or venv
 * python3 earlier on PATH does not see). .ci/run installs the package.
 */
const pythonWithWebsockets = ['python3', '/usr/bin/python3'].find((python) => spawnSync(python, ['-c', 'import websockets']).status === 0);

/**
 * The client's reconnects on goaway: its 110 turns last about two connection lifetimes, so one
 * rotation or two, depending on where the second notice falls against the last turn.
 */
const rotations = (run: ScenarioRun): number => (run.client.state === 'reported' ? run.client.result.reconnects : -1);

const summary = (run: ScenarioRun): string => `${run.scenario.id}: ${run.judgement.overall} ${JSON.stringify(run.client)} ${JSON.stringify(run.judgement.axes)}`;

/**
 * All at once at TIME_SCALE; a run that does not pass is measured again at 0.05 before
 * it counts: under a loaded CPU a stall of a few hundred real milliseconds is many protocol
 * seconds, noise of the measure rather than a fault of the client.
 */
async function overNetwork(spec: string, scenarios: readonly Scenario[]): Promise<ScenarioRun[]> {
  const sut = parseSut(spec, ROOT);
  const runs = await Promise.all(scenarios.map((scenario) => runScenario(scenario, sut, { mode: 'network', seed: 5, timeScale: TIME_SCALE })));
  for (let i = 0; i < runs.length; i++) {
    if (passes(runs[i]!.judgement.overall, false)) continue;
    console.info(`measured again at 0.05: ${summary(runs[i]!)}`);
    runs[i] = await runScenario(scenarios[i]!, sut, { mode: 'network', seed: 5, timeScale: 0.05 });
  }
  return runs;
}

describe('examples/module-client.mjs (module:), in virtual time', () => {
  it('passes the four named scenarios and their variants, OK on every axis', async () => {
    const sut = parseSut('module:examples/module-client.mjs', ROOT);
    expect(withVariants.length).toBeGreaterThanOrEqual(NAMED.length);
    for (const scenario of withVariants) {
      const run = await runScenario(scenario, sut, { mode: 'virtual', seed: 5, timeScale: 1 });
      expect(run.judgement.overall, summary(run)).toBe('OK');
    }
  });
});

// Over real sockets every run waits on real time: all of them at once (virtual runs, which
// fake the process's timers, are over by now).
describe('over real sockets', () => {
  let runs: Promise<Record<'module' | 'node' | 'python' | 'pythonWebsockets', ScenarioRun[]>>;
  beforeAll(() => {
    runs = (async () => {
      const [module, node, python, pythonWebsockets] = await Promise.all([
        overNetwork('module:examples/module-client.mjs', [named[0]!]),
        overNetwork('cmd:node examples/cmd-client.mjs', named),
        hasPython || process.env.CI ? overNetwork('cmd:python3 examples/python/client.py', named) : Promise.resolve([]),
        pythonWithWebsockets || process.env.CI ? overNetwork(`cmd:${pythonWithWebsockets ?? 'python3'} examples/python/websockets_client.py`, named) : Promise.resolve([]),
      ]);
      return { module, node, python, pythonWebsockets };
    })();
    runs.catch(() => undefined);
  });

  it('examples/module-client.mjs passes goaway on real timers, scaled by config.timeScale', async () => {
    const [run] = (await runs).module;
    expect(passes(run!.judgement.overall, false), summary(run!)).toBe(true);
    // goaway's 150 s connections (issue 12: every pace crosses them): a rotation per connection lifetime.
    expect(run!.client).toMatchObject({ state: 'reported', result: { status: 'completed', reconnects: expect.any(Number) } });
    expect(run!.client.state === 'reported' && run!.client.result.reconnects).toBeGreaterThanOrEqual(2);
  });

  it('examples/cmd-client.mjs (cmd:) passes the four named scenarios', async () => {
    for (const run of (await runs).node) {
      expect(passes(run.judgement.overall, false), summary(run)).toBe(true);
      expect(run.client.state, summary(run)).toBe('reported');
    }
  });

  it.skipIf(!hasPython && !process.env.CI)('examples/python/client.py (cmd:, standard library only) passes the four named scenarios', async () => {
    const python = (await runs).python;
    for (const run of python) {
      expect(passes(run.judgement.overall, false), summary(run)).toBe(true);
      expect(run.client.state, summary(run)).toBe('reported');
    }
    // It really talked: rotations on goaway (150 s connections), a resume refused on invalid-handle.
    expect(python[0]!.client).toMatchObject({ result: { status: 'completed', reconnects: expect.any(Number) } });
    expect(python[0]!.client.state === 'reported' && python[0]!.client.result.reconnects).toBeGreaterThanOrEqual(2);
    expect(python[2]!.client).toMatchObject({ result: { status: 'failed', contextLost: true } });
  });

  it.skipIf(!pythonWithWebsockets && !process.env.CI)(`examples/python/websockets_client.py (cmd:, asyncio and the websockets library) passes the four named scenarios${pythonWithWebsockets ? '' : ' (skipped: no python3 with websockets; apt-get install -y python3-websockets)'}`, async () => {
    const runs4 = (await runs).pythonWebsockets;
    expect(runs4.map((r) => r.scenario.id)).toEqual(NAMED);
    for (const run of runs4) {
      expect(passes(run.judgement.overall, false), summary(run)).toBe(true);
      expect(run.client.state, summary(run)).toBe('reported');
    }
    // It really talked: a rotation on goaway, a resume refused on invalid-handle, a storm ridden out on flapping.
    expect(runs4[0]!.client).toMatchObject({ result: { status: 'completed' } });
    expect(rotations(runs4[0]!)).toBeGreaterThanOrEqual(1);
    expect(runs4[2]!.client).toMatchObject({ result: { status: 'failed', contextLost: true } });
    expect(runs4[3]!.client).toMatchObject({ result: { status: 'completed' } });
    expect((runs4[3]!.client as { result: { reconnects: number } }).result.reconnects).toBeGreaterThanOrEqual(2);
  });
});
