/** `resume-harness run`: scenarios × one system under test → verdicts, reports, exit status. */
import { randomInt } from 'node:crypto';
import { resolve } from 'node:path';
import { ReportFormatError, UsageError, UserInputError } from '../errors.ts';
import { passes } from '../judge/verdict.ts';
import { createProgress } from '../report/progress.ts';
import { ALL_FORMATS, parseFormats, type ReportFormat } from '../report/formats.ts';
import { createReportWriter, type ReportWriter, type ReportWriterOptions } from '../report/report-writer.ts';
import { runScenario } from '../run/run-scenario.ts';
import { parseSut, preflightSut } from '../sut/parse-sut.ts';
import { parseServer } from '../server/parse-server.ts';
import type { ServerUnderTest } from '../server/server-under-test.ts';
import { intFlag, modeFlag, positiveFlag, protocolFlag } from './args.ts';
import type { CliIo } from './cli-io.ts';
import { defineCommand, examples, invokeCommand, once, type ReportCode } from './command-kit.ts';
import { exitCodeForResults } from './exit-codes.ts';
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
  readonly strict?: boolean;
  readonly format?: string;
  readonly protocol?: string;
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
    .option('--time-scale <x>', `real seconds per protocol second in network mode (default ${DEFAULT_TIME_SCALE}; ${SERVER_MIN_TIME_SCALE} with --server)`, once('time-scale'))
    .option('--server <spec>', 'an AI-voice server under test in front of the mock: reference, mutant:ID, cmd:COMMAND or image:NAME (network mode)', once('server'))
    .option('--report-dir <dir>', 'where run folders go (default: reports/ under the working directory)', once('report-dir'))
    .option('--format <list>', `report files to write, comma-separated: ${ALL_FORMATS.join(',')} or all (default all)`, once('format'))
    .option('--strict', 'a NON-STRICT verdict fails the run too');
  addSelectionOptions(command);
  return command
    .addHelpText('after', examples(
      'resume-harness run                                   # the whole catalog, reference client, virtual time',
      "resume-harness run goaway 'flapping.*' '!flapping.endless'",
      'resume-harness run --sut "cmd:python3 examples/python/client.py" --mode network --group expiry',
      'resume-harness run --seed 1234 --strict --format json,junit --severity critical',
    ))
    .action(async (selectors: string[], options: RunOptions) => report(await runScenarios(selectors, options, io)));
}

/** `run` with its arguments, as main.ts would run it (tests call it directly). */
export function runCommand(args: readonly string[], io: CliIo): Promise<number> {
  return invokeCommand(runCommandDefinition, args, io);
}

async function runScenarios(selectors: readonly string[], options: RunOptions, io: CliIo): Promise<number> {
  const server = serverFlag(options.server, io.cwd);
  const protocol = protocolFlag(options.protocol);
  // A server under test is a real process or container: network mode, its clients speak AI-voice, its upstream is the Gemini face.
  const mode = modeFlag(options.mode, server ? 'network' : 'virtual');
  if (server && mode !== 'network') throw new UsageError(`--server runs only in network mode (the server is a real process or container on 127.0.0.1)`);
  if (server && protocol !== 'ai-voice') throw new UsageError(`--server: the client speaks ai-voice to the server, and the server gemini-live to the mock; --protocol ${protocol} does not apply`);
  /** The face the scenarios play: the Gemini face upstream of a server under test. */
  const face = server ? 'gemini-live' : protocol;
  const seed = intFlag(options.seed, 'seed') ?? randomInt(0, 2 ** 31);
  const timeScale = positiveFlag(options.timeScale, 'time-scale') ?? (server ? SERVER_MIN_TIME_SCALE : DEFAULT_TIME_SCALE);
  if (server && timeScale < SERVER_MIN_TIME_SCALE) io.stderr.write(`resume-harness: --time-scale ${timeScale} with a server under test: its 10-protocol-second connect deadline is ${Math.round(10_000 * timeScale)} real ms; below ${SERVER_MIN_TIME_SCALE} a slow machine can look like a failing server\n`);
  const formats = formatsFlag(options.format);
  const strict = options.strict === true;
  const sutSpec = options.sut ?? 'builtin';
  const sut = parseSut(sutSpec, io.cwd, protocol);
  if (!sut.modes.includes(mode)) throw new UsageError(`--sut ${sut.id} runs only in ${sut.modes.join(' or ')} mode`);
  const selected = loadSelection(selectors, io.cwd, selectionFilters(options));
  await preflightSut(sutSpec, io.cwd);
  // A scenario that belongs to the other face is not run, and says so: never a silent pass.
  const onFace = selected.filter(({ scenario }) => scenario.faces.includes(face));
  // Through a server, a scenario whose fault belongs in front of the client is not run, and says why.
  const scenarios = server ? onFace.filter(({ scenario }) => scenario.notThroughServer === undefined) : onFace;
  for (const { scenario } of onFace.filter((l) => !scenarios.includes(l))) io.stdout.write(`resume-harness: ${scenario.id} is not run through a server: ${scenario.notThroughServer}\n`);
  const elsewhere = selected.length - onFace.length;
  if (scenarios.length === 0) throw new UsageError(`none of the ${selected.length} selected scenarios runs on the ${face} face (see: resume-harness list)`);
  if (elsewhere > 0) io.stdout.write(`resume-harness: ${elsewhere} selected scenario${elsewhere === 1 ? ' belongs' : 's belong'} to the other face only, not run on ${face}\n`);

  const reportsRoot = resolve(io.cwd, options.reportDir ?? 'reports');
  const runId = `${new Date().toISOString().replace(/[:.]/g, '-')}-seed${seed}`;
  const against = server ? `${sut.id} through the server ${server.id} (Gemini face upstream)` : `${sut.id} on the ${protocol} face`;
  const writer = await openReports({ reportsRoot, runId, formats, seed, mode, strict, timeScale }, options.reportDir === undefined);
  io.stdout.write(`resume-harness: ${scenarios.length} scenario${scenarios.length === 1 ? '' : 's'} against ${against}, ${mode} mode, seed ${seed}${mode === 'network' ? `, time scale ${timeScale}` : ''}\n`);
  const progress = createProgress(io.stdout);
  let failed = 0;
  let unjudged = 0;
  for (const { scenario } of scenarios) {
    progress.scenarioStarted(scenario.id, sut.id);
    const run = await runScenario(scenario, sut, { mode, seed, timeScale, protocol, ...(server ? { server: { server } } : {}) });
    if (run.server && run.server.state !== 'ready') io.stderr.write(`resume-harness: ${scenario.id}: ${run.server.judgement.lifecycle.reason}\n`);
    try {
      await writer.scenarioDone(run);
    } catch (error) {
      io.stderr.write(`resume-harness: could not write the report of ${scenario.id}: ${(error as Error).message}\n`);
    }
    const passed = passes(run.judgement.overall, strict);
    if (!passed && run.judgement.overall === 'UNKNOWN') unjudged++;
    else if (!passed) failed++;
    progress.scenarioDone(run, passed);
  }
  const summary = await writer.finish();
  progress.finished(summary, seed);
  return exitCodeForResults(failed, unjudged);
}

/**
 * The run folder, made before anything runs: a folder that cannot be made is the user's
 * mistake, named with the way out (exit 2), never a stack or a hang (atomic-file.ts).
 */
async function openReports(options: ReportWriterOptions, defaultRoot: boolean): Promise<ReportWriter> {
  try {
    return await createReportWriter(options);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const why = code === 'ENOENT' || code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOTDIR' ? code : message;
    throw new UserInputError('REPORT_DIR_UNWRITABLE', `cannot write reports under ${options.reportsRoot} (${why}): ${defaultRoot ? 'run from a writable folder or give' : 'give'} --report-dir a folder you can write to`);
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
