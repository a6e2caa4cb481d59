import { loadCatalog } from './harness/scenario/loader.ts';
import { runScenario } from './harness/run/run-scenario.ts';
import { simulatorSut, builtinSut } from './harness/sut/builtin-sut.ts';
import { MUTANTS } from './harness/mutants/gallery.ts';
const mode = (process.argv[2] ?? 'virtual') as any;
const cat = loadCatalog();
const suts = [builtinSut(), ...MUTANTS.map(m => simulatorSut(`mutant:${m.id}`, m.create))];
for (const sut of suts) {
  const cells: string[] = [];
  for (const { scenario } of cat) {
    const run = await runScenario(scenario, sut, { mode, seed: Number(process.argv[3] ?? 1), timeScale: 0.005 });
    const v = run.judgement.overall;
    if (v !== 'OK') cells.push(`${scenario.id}:${v[0]}(${Object.entries(run.judgement.axes).filter(([, a]) => a.verdict !== 'OK' && a.verdict !== 'INFORMATIONAL').map(([k]) => k).join('+')})`);
  }
  console.log(sut.id.padEnd(40), cells.join(' '));
}
process.exit(0);
