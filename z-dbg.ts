import { loadCatalog } from './harness/scenario/loader.ts';
import { runScenario } from './harness/run/run-scenario.ts';
import { simulatorSut, builtinSut } from './harness/sut/builtin-sut.ts';
import { findMutant } from './harness/mutants/gallery.ts';
const [id, mut, seed, from, to] = process.argv.slice(2);
const { scenario } = loadCatalog().find(l => l.scenario.id === id)!;
const sut = mut && mut !== '-' ? simulatorSut(mut, findMutant(mut)!.create) : builtinSut();
const run = await runScenario(scenario, sut, { mode: (process.env.MODE ?? 'virtual') as any, seed: Number(seed ?? 1), timeScale: Number(process.env.SCALE ?? 0.005) });
console.log(run.judgement.overall, JSON.stringify(run.client).slice(0, 300)); for (const [k, v] of Object.entries(run.judgement.axes)) console.log(' ', k, v.verdict, v.reason);
if (from) for (const e of run.journal) if (!['frame-in','frame-out'].includes(e.kind) && e.t >= Number(from)*1000 && e.t <= Number(to)*1000) console.log((e.t/1000).toFixed(2), JSON.stringify(e).slice(0, 220));
if (process.env.SIM) for (const l of run.output) { const m = /t=(\d+)/.exec(l); const t = m ? Number(m[1])/1000 : 0; if (!from || (t >= Number(from) && t <= Number(to))) console.log(l.slice(0, 250)); }
process.exit(0);
