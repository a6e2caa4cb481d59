import { loadCatalog, selectScenarios } from './harness/scenario/loader.ts';
import { runScenario } from './harness/run/run-scenario.ts';
import { simulatorSut, builtinSut } from './harness/sut/builtin-sut.ts';
import { MUTANTS } from './harness/mutants/gallery.ts';
const sel = (process.env.SEL ?? '').split(',').filter(Boolean);
const { selected } = selectScenarios(sel, loadCatalog());
const seeds = Number(process.env.SEEDS ?? 5);
const mode = (process.env.MODE ?? 'virtual') as any;
const only = (process.env.ONLY ?? '').split(',').filter(Boolean);
const muts = process.env.MUTS === '0' ? [] : MUTANTS.filter(m => m.id !== 't12-logs-secrets' && (only.length === 0 || only.includes(m.id)));
for (const { scenario } of selected) {
  const ref: string[] = [];
  let wall = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const run = await runScenario(scenario, builtinSut(), { mode, seed, timeScale: Number(process.env.SCALE ?? 0.005) });
    wall += run.wallMs;
    if (run.judgement.overall !== 'OK') ref.push(`seed${seed}:${run.judgement.overall}:${Object.entries(run.judgement.axes).filter(([, a]) => a.verdict !== 'OK' && a.verdict !== 'INFORMATIONAL').map(([k, a]) => `${k}=${a.reason}`).join(' | ')}`);
  }
  const caught: string[] = [];
  for (const m of muts) {
    const run = await runScenario(scenario, simulatorSut(`mutant:${m.id}`, m.create), { mode, seed: Number(process.env.MSEED ?? 1), timeScale: Number(process.env.SCALE ?? 0.005) });
    if (run.judgement.overall === 'FAILED') caught.push(`${m.id}(${Object.entries(run.judgement.axes).filter(([, a]) => a.verdict === 'FAILED').map(([k]) => k).join('+')})`);
  }
  console.log(`${scenario.id.padEnd(44)} ref:${ref.length === 0 ? 'OK' : 'FAIL'} ${(wall / seeds).toFixed(0)}ms  caught by: ${caught.join(' ')}`);
  for (const r of ref) console.log('    ', r.slice(0, 400));
}
process.exit(0);
