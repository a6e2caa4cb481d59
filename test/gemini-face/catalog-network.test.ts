/**
 * The Gemini face over real sockets, judged by the harness: the reference Gemini Live client
 * on the SDK's node build (the `ws` package) against the mock on 127.0.0.1, and the same
 * client as an external `cmd:` program that finds the mock only through GOOGLE_GEMINI_BASE_URL
 * and GEMINI_API_KEY (sut-contract §6). Verdicts are the ones virtual time gives.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario, type ScenarioRun } from '../../harness/run/run-scenario.ts';
import type { Scenario } from '../../harness/scenario/schema.ts';
import { cmdSut } from '../../harness/sut/cmd-sut.ts';
import { geminiBuiltinSut } from '../../harness/sut/gemini-builtin-sut.ts';
import type { SystemUnderTest } from '../../harness/sut/system-under-test.ts';
import { CATALOG, networkTimeScale } from '../testing/catalog-support.ts';

const IDS = ['goaway', 'delayed-close', 'flapping', 'handle-not-found', 'unexpected-close', 'in-flight-lost', 'resumable-false-window'];
const scenarios = IDS.map((id) => CATALOG.find((s) => s.id === id)!);
const CLI = resolve(import.meta.dirname, '../../simulator/gemini/cli.ts');

const over = (scenario: Scenario, sut: SystemUnderTest, mode: 'network' | 'virtual' = 'network'): Promise<ScenarioRun> =>
  runScenario(scenario, sut, { mode, seed: 5, timeScale: networkTimeScale(scenario), wallSlackMs: 20_000, protocol: 'gemini-live' });

const explain = (run: ScenarioRun): string =>
  `${run.scenario.id}: ${Object.entries(run.judgement.axes).filter(([, a]) => a.verdict !== 'OK' && a.verdict !== 'INFORMATIONAL').map(([axis, a]) => `${axis}: ${a.reason}`).join(' | ')}`;

describe('the Gemini face over real sockets', () => {
  it('the reference Gemini client passes, with the verdicts of virtual time', async () => {
    const runs = await Promise.all(scenarios.map((s) => over(s, geminiBuiltinSut())));
    for (const run of runs) expect(run.judgement.overall, explain(run)).toBe('OK');
    for (const scenario of scenarios) {
      const virtual = await over(scenario, geminiBuiltinSut(), 'virtual');
      expect(virtual.judgement.overall, explain(virtual)).toBe('OK');
    }
  });

  it('a cmd: client finds the mock through GOOGLE_GEMINI_BASE_URL and GEMINI_API_KEY, and is judged from the journal', async () => {
    const sut = cmdSut(`node --import tsx ${CLI} --quiet`, { id: 'cmd:gemini-cli' });
    const [ok, rejected] = await Promise.all([over(scenarios[0]!, sut), over(scenarios[3]!, sut)]);
    expect(ok.judgement.overall, explain(ok)).toBe('OK');
    expect(ok.client).toMatchObject({ state: 'reported', result: { status: 'completed', contextLost: false } });
    expect(ok.journal.filter((e) => e.kind === 'open' && e.resume === 'resumed').length).toBeGreaterThan(0);
    // handle-not-found: the resume is refused before setupComplete; the client must say the context is gone.
    expect(rejected.judgement.overall, explain(rejected)).toBe('OK');
    expect(rejected.client).toMatchObject({ state: 'reported', result: { contextLost: true } });
    expect(rejected.journal.some((e) => e.kind === 'close' && e.code === 1008 && e.reason === 'BidiGenerateContent session not found')).toBe(true);
  });
});
