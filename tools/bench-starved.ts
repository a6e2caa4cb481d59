/**
 * `npm run bench:starved`: the network catalog against the reference simulator with both cores
 * saturated by CPU hogs the benchmark starts itself (issue 12, "a starved harness is no
 * failure"), then the catalog's catchers (scenarios/catchers.json) under the same load. Prints
 * the reference's verdicts (0 FAILED is the target; UNKNOWN is allowed and counted, with the
 * runs retried at a safe scale) and the mutants' detection rate under load. Asserts nothing.
 *
 *   npm run bench:starved [-- --seeds N] [-- --scenarios K] [-- --jobs J] [-- --no-hog]
 * K takes every K-th scenario of the catalog (a sample; 1 = all). The per-scenario time scales
 * are the network test's (test/testing/catalog-support.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { runScenario, type ScenarioRun } from '../harness/run/run-scenario.ts';
import { builtinSut, simulatorSut } from '../harness/sut/builtin-sut.ts';
import { findMutant } from '../simulator/index.ts';
import { CATALOG, CATCHERS, MAY_HANG, networkTimeScale } from '../test/testing/catalog-support.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => { const at = args.indexOf(`--${name}`); return at >= 0 ? Number(args[at + 1]) : fallback; };
const seeds = flag('seeds', 5);
const every = flag('scenarios', 1);
const jobs = flag('jobs', 4);
const hog = !args.includes('--no-hog');

async function pool<T>(work: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const out: T[] = [];
  const queue = work.map((run, i) => ({ run, i }));
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, async () => {
    for (let job = queue.shift(); job; job = queue.shift()) out[job.i] = await job.run();
  }));
  return out;
}

const hogs: ChildProcess[] = hog ? cpus().map(() => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' })) : [];
const stopHogs = () => { for (const h of hogs) if (h.pid !== undefined && h.exitCode === null) h.kill('SIGKILL'); };
process.on('exit', stopHogs);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => { stopHogs(); process.exit(130); });
const progress = (run: ScenarioRun): ScenarioRun => { process.stdout.write(`${run.judgement.overall.padEnd(10)} ${run.sut.id} ${run.scenario.id} seed ${run.seed} at ${run.timeScale}${run.starvation?.retriedAt ? ` (retried after starvation, first ${run.starvation.firstOverall})` : ''} ${(run.wallMs / 1000).toFixed(1)} s\n`); return run; };

try {
  const scenarios = CATALOG.filter((s) => s.faces.includes('ai-voice')).filter((_, i) => i % every === 0);
  const started = performance.now();
  const reference: ScenarioRun[] = await pool(scenarios.flatMap((scenario) => Array.from({ length: seeds }, (_, k) => () => runScenario(scenario, builtinSut(), { mode: 'network', seed: k + 1, timeScale: networkTimeScale(scenario) }).then(progress))), jobs);
  const count = (runs: readonly ScenarioRun[], v: string) => runs.filter((r) => r.judgement.overall === v).length;
  const retried = reference.filter((r) => r.starvation?.retriedAt !== undefined);
  const worstLag = Math.max(0, ...reference.map((r) => (r.schedulingLag ? Math.max(r.schedulingLag.maxTimerLateMs, r.schedulingLag.loopDelayMaxMs) : 0)));
  const cases = scenarios.flatMap((scenario) => (CATCHERS[scenario.id] ?? []).filter((c) => !MAY_HANG.has(c.mutant)).map((c) => ({ scenario, catcher: c })));
  const mutantRuns = await pool(cases.map(({ scenario, catcher }) => () => runScenario(scenario, simulatorSut(`mutant:${catcher.mutant}`, findMutant(catcher.mutant)!.create), { mode: 'network', seed: 1, timeScale: networkTimeScale(scenario) }).then(progress)), jobs);
  const detected = mutantRuns.filter((run, i) => {
    const mutant = findMutant(cases[i]!.catcher.mutant)!;
    return run.judgement.overall === 'FAILED' || (mutant.detectedAs === 'NON-STRICT' && run.judgement.overall === 'NON-STRICT');
  });
  console.log(`${cpus().length}-core ${cpus()[0]?.model ?? ''}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}; ${hogs.length} CPU hogs; ${jobs} runs at once`);
  console.log(`reference, ${scenarios.length} scenarios × ${seeds} seeds over the network: ${reference.length} runs — OK ${count(reference, 'OK')}, NON-STRICT ${count(reference, 'NON-STRICT')}, UNKNOWN ${count(reference, 'UNKNOWN')}, FAILED ${count(reference, 'FAILED')}; ${retried.length} retried at a safe scale after starvation; worst scheduling lag ${worstLag.toFixed(0)} ms`);
  for (const r of reference.filter((x) => x.judgement.overall !== 'OK' && x.judgement.overall !== 'INFORMATIONAL')) {
    const axis = Object.entries(r.judgement.axes).find(([, a]) => a.verdict === r.judgement.overall);
    console.log(`  ${r.judgement.overall} ${r.scenario.id} seed ${r.seed} at ${r.timeScale}: ${axis?.[0]}: ${axis?.[1].reason.slice(0, 200)}`);
  }
  console.log(`mutants under the same load: ${detected.length}/${mutantRuns.length} catcher runs detected (${((100 * detected.length) / Math.max(1, mutantRuns.length)).toFixed(0)} %)`);
  for (const [i, run] of mutantRuns.entries()) if (!detected.includes(run)) console.log(`  missed ${cases[i]!.catcher.mutant} on ${run.scenario.id}: ${run.judgement.overall}`);
  console.log(`${((performance.now() - started) / 1000).toFixed(0)} s`);
} finally {
  stopHogs();
}
