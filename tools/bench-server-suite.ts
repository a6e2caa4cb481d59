/**
 * `npm run bench:servers`: the server suite (every scenario that runs through a server) against
 * the reference AI-voice server as a process (`--server reference`) and as a container
 * (`--server image:resume-harness/reference-server:local`), measured side by side in one run:
 * each scenario runs in both forms, alternating which goes first, two scenarios at a time, so a
 * busy machine slows both alike. Prints each form's wall time, the server's start and stop costs
 * (medians), and whether the two forms gave the same verdicts on every axis. Asserts nothing.
 *
 *   npm run bench:servers [-- --seed N] [-- ids…]
 * Needs docker and the image (servers/reference/image/build-image.sh).
 */
import { cpus, totalmem } from 'node:os';
import { SERVER_MIN_TIME_SCALE } from '../harness/cli/run-command.ts';
import { loadSelection } from '../harness/cli/load-selection.ts';
import { SERVER_AXES } from '../harness/judge/server-section.ts';
import { runScenario, type ScenarioRun } from '../harness/run/run-scenario.ts';
import type { Scenario } from '../harness/scenario/schema.ts';
import { imageServer } from '../harness/server/image-server.ts';
import { referenceServer } from '../harness/server/parse-server.ts';
import { builtinSut } from '../harness/sut/builtin-sut.ts';

const IMAGE = 'resume-harness/reference-server:local';
const FORMS = ['process', 'container'] as const;
type Form = (typeof FORMS)[number];

const args = process.argv.slice(2);
const seedAt = args.indexOf('--seed');
const seed = seedAt >= 0 ? Number(args[seedAt + 1]) : 1;
const ids = args.filter((a, i) => a !== '--seed' && (seedAt < 0 || i !== seedAt + 1));
const scenarios: Scenario[] = loadSelection(ids, process.cwd()).map((l) => l.scenario).filter((s) => s.faces.includes('gemini-live') && s.notThroughServer === undefined);

const serverFor = (form: Form) => (form === 'process' ? referenceServer() : imageServer(IMAGE, { id: `image:${IMAGE}` }));
const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor(sorted.length / 2)]!;
};
/** OK and INFORMATIONAL are both passing grades: which one a rule gives can hang on who closed first (timing, not conformance). */
const passing = (v: string): string => (v === 'INFORMATIONAL' ? 'OK' : v);
const gradesOf = (run: ScenarioRun): string => verdictsOf(run).split(' ').map(passing).join(' ');
const verdictsOf = (run: ScenarioRun): string => [run.judgement.overall, ...Object.values(run.judgement.axes).map((a) => a.verdict), ...SERVER_AXES.map((a) => run.server?.judgement.axes[a].verdict ?? '—')].join(' ');

/** Each axis that did not pass, with its reason: what a difference between the forms was about. */
const notPassing = (run: ScenarioRun): string[] => [
  ...Object.entries(run.judgement.axes).map(([axis, a]) => [axis, a] as const),
  ...SERVER_AXES.flatMap((axis) => (run.server ? [[`server ${axis}`, run.server.judgement.axes[axis]] as const] : [])),
].filter(([, a]) => a.verdict !== 'OK' && a.verdict !== 'INFORMATIONAL').map(([axis, a]) => `${axis} ${a.verdict}: ${a.reason}`);

interface Row { readonly id: string; readonly runs: Record<Form, ScenarioRun> }

async function main(): Promise<void> {
  console.log(`server suite: ${scenarios.length} scenarios × 2 forms (process, container ${IMAGE}), seed ${seed}, time scale ${SERVER_MIN_TIME_SCALE}, 2 scenarios at a time`);
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`);
  const queue = scenarios.map((s, i) => ({ s, i }));
  const rows: Row[] = [];
  const wall: Record<Form, number> = { process: 0, container: 0 };
  const started = performance.now();
  await Promise.all([0, 1].map(async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const order = job.i % 2 === 0 ? FORMS : [...FORMS].reverse();
      const runs = {} as Record<Form, ScenarioRun>;
      for (const form of order) {
        const t0 = performance.now();
        runs[form] = await runScenario(job.s, builtinSut(), { mode: 'network', seed, timeScale: SERVER_MIN_TIME_SCALE, server: { server: serverFor(form) } });
        wall[form] += performance.now() - t0;
      }
      rows.push({ id: job.s.id, runs });
      const same = gradesOf(runs.process) === gradesOf(runs.container);
      console.log(`${runs.process.judgement.overall.padEnd(13)} ${runs.container.judgement.overall.padEnd(13)} ${same ? 'same' : 'DIFFERENT'}  ${job.s.id}`);
    }
  }));
  const total = performance.now() - started;
  const passed = (form: Form): number => rows.filter((r) => r.runs[form].judgement.overall === 'OK' || r.runs[form].judgement.overall === 'INFORMATIONAL').length;
  const different = rows.filter((r) => gradesOf(r.runs.process) !== gradesOf(r.runs.container));
  const exact = rows.filter((r) => verdictsOf(r.runs.process) === verdictsOf(r.runs.container)).length;
  const overall = rows.filter((r) => r.runs.process.judgement.overall === r.runs.container.judgement.overall).length;
  const ready = (form: Form): number[] => rows.map((r) => r.runs[form].server?.readyMs).filter((x): x is number => typeof x === 'number');
  const stops = (form: Form): number[] => rows.map((r) => r.runs[form].server?.stopMs).filter((x): x is number => typeof x === 'number');
  const creates = rows.map((r) => r.runs.container.server?.containerStartMs).filter((x): x is number => typeof x === 'number');
  console.log('');
  console.log(`| form | passed | wall (sum of runs) | start to ready, median | stop, median |`);
  console.log(`|---|---|---|---|---|`);
  for (const form of FORMS) console.log(`| ${form} | ${passed(form)}/${rows.length} | ${(wall[form] / 1000).toFixed(1)} s | ${median(ready(form)).toFixed(0)} ms | ${median(stops(form)).toFixed(0)} ms |`);
  console.log('');
  console.log(`container create+start (testcontainers, before the port probe), median: ${median(creates).toFixed(0)} ms`);
  console.log(`container ÷ process wall: ${(wall.container / wall.process).toFixed(2)}; both forms, two at a time: ${(total / 1000).toFixed(1)} s`);
  console.log(`overall verdicts identical in ${overall}/${rows.length} scenarios; every axis identical in ${exact}/${rows.length}, and in ${rows.length - different.length}/${rows.length} counting OK and INFORMATIONAL as one passing grade${different.length > 0 ? `; different: ${different.map((r) => r.id).join(', ')}` : ''}`);
  for (const r of different) {
    console.log(`  ${r.id}: process ${verdictsOf(r.runs.process)} | container ${verdictsOf(r.runs.container)}`);
    for (const form of FORMS) for (const line of notPassing(r.runs[form])) console.log(`    ${form}: ${line}`);
  }
}

await main();
