/** `resume-harness run`: scenarios × one system under test → verdicts, reports, exit status. */
import { randomInt } from 'node:crypto';
import { resolve } from 'node:path';
import { ReportFormatError, UsageError } from '../errors.ts';
import { passes } from '../judge/verdict.ts';
import { createProgress } from '../report/progress.ts';
import { ALL_FORMATS, parseFormats, type ReportFormat } from '../report/formats.ts';
import { createReportWriter } from '../report/report-writer.ts';
import { runScenario } from '../run/run-scenario.ts';
import type { Mode } from '../sut/system-under-test.ts';
import { parseSut } from '../sut/parse-sut.ts';
import { parseServer } from '../server/parse-server.ts';
import type { ServerUnderTest } from '../server/server-under-test.ts';
import { intFlag, parse, positiveFlag, protocolFlag } from './args.ts';
import { loadSelection } from './load-selection.ts';

export const DEFAULT_TIME_SCALE = 0.005;
/**
 * The default, and the advised floor, with a server under test: its own deadlines (a
 * 10-protocol-second upstream connect, server-contract.md §2) must stay well above a cold
 * connection on a loaded machine — at 0.005 that deadline is 50 real ms.
 */
export const SERVER_MIN_TIME_SCALE = 0.02;

export const RUN_USAGE = `resume-harness run [ids | globs | files…] [--sut builtin|module:PATH|cmd:COMMAND] [--seed N]
                   [--protocol ai-voice|gemini-live] [--mode virtual|network] [--time-scale X]
                   [--server cmd:COMMAND|image:NAME|reference|mutant:ID]
                   [--report-dir DIR] [--strict] [--format json,md,junit,html]`;

export interface CliIo {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly cwd: string;
}

export async function runCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    sut: { type: 'string', default: 'builtin' },
    seed: { type: 'string' },
    mode: { type: 'string' },
    server: { type: 'string' },
    'time-scale': { type: 'string' },
    'report-dir': { type: 'string' },
    strict: { type: 'boolean', default: false },
    format: { type: 'string' },
    protocol: { type: 'string' },
  });
  const server = serverFlag(values.server, io.cwd);
  const protocol = protocolFlag(values.protocol);
  // A server under test is a real process or container: network mode, its clients speak AI-voice, its upstream is the Gemini face.
  const mode = (values.mode ?? (server ? 'network' : 'virtual')) as Mode;
  if (mode !== 'virtual' && mode !== 'network') throw new UsageError(`--mode must be virtual or network, got "${String(values.mode)}"`);
  if (server && mode !== 'network') throw new UsageError(`--server runs only in network mode (the server is a real process or container on 127.0.0.1)`);
  if (server && protocol !== 'ai-voice') throw new UsageError(`--server: the client speaks ai-voice to the server, and the server gemini-live to the mock; --protocol ${protocol} does not apply`);
  /** The face the scenarios play: the Gemini face upstream of a server under test. */
  const face = server ? 'gemini-live' : protocol;
  const seed = intFlag(values.seed, 'seed') ?? randomInt(0, 2 ** 31);
  const timeScale = positiveFlag(values['time-scale'], 'time-scale') ?? (server ? SERVER_MIN_TIME_SCALE : DEFAULT_TIME_SCALE);
  if (server && timeScale < SERVER_MIN_TIME_SCALE) io.stderr.write(`resume-harness: --time-scale ${timeScale} with a server under test: its 10-protocol-second connect deadline is ${Math.round(10_000 * timeScale)} real ms; below ${SERVER_MIN_TIME_SCALE} a slow machine can look like a failing server\n`);
  const formats = formatsFlag(values.format);
  const strict = values.strict === true;
  const sut = parseSut(String(values.sut), io.cwd, protocol);
  if (!sut.modes.includes(mode)) throw new UsageError(`--sut ${sut.id} runs only in ${sut.modes.join(' or ')} mode`);
  const selected = loadSelection(positionals, io.cwd);
  // A scenario that belongs to the other face is not run, and says so: never a silent pass.
  const onFace = selected.filter(({ scenario }) => scenario.faces.includes(face));
  // Through a server, a scenario whose fault belongs in front of the client is not run, and says why.
  const scenarios = server ? onFace.filter(({ scenario }) => scenario.notThroughServer === undefined) : onFace;
  for (const { scenario } of onFace.filter((l) => !scenarios.includes(l))) io.stdout.write(`resume-harness: ${scenario.id} is not run through a server: ${scenario.notThroughServer}\n`);
  const elsewhere = selected.length - onFace.length;
  if (scenarios.length === 0) throw new UsageError(`none of the ${selected.length} selected scenarios runs on the ${face} face (see: resume-harness list)`);
  if (elsewhere > 0) io.stdout.write(`resume-harness: ${elsewhere} selected scenario${elsewhere === 1 ? ' belongs' : 's belong'} to the other face only, not run on ${face}\n`);

  const reportsRoot = resolve(io.cwd, typeof values['report-dir'] === 'string' ? values['report-dir'] : 'reports');
  const runId = `${new Date().toISOString().replace(/[:.]/g, '-')}-seed${seed}`;
  const against = server ? `${sut.id} through the server ${server.id} (Gemini face upstream)` : `${sut.id} on the ${protocol} face`;
  io.stdout.write(`resume-harness: ${scenarios.length} scenario${scenarios.length === 1 ? '' : 's'} against ${against}, ${mode} mode, seed ${seed}${mode === 'network' ? `, time scale ${timeScale}` : ''}\n`);
  const writer = await createReportWriter({ reportsRoot, runId, formats, seed, mode, strict, timeScale });
  const progress = createProgress(io.stdout);
  for (const { scenario } of scenarios) {
    progress.scenarioStarted(scenario.id, sut.id);
    const run = await runScenario(scenario, sut, { mode, seed, timeScale, protocol, ...(server ? { server: { server } } : {}) });
    if (run.server && run.server.state !== 'ready') io.stderr.write(`resume-harness: ${scenario.id}: ${run.server.judgement.lifecycle.reason}\n`);
    try {
      await writer.scenarioDone(run);
    } catch (error) {
      io.stderr.write(`resume-harness: could not write the report of ${scenario.id}: ${(error as Error).message}\n`);
    }
    progress.scenarioDone(run, passes(run.judgement.overall, strict));
  }
  const summary = await writer.finish();
  progress.finished(summary, seed);
  return summary.failed > 0 ? 1 : 0;
}

/** `--server` (server-contract.md §1): absent, the client meets the mock directly. */
function serverFlag(value: string | boolean | undefined, cwd: string): ServerUnderTest | undefined {
  if (value === undefined) return undefined;
  return parseServer(String(value), cwd);
}

/** `--format`, read by the one registry of report formats; absent: every format. */
function formatsFlag(value: string | boolean | undefined): ReadonlySet<ReportFormat> {
  if (value === undefined) return new Set(ALL_FORMATS);
  try {
    return parseFormats(String(value));
  } catch (error) {
    if (error instanceof ReportFormatError) throw new UsageError(`--format takes a list of ${ALL_FORMATS.join(', ')}; got "${String(value)}"`);
    throw error;
  }
}
