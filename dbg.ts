import { loadCatalog } from './harness/scenario/loader.ts';
import { runScenario } from './harness/run/run-scenario.ts';
import { builtinSut } from './harness/sut/builtin-sut.ts';
const id = process.argv[2]!; const mode = process.argv[3] as any; const from = Number(process.argv[4]); const to = Number(process.argv[5]);
const { scenario } = loadCatalog().find(l => l.scenario.id === id)!;
for (let i = 0; i < Number(process.argv[6] ?? 1); i++) {
const run = await runScenario(scenario, builtinSut(), { mode, seed: 1, timeScale: Number(process.env.SCALE ?? 0.002) });
console.log(run.judgement.overall, JSON.stringify(run.judgement.axes.turns));
if (run.judgement.overall === 'OK') continue;
for (const e of run.journal) if (e.t >= from*1000 && e.t <= to*1000 && e.kind !== 'frame-out') console.log((e.t/1000).toFixed(2), JSON.stringify(e).slice(0, 200));
const ev = (run.clientExtra.events as any[]) ?? [];
for (const e of ev) if (e.t >= from*1000 && e.t <= to*1000) console.log('CLIENT', (e.t/1000).toFixed(2), JSON.stringify(e).slice(0, 200));
}
process.exit(0);
