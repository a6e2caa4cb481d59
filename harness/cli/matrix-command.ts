/**
 * `resume-harness matrix`: the catalog (or a selection) against the reference simulator and
 * every mutant, for N seeds; prints the detection matrix. Exit 0 when every mutant is caught
 * by at least one scenario and the reference passes everything; 1 for an escape or a false
 * alarm; 2 for usage errors; 3 when the only trouble is runs the harness could not judge.
 */
import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError, UserInputError } from '../errors.ts';
import { mutantSubject, referenceSubject, renderMatrixMarkdown, renderMatrixText, runMatrix, type DetectionMatrix } from '../matrix/detection-matrix.ts';
import { runInWorkers } from '../matrix/matrix-pool.ts';
import { makeDirectory } from '../report/atomic-file.ts';
import { allMutants, parseSut, preflightSut } from '../sut/parse-sut.ts';
import { GEMINI_MUTANTS, type GeminiMutant, type Mutant } from '../../simulator/index.ts';
import { intFlag, modeFlag, positiveFlag, protocolFlag } from './args.ts';
import type { CliIo } from './cli-io.ts';
import { collectWhole, defineCommand, examples, invokeCommand, once, type ReportCode } from './command-kit.ts';
import { didYouMean } from './did-you-mean.ts';
import { exitCodeForResults } from './exit-codes.ts';
import { loadSelection } from './load-selection.ts';
import { SERVER_MIN_TIME_SCALE } from './run-command.ts';
import { shardFlag, shardOf } from './shard.ts';
import { addSelectionOptions, SELECTORS_HELP, selectionFilters, type SelectionOptions } from './selection-options.ts';
import { renderServerMatrixMarkdown, renderServerMatrixText, runServerMatrix, type ServerMatrix, type ServerSubject } from '../matrix/server-matrix.ts';
import { parseServer } from '../server/parse-server.ts';
import { builtinSut } from '../sut/builtin-sut.ts';
import { findServerMutant, SERVER_MUTANTS, serverMutantIds } from '../../servers/mutants/index.ts';

/** Network runs wait on real time, not on the CPU: more of them fit at once. */
const NETWORK_JOBS = 4;
const DEFAULT_TIME_SCALE = 0.01;

interface MatrixOptions extends SelectionOptions {
  readonly seeds?: string;
  readonly seed?: string;
  readonly mode?: string;
  readonly timeScale?: string;
  readonly jobs?: string;
  readonly mutants?: string;
  readonly markdown?: boolean;
  readonly reportDir?: string;
  readonly protocol?: string;
  readonly server?: string;
  readonly sut?: string[];
  readonly shard?: string;
}

export function matrixCommandDefinition(io: CliIo, report: ReportCode) {
  const command = defineCommand('matrix', io)
    .summary('the harness measuring itself: every mutant × every scenario × N seeds')
    .description('Runs the selected scenarios against the reference client (or the --sut rows, each of which must pass everything) and every mutant, for N seeds, and prints the detection matrix. Exit 0 when every mutant is caught and no reference row fails; 1 for an escape or a false alarm; 3 when a run could not be judged.')
    .argument('[selectors...]', SELECTORS_HELP)
    .option('--sut <spec>', 'a row that must pass everything: builtin (default), module:PATH, cmd:COMMAND (repeatable: several clients in one matrix)', collectWhole)
    .option('--mutants <ids>', 'only these mutants, comma-separated (default: the whole gallery of the face, or of servers/mutants with --server)', once('mutants'))
    .option('--seeds <n>', 'seeds per cell (default 1)', once('seeds'))
    .option('--seed <s>', 'first seed (default 1); the seeds are S, S+1, …', once('seed'))
    .option('--mode <mode>', 'virtual (default) or network', once('mode'))
    .option('--protocol <face>', 'ai-voice (default) or gemini-live: which client gallery', once('protocol'))
    .option('--time-scale <x>', `real seconds per protocol second in network mode (default ${DEFAULT_TIME_SCALE}; ${SERVER_MIN_TIME_SCALE} with --server)`, once('time-scale'))
    .option('--jobs <n>', `runs at once (default: up to 4 worker threads in virtual mode, ${NETWORK_JOBS} in network mode)`, once('jobs'))
    .option('--server <spec>', 'the server detection matrix instead: this server (reference, cmd:COMMAND, image:NAME) must pass, the server mutants must be caught', once('server'))
    .option('--shard <i/n>', 'run only shard i of n of the scenario columns (round robin); escapes are judged when merge-reports joins the shards\' --report-dir folders', once('shard'))
    .option('--markdown', 'print the matrix as Markdown (for a README or a step summary)')
    .option('--report-dir <dir>', 'also write matrix.json, matrix.md and matrix.txt there', once('report-dir'));
  addSelectionOptions(command);
  return command
    .addHelpText('after', examples(
      'resume-harness matrix --seeds 5',
      'resume-harness matrix goaway --mutants t6-waits-for-server-close,seed-plan --jobs 1',
      'resume-harness matrix --mode network --sut builtin --sut "cmd:python3 examples/python/client.py" --group expiry',
      'resume-harness matrix --server reference --seeds 2',
    ))
    .action(async (selectors: string[], options: MatrixOptions) => report(await detectionMatrix(selectors, options, io)));
}

export function matrixCommand(args: readonly string[], io: CliIo): Promise<number> {
  return invokeCommand(matrixCommandDefinition, args, io);
}

async function detectionMatrix(positionals: readonly string[], values: MatrixOptions, io: CliIo): Promise<number> {
  if (values.server !== undefined) return serverMatrixCommand(values, positionals, io);
  const protocol = protocolFlag(values.protocol);
  const mode = modeFlag(values.mode, 'virtual');
  const count = intFlag(values.seeds, 'seeds') ?? 1;
  if (count < 1) throw new UsageError('--seeds must be at least 1');
  const first = intFlag(values.seed, 'seed') ?? 1;
  const seeds = Array.from({ length: count }, (_, i) => (first + i) >>> 0);
  const timeScale = positiveFlag(values.timeScale, 'time-scale') ?? DEFAULT_TIME_SCALE;
  const jobs = intFlag(values.jobs, 'jobs') ?? (mode === 'virtual' ? Math.min(availableParallelism(), 4) : NETWORK_JOBS);
  if (jobs < 1) throw new UsageError('--jobs must be at least 1');
  const references = [...new Set(values.sut ?? ['builtin'])];
  for (const spec of references) {
    const sut = parseSut(spec, io.cwd, protocol);
    if (!sut.modes.includes(mode)) throw new UsageError(`--sut ${sut.id} runs only in ${sut.modes.join(' or ')} mode`);
    await preflightSut(spec, io.cwd);
  }
  const reportDir = values.reportDir === undefined ? undefined : await reportFolder(resolve(io.cwd, values.reportDir));

  // Each wire has its own reference client and its own gallery of mutants.
  const known: readonly (Mutant | GeminiMutant)[] = protocol === 'gemini-live' ? GEMINI_MUTANTS : allMutants();
  let mutants = known;
  if (typeof values.mutants === 'string') {
    const wanted = values.mutants.split(',').map((m) => m.trim().replace(/^mutant:/, '')).filter(Boolean);
    const unknown = wanted.filter((id) => !known.some((m) => m.id === id));
    if (unknown.length > 0) throw new UsageError(`unknown mutant${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `${u}${didYouMean(u, known.map((m) => m.id))}`).join(', ')}; known: ${known.map((m) => m.id).join(', ')}`);
    mutants = known.filter((m) => wanted.includes(m.id));
  }
  const shard = shardFlag(values.shard);
  const onFace = loadSelection(positionals, io.cwd, selectionFilters(values)).map((l) => l.scenario).filter((s) => s.faces.includes(protocol));
  if (onFace.length === 0) throw new UsageError(`none of the selected scenarios runs on the ${protocol} face (see: resume-harness list)`);
  const scenarios = shardOf(onFace, shard);
  if (scenarios.length === 0) throw new UsageError(`shard ${values.shard} of ${onFace.length} scenarios is empty: use fewer shards`);
  const subjects = [...references.map((spec) => referenceSubject(spec, protocol)), ...mutants.map(mutantSubject)];

  const total = subjects.length * scenarios.length * seeds.length;
  io.stderr.write(`resume-harness matrix (${protocol}): ${mutants.length} mutants + ${references.length === 1 ? 'the reference' : `${references.length} reference rows`} × ${scenarios.length} scenarios × ${seeds.length} seed${seeds.length === 1 ? '' : 's'} = ${total} runs, ${mode} mode${mode === 'network' ? `, time scale ${timeScale}` : ''}, ${jobs} at a time\n`);
  const live = io.stderr.isTTY === true;
  let lastShown = 0;
  const matrix = await runMatrix({
    scenarios,
    subjects,
    seeds,
    mode,
    timeScale,
    jobs,
    protocol,
    sutFor: (sut) => parseSut(sut, io.cwd, protocol),
    pool: runInWorkers,
    onDigest: (_digest, done, all) => {
      if (!live) return;
      const now = performance.now();
      if (done < all && now - lastShown < 200) return;
      lastShown = now;
      io.stderr.write(`\r\x1b[2K${done}/${all} runs`);
      if (done === all) io.stderr.write('\r\x1b[2K');
    },
  });

  io.stdout.write(values.markdown ? renderMatrixMarkdown(matrix) : renderMatrixText(matrix));
  if (reportDir !== undefined) {
    try {
      await writeMatrixFiles(reportDir, matrix);
      io.stderr.write(`resume-harness matrix: written to ${reportDir}\n`);
    } catch (error) {
      io.stderr.write(`resume-harness matrix: could not write to ${reportDir}: ${(error as Error).message}\n`);
      return EXIT_CANNOT_WRITE;
    }
  }
  if (shard) {
    io.stderr.write(`resume-harness matrix: shard ${shard.index}/${shard.count}: a mutant this shard did not catch may be caught by another; merge-reports judges escapes\n`);
    return matrixExitCode({ ...matrix, escaped: [] });
  }
  return matrixExitCode(matrix);
}

/** The matrix written but not saved: the harness failed its job (exit 3), the verdicts are on stdout. */
const EXIT_CANNOT_WRITE = 3;

/** 1 for an escape or a real false alarm; 3 when the only trouble is runs the harness could not judge. */
export function matrixExitCode(m: DetectionMatrix | ServerMatrix): number {
  return exitCodeForResults(m.escaped.length + m.falseAlarms.filter((d) => d.overall !== 'UNKNOWN').length, m.harnessErrors.length);
}

/** The folder for --report-dir, made before anything runs: one that cannot be made is the user's to fix (exit 2). */
async function reportFolder(dir: string): Promise<string> {
  try {
    await makeDirectory(dir);
    return dir;
  } catch (error) {
    throw new UserInputError('REPORT_DIR_UNWRITABLE', `cannot write the matrix to ${dir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): give --report-dir a folder you can write to`);
  }
}

/**
 * `matrix --server S`: the server detection matrix (server-matrix.ts). S is the row that must
 * pass everything (the reference server, or a server of your own); the rows below it are the
 * server mutants of servers/mutants/ (`--mutants` picks some), each expected to fail its axis.
 * Network mode only: every run starts a server process, at the server runs' time-scale floor.
 */
async function serverMatrixCommand(values: MatrixOptions, positionals: readonly string[], io: CliIo): Promise<number> {
  modeFlag(values.mode, 'network');
  if (values.sut !== undefined) throw new UsageError('--server: the client is the reference AI-voice client; --sut does not apply (the server is the row under test)');
  if (values.shard !== undefined) throw new UsageError('--shard splits the client matrix only; the server matrix (--server) runs whole');
  if (values.protocol !== undefined && values.protocol !== 'ai-voice') throw new UsageError('--server: the client speaks ai-voice to the server; --protocol does not apply');
  const spec = String(values.server);
  parseServer(spec, io.cwd);
  const count = intFlag(values.seeds, 'seeds') ?? 1;
  if (count < 1) throw new UsageError('--seeds must be at least 1');
  const first = intFlag(values.seed, 'seed') ?? 1;
  const seeds = Array.from({ length: count }, (_, i) => (first + i) >>> 0);
  const timeScale = positiveFlag(values.timeScale, 'time-scale') ?? SERVER_MIN_TIME_SCALE;
  const jobs = intFlag(values.jobs, 'jobs') ?? SERVER_JOBS;
  if (jobs < 1) throw new UsageError('--jobs must be at least 1');
  let mutants = SERVER_MUTANTS;
  if (typeof values.mutants === 'string') {
    const wanted = values.mutants.split(',').map((m) => m.trim().replace(/^mutant:/, '')).filter(Boolean);
    const unknown = wanted.filter((id) => !findServerMutant(id));
    if (unknown.length > 0) throw new UsageError(`unknown server mutant${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `${u}${didYouMean(u, serverMutantIds())}`).join(', ')}; known: ${serverMutantIds().join(', ')}`);
    mutants = wanted.map((id) => findServerMutant(id)!);
  }
  const reportDir = values.reportDir === undefined ? undefined : await reportFolder(resolve(io.cwd, values.reportDir));
  const scenarios = loadSelection(positionals, io.cwd, selectionFilters(values)).map((l) => l.scenario).filter((s) => s.faces.includes('gemini-live') && s.notThroughServer === undefined);
  if (scenarios.length === 0) throw new UsageError('none of the selected scenarios has a meaning upstream of a server (the Gemini face): see resume-harness list');
  const subjects: ServerSubject[] = [
    { server: spec, role: 'reference', detectedAs: 'FAILED', bug: spec === 'reference' ? 'the reference AI-voice server: must pass everything' : 'the server under test: must pass everything', standsFor: 'docs/server-contract.md' },
    ...mutants.map((m): ServerSubject => ({ server: `mutant:${m.id}`, role: 'mutant', axis: m.axis, detectedAs: m.detectedAs ?? 'FAILED', bug: m.bug, standsFor: m.standsFor })),
  ];
  const total = subjects.length * scenarios.length * seeds.length;
  io.stderr.write(`resume-harness matrix --server ${spec}: ${mutants.length} server mutants + ${spec} × ${scenarios.length} scenarios × ${seeds.length} seed${seeds.length === 1 ? '' : 's'} = ${total} runs, network mode, time scale ${timeScale}, ${jobs} at a time\n`);
  const live = io.stderr.isTTY === true;
  const matrix = await runServerMatrix({
    scenarios,
    subjects,
    seeds,
    timeScale,
    jobs,
    serverFor: (s) => parseServer(s, io.cwd),
    client: () => builtinSut(),
    onDigest: (_d, done, all) => {
      if (live) io.stderr.write(`\r\x1b[2K${done}/${all} runs${done === all ? '\r\x1b[2K' : ''}`);
    },
  });
  io.stdout.write(values.markdown ? renderServerMatrixMarkdown(matrix) : renderServerMatrixText(matrix));
  if (reportDir !== undefined) {
    const dir = reportDir;
    try {
      await writeFile(join(dir, 'server-matrix.json'), `${JSON.stringify(matrix, null, 2)}\n`, 'utf8');
      await writeFile(join(dir, 'server-matrix.md'), renderServerMatrixMarkdown(matrix), 'utf8');
      await writeFile(join(dir, 'server-matrix.txt'), renderServerMatrixText(matrix), 'utf8');
      io.stderr.write(`resume-harness matrix: written to ${dir}\n`);
    } catch (error) {
      io.stderr.write(`resume-harness matrix: could not write to ${dir}: ${(error as Error).message}\n`);
      return EXIT_CANNOT_WRITE;
    }
  }
  return matrixExitCode(matrix);
}

/** Server runs at once: each is a node process compiling TypeScript, then mostly waiting on sockets. */
const SERVER_JOBS = 3;

/** matrix.json (every run's digest), matrix.md and matrix.txt. */
export async function writeMatrixFiles(dir: string, matrix: DetectionMatrix): Promise<void> {
  await makeDirectory(dir);
  await writeFile(join(dir, 'matrix.json'), `${JSON.stringify(matrix, null, 2)}\n`, 'utf8');
  await writeFile(join(dir, 'matrix.md'), renderMatrixMarkdown(matrix), 'utf8');
  await writeFile(join(dir, 'matrix.txt'), renderMatrixText(matrix), 'utf8');
}
