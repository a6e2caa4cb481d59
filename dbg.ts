import { loadCatalog } from './harness/scenario/loader.ts';
import { runScenario } from './harness/run/run-scenario.ts';
import { builtinSut } from './harness/sut/builtin-sut.ts';
const id = process.argv[2]!; const mode = process.argv[3] as any;
const { scenario } = loadCatalog().find(l => l.scenario.id === id)!;
const run = await runScenario(scenario, builtinSut(), { mode, seed: 3, timeScale: Number(process.env.SCALE ?? 0.01) });
console.log(run.judgement.overall); for (const [k, v] of Object.entries(run.judgement.axes)) console.log(k, v.verdict, v.reason);
if (process.argv[4]) for (const e of run.journal) if (!['frame-in','frame-out'].includes(e.kind) && e.t > Number(process.argv[4])*1000 && e.t < Number(process.argv[5])*1000) console.log((e.t/1000).toFixed(2), JSON.stringify(e).slice(0, 200));
process.exit(0);
