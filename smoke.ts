import { loadCatalog } from './harness/scenario/loader.ts';
import { runScenario } from './harness/run/run-scenario.ts';
import { builtinSut } from './harness/sut/builtin-sut.ts';
const mode = (process.argv[2] ?? 'virtual') as 'virtual' | 'network';
for (const { scenario } of loadCatalog()) {
  const t = performance.now();
  const run = await runScenario(scenario, builtinSut(), { mode, seed: 1, timeScale: 0.002 });
  console.log(scenario.id, run.judgement.overall, (performance.now() - t).toFixed(0) + 'ms', JSON.stringify(run.client).slice(0, 200));
  for (const [axis, v] of Object.entries(run.judgement.axes)) console.log('   ', axis, v.verdict, v.reason);
  if (process.argv[3]) console.log(run.output.slice(0, 80).join('\n'));
}
process.exit(0);
