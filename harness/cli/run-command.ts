/** `resume-harness run`: scenarios × one system under test → verdicts, reports, exit status. */
import { randomInt } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { ReportFormatError, UsageError, UserInputError } from '../errors.ts';
import { passes } from '../judge/verdict.ts';
import { pruneRuns } from '../report/prune-runs.ts';
import { createTerminalReporter, isTerminalReporterName, TERMINAL_REPORTER_NAMES, type TerminalReporterName } from '../report/terminal/terminal-reporters.ts';
import type { ScenarioOutcome } from '../report/terminal/terminal-reporter.ts';
import { ALL_FORMATS, parseFormats, type ReportFormat } from '../report/formats.ts';
import { createReportWriter, type ReportWriter, type ReportWriterOptions, type ScenarioFiles } from '../report/report-writer.ts';
import { runScenario } from '../run/run-scenario.ts';
import { probeTimeScale } from '../run/scheduling-lag.ts';
import { expectedDurationS } from '../scenario/expected-duration.ts';
import type { LoadedScenario } from '../scenario/loader.ts';
import { parseSut, preflightSut } from '../sut/parse-sut.ts';
import { parseServer } from '../server/parse-server.ts';
import type { ServerUnderTest } from '../server/server-under-test.ts';
import { intFlag, modeFlag, positiveFlag, protocolFlag } from './args.ts';
import type { CliIo } from './cli-io.ts';
import { defineCommand, examples, invokeCommand, once, type ReportCode } from './command-kit.ts';
import { exitCodeForResults } from './exit-codes.ts';
import { baselinedText, judgedRun, loadBaseline } from './baseline.ts';
import { shardFlag, shardOf } from './shard.ts';
import { didYouMean } from './did-you-mean.ts';
import { guardedPool } from './guarded-pool.ts';
import { loadSelection } from './load-selection.ts';
import { addSelectionOptions, SELECTORS_HELP, selectionFilters, type SelectionOptions } from './selection-options.ts';

export type { CliIo } from './cli-io.ts';

export const DEFAULT_TIME_SCALE = 0.005;
/**
 * The default, and the advised floor, with a server under test: its own deadlines (a
 * 10-protocol-second upstream connect, server-contract.md §2) must stay well above a cold
 * connection on a loaded machine — at 0.005 that deadline is 50 real ms.
 */
export const SERVER_MIN_TIME_SCALE = 0.02;

interface RunOptions extends SelectionOptions {
  readonly sut?: string;
  readonly seed?: string;
  readonly mode?: string;
  readonly server?: string;
  readonly timeScale?: string;
  readonly reportDir?: string;
  readonly out?: string;
  readonly keep?: string;
  readonly strict?: boolean;
  readonly format?: string;
  readonly protocol?: string;
  readonly reporter?: string;
  readonly baseline?: string;
  readonly jobs?: string;
  readonly shard?: string;
}

export function runCommandDefinition(io: CliIo, report: ReportCode) {
  const command = defineCommand('run', io)
    .summary('run scenarios against one system under test; write reports; exit 0/1/2/3')
    .description('Runs the selected scenarios against one system under test (a client), judges each on every axis, writes the reports and exits 0 when all passed, 1 when one failed, 2 for a usage error or invalid input, 3 when the harness could not judge.')
    .argument('[selectors...]', SELECTORS_HELP)
    .option('--sut <spec>', 'the client under test: builtin (default), module:PATH, cmd:COMMAND, mutant:ID, seed-plan (one per run; to compare several, use matrix --sut)', once('sut', 'to compare several clients use matrix --sut A --sut B'))
    .option('--seed <n>', 'seed of the run (default: random, printed); the same seed replays the run, in virtual mode byte for byte', once('seed'))
    .option('--protocol <face>', 'the wire: ai-voice (default) or gemini-live (Google\'s BidiGenerateContent)', once('protocol'))
    .option('--mode <mode>', 'virtual (default: fake timers, intercepted sockets) or network (real ws on 127.0.0.1)', once('mode'))
    .option('--time-scale <x>', `real seconds per protocol second in network mode (default ${DEFAULT_TIME_SCALE}; ${SERVER_MIN_TIME_SCALE} with --server), or auto: picked from a short probe of how late this machine's timers fire`, once('time-scale'))
    .option('--server <spec>', 'an AI-voice server under test in front of the mock: reference, mutant:ID, cmd:COMMAND or image:NAME (network mode)', once('server'))
    .option('--jobs <n>', 'scenarios at once in network mode (default 1); virtual mode runs one at a time (its fake timers are process-wide)', once('jobs'))
    .option('--shard <i/n>', 'run only shard i of n of the selection (round robin; needs --seed); join the shards\' folders with merge-reports', once('shard'))
    .option('--report-dir <dir>', 'where run folders go, each named by time and seed, with latest pointing at the newest (default: reports/)', once('report-dir'))
    .option('--out <dir>', 'write this run to DIR itself, no timestamp and no latest link (for CI artifacts); a previous run there is replaced', once('out'))
    .option('--keep <n>', 'after the run, delete all but the N newest run folders under the --report-dir', once('keep'))
    .option('--format <list>', `report files to write, comma-separated: ${ALL_FORMATS.join(',')} or all (default all)`, once('format'))
    .option('--reporter <name>', `terminal output: ${TERMINAL_REPORTER_NAMES.join(', ')} (default: default)`, once('reporter'))
    .option('--baseline <file>', 'accepted failures, JSON {"accepted":[{id, axis, reason, expires}]}: they are shown as baselined and do not fail the run; an expired entry is an error', once('baseline'))
    .option('--strict', 'a NON-STRICT verdict fails the run too');
  addSelectionOptions(command);
  return command
    .addHelpText('after', examples(
      'resume-harness run                                   # the whole catalog, reference client, virtual time',
      "resume-harness run goaway 'flapping.*' '!flapping.endless'",
      'resume-harness run --sut "cmd:python3 examples/python/client.py" --mode network --jobs 4 --group expiry',
      'resume-harness run --seed 1234 --strict --format json,junit --severity critical',
      'resume-harness run --reporter github-actions --out reports/ci --baseline .resume-harness-baseline.json',
    ))
    .action(async (selectors: string[], options: RunOptions) => report(await runScenarios(selectors, options, io)));
}

/** `run` with its arguments, as main.ts would run it (tests call it directly). */
export function runCommand(args: readonly string[], io: CliIo): Promise<number> {
  return invokeCommand(runCommandDefinition, args, io);
}

async function runScenarios(selectors: readonly string[], options: RunOptions, io: CliIo): Promise<number> {
  const started = performance.now();
  const server = serverFlag(options.server, io.cwd);
  const protocol = protocolFlag(options.protocol);
  // A server under test is a real process or container: network mode, its clients speak AI-voice, its upstream is the Gemini face.
  const mode = modeFlag(options.mode, server ? 'network' : 'virtual');
  if (server && mode !== 'network') throw new UsageError(`--server runs only in network mode (the server is a real process or container on 127.0.0.1)`);
  if (server && protocol !== 'ai-voice') throw new UsageError(`--server: the client speaks ai-voice to the server, and the server gemini-live to the mock; --protocol ${protocol} does not apply`);
  /** The face the scenarios play: the Gemini face upstream of a server under test. */
  const face = server ? 'gemini-live' : protocol;
  const shard = shardFlag(options.shard);
  if (shard && options.seed === undefined) throw new UsageError('--shard needs --seed S: every shard must run with the same seed for merge-reports to join them into one run');
  const seed = intFlag(options.seed, 'seed') ?? randomInt(0, 2 ** 31);
  const floor = server ? SERVER_MIN_TIME_SCALE : DEFAULT_TIME_SCALE;
  // `--time-scale auto`: a short jitter probe of this machine picks the smallest safe scale (run/scheduling-lag.ts).
  const probed = options.timeScale === 'auto' && mode === 'network' ? await probeTimeScale(floor) : undefined;
  if (probed) io.stderr.write(`resume-harness: --time-scale auto: timers here fire up to ${probed.p99LateMs.toFixed(1)} ms late (p99 of a short probe): time scale ${probed.scale}\n`);
  const timeScale = probed?.scale ?? (options.timeScale === 'auto' ? floor : positiveFlag(options.timeScale, 'time-scale')) ?? floor;
  if (server && timeScale < SERVER_MIN_TIME_SCALE) io.stderr.write(`resume-harness: --time-scale ${timeScale} with a server under test: its 10-protocol-second connect deadline is ${Math.round(10_000 * timeScale)} real ms; below ${SERVER_MIN_TIME_SCALE} a slow machine can look like a failing server\n`);
  const formats = formatsFlag(options.format);
  const strict = options.strict === true;
  const reporterName = reporterFlag(options.reporter);
  const keep = intFlag(options.keep, 'keep');
  if (keep !== undefined && keep < 1) throw new UsageError('--keep must be at least 1 (the run just made)');
  const sutSpec = options.sut ?? 'builtin';
  const sut = parseSut(sutSpec, io.cwd, protocol);
  if (!sut.modes.includes(mode)) throw new UsageError(`--sut ${sut.id} runs only in ${sut.modes.join(' or ')} mode`);
  const jobs = jobsFlag(options.jobs, mode, sut.kind);
  const baseline = options.baseline === undefined ? undefined : loadBaseline(options.baseline, io.cwd);
  const selected = loadSelection(selectors, io.cwd, selectionFilters(options));
  await preflightSut(sutSpec, io.cwd);
  // A scenario that belongs to the other face is not run, and says so: never a silent pass.
  const onFace = selected.filter(({ scenario }) => scenario.faces.includes(face));
  // Through a server, a scenario whose fault belongs in front of the client is not run, and says why.
  const runnable = server ? onFace.filter(({ scenario }) => scenario.notThroughServer === undefined) : onFace;
  const elsewhere = selected.length - onFace.length;
  if (runnable.length === 0) throw new UsageError(`none of the ${selected.length} selected scenarios runs on the ${face} face (see: resume-harness list)`);
  // A shard may be empty (more machines than scenarios): it still writes an empty run to merge.
  const scenarios = shardOf(runnable, shard);

  const reportsRoot = resolve(io.cwd, options.reportDir ?? 'reports');
  const outDir = options.out === undefined ? undefined : await prepareOut(resolve(io.cwd, options.out));
  const runId = outDir ? basename(outDir) : `${new Date().toISOString().replace(/[:.]/g, '-')}-seed${seed}`;
  const writer = await openReports(
    { reportsRoot: outDir ? dirname(outDir) : reportsRoot, runId, formats, seed, mode, strict, timeScale, pointLatest: outDir === undefined },
    outDir ? '--out' : '--report-dir',
    options.reportDir === undefined && outDir === undefined,
  );
  const terminal = createTerminalReporter(reporterName, { out: io.stdout, err: io.stderr, cwd: io.cwd });
  for (const { scenario } of onFace.filter((l) => !runnable.includes(l))) terminal.info(`resume-harness: ${scenario.id} is not run through a server: ${scenario.notThroughServer}`);
  if (elsewhere > 0) terminal.info(`resume-harness: ${elsewhere} selected scenario${elsewhere === 1 ? ' belongs' : 's belong'} to the other face only, not run on ${face}`);
  const against = server ? `${sut.id} through the server ${server.id} (Gemini face upstream)` : `${sut.id} on the ${protocol} face`;
  terminal.info(`resume-harness: ${scenarios.length} scenario${scenarios.length === 1 ? '' : 's'} against ${against}, ${mode} mode, seed ${seed}${mode === 'network' ? `, time scale ${timeScale}` : ''}${jobs > 1 ? `, ${jobs} at a time` : ''}${shard ? `, shard ${shard.index}/${shard.count} of ${runnable.length}` : ''}`);

  const outcomes: ScenarioOutcome[] = [];
  const runOne = async ({ scenario, file }: LoadedScenario, final: boolean): Promise<boolean> => {
    terminal.scenarioStarted(scenario.id, sut.id);
    const run = await runScenario(scenario, sut, { mode, seed, timeScale, protocol, ...(server ? { server: { server } } : {}) });
    // Starved with others running beside it: not reported yet, judged again alone at the end (guarded-pool.ts).
    if (!final && run.judgement.overall === 'UNKNOWN' && run.starvation !== undefined) return true;
    if (run.server && run.server.state !== 'ready') io.stderr.write(`resume-harness: ${scenario.id}: ${run.server.judgement.lifecycle.reason}\n`);
    let files: ScenarioFiles | undefined;
    try {
      files = await writer.scenarioDone(run);
    } catch (error) {
      io.stderr.write(`resume-harness: could not write the report of ${scenario.id}: ${(error as Error).message}\n`);
    }
    const passed = passes(run.judgement.overall, strict);
    const accepted = passed ? null : baseline?.covering(judgedRun(run), strict) ?? null;
    const outcome: ScenarioOutcome = { run, passed, ...(accepted ? { baselined: baselinedText(accepted) } : {}), ...(files ? { files } : {}), scenarioFile: file };
    outcomes.push(outcome);
    terminal.scenarioDone(outcome);
    return false;
  };
  await guardedPool(longestFirst(scenarios, jobs), jobs, runOne, {
    narrowed: (width, { scenario }) => terminal.info(`resume-harness: the harness was starved on ${scenario.id} with ${jobs} at a time: ${width} at a time from now on, and the starved scenario runs again alone at the end`),
    rerunAlone: ({ scenario }) => terminal.info(`resume-harness: ${scenario.id} again, alone (starved beside the others)`),
  });
  const summary = await writer.finish();
  // The list at the end in selection order, whatever order the runs finished in.
  const order = new Map(scenarios.map((l, i) => [l.scenario.id, i]));
  outcomes.sort((a, b) => order.get(a.run.scenario.id)! - order.get(b.run.scenario.id)!);
  terminal.finished({ summary, seed, durationMs: performance.now() - started, outcomes });
  if (keep !== undefined) {
    const pruned = await pruneRuns(reportsRoot, keep);
    if (pruned.length > 0) terminal.info(`resume-harness: --keep ${keep}: deleted ${pruned.length} older run folder${pruned.length === 1 ? '' : 's'} under ${reportsRoot}`);
  }
  const failed = outcomes.filter((o) => !o.passed && !o.baselined && o.run.judgement.overall !== 'UNKNOWN').length;
  const unjudged = outcomes.filter((o) => o.run.judgement.overall === 'UNKNOWN').length;
  return exitCodeForResults(failed, unjudged);
}

/**
 * `--jobs N`: scenarios at once, where that is sound. Virtual mode installs fake timers for
 * the whole process (sandbox/virtual-time.ts), so two virtual runs cannot overlap; a
 * `module:` client is one module instance per process, one run at a time (module-sut.ts).
 */
function jobsFlag(value: string | undefined, mode: 'virtual' | 'network', kind: 'builtin' | 'module' | 'cmd'): number {
  const jobs = intFlag(value, 'jobs') ?? 1;
  if (jobs < 1) throw new UsageError('--jobs must be at least 1');
  if (jobs > 1 && mode === 'virtual') throw new UsageError(`--jobs ${jobs} needs --mode network: virtual time fakes the timers of the whole process, so virtual runs go one at a time`);
  if (jobs > 1 && kind === 'module') throw new UsageError(`--jobs ${jobs} cannot run a module: client: it is one module in the harness's process, run once at a time (use cmd:node … for parallel runs)`);
  return jobs;
}

/** Runs `task` over `items`, at most `limit` at once; resolves when all are done. */
/**
 * With several scenarios at once, the longest start first (longest-processing-time scheduling):
 * started last, a two-hour session alone would set the wall time of the whole run. Sequential
 * runs keep the selection's order.
 */
export function longestFirst(scenarios: readonly LoadedScenario[], jobs: number): readonly LoadedScenario[] {
  if (jobs <= 1) return scenarios;
  return [...scenarios].sort((a, b) => expectedDurationS(b.scenario) - expectedDurationS(a.scenario));
}


/**
 * `--out DIR`: the run's own fixed folder. A previous run there (it has an index.json) is
 * replaced whole, so no stale report survives; a folder holding anything else is refused
 * rather than emptied.
 */
async function prepareOut(dir: string): Promise<string> {
  const entries = await readdir(dir).catch((error: NodeJS.ErrnoException): string[] => {
    if (error.code === 'ENOENT') return [];
    if (error.code === 'ENOTDIR') throw new UserInputError('REPORT_DIR_UNWRITABLE', `--out ${dir} is a file: give --out a folder`);
    throw error;
  });
  if (entries.length === 0) return dir;
  if (!entries.includes('index.json')) throw new UserInputError('REPORT_DIR_UNWRITABLE', `--out ${dir} holds files that are not a resume-harness run (no index.json): give --out a new or empty folder`);
  await rm(dir, { recursive: true, force: true });
  return dir;
}

function reporterFlag(value: string | undefined): TerminalReporterName {
  if (value === undefined) return 'default';
  if (isTerminalReporterName(value)) return value;
  throw new UsageError(`--reporter must be one of ${TERMINAL_REPORTER_NAMES.join(', ')}, got "${value}"${didYouMean(value, TERMINAL_REPORTER_NAMES)}`);
}

/**
 * The run folder, made before anything runs: a folder that cannot be made is the user's
 * mistake, named with the way out (exit 2), never a stack or a hang (atomic-file.ts).
 */
async function openReports(options: ReportWriterOptions, flag: '--out' | '--report-dir', defaultRoot: boolean): Promise<ReportWriter> {
  try {
    return await createReportWriter(options);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const why = code === 'ENOENT' || code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOTDIR' ? code : message;
    throw new UserInputError('REPORT_DIR_UNWRITABLE', `cannot write reports under ${options.reportsRoot} (${why}): ${defaultRoot ? 'run from a writable folder or give' : 'give'} ${flag} a folder you can write to`);
  }
}

/** `--server` (server-contract.md §1): absent, the client meets the mock directly. */
function serverFlag(value: string | undefined, cwd: string): ServerUnderTest | undefined {
  if (value === undefined) return undefined;
  return parseServer(value, cwd);
}

/** `--format`, read by the one registry of report formats; absent: every format. */
function formatsFlag(value: string | undefined): ReadonlySet<ReportFormat> {
  if (value === undefined) return new Set(ALL_FORMATS);
  try {
    return parseFormats(value);
  } catch (error) {
    if (error instanceof ReportFormatError) throw new UsageError(`--format takes a list of ${ALL_FORMATS.join(', ')}; got "${value}"`);
    throw error;
  }
}
