/**
 * `resume-harness matrix`: the catalog (or a selection) against the reference simulator and
 * every mutant, for N seeds; prints the detection matrix. Exit 0 when every mutant is caught
 * by at least one scenario and the reference passes everything; 1 otherwise (an escape, a
 * false alarm, or a harness error); 2 for usage errors.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { matrixPasses, mutantSubject, referenceSubject, renderMatrixMarkdown, renderMatrixText, runMatrix, type DetectionMatrix } from '../matrix/detection-matrix.ts';
import { runInWorkers } from '../matrix/matrix-pool.ts';
import type { Mode } from '../sut/system-under-test.ts';
import { allMutants, parseSut } from '../sut/parse-sut.ts';
import { GEMINI_MUTANTS, type GeminiMutant, type Mutant } from '../../simulator/index.ts';
import { intFlag, parse, positiveFlag, protocolFlag } from './args.ts';
import { loadSelection } from './load-selection.ts';
import { SERVER_MIN_TIME_SCALE, type CliIo } from './run-command.ts';
import { renderServerMatrixMarkdown, renderServerMatrixText, runServerMatrix, serverMatrixPasses, type ServerSubject } from '../matrix/server-matrix.ts';
import { parseServer } from '../server/parse-server.ts';
import { builtinSut } from '../sut/builtin-sut.ts';
import { findServerMutant, SERVER_MUTANTS, serverMutantIds } from '../../servers/mutants/index.ts';

export const MATRIX_USAGE = `resume-harness matrix [ids | globs | files…] [--seeds N] [--seed S] [--mode virtual|network]
                      [--protocol ai-voice|gemini-live] [--time-scale X] [--jobs N] [--mutants ID,…]
                      [--server reference|cmd:COMMAND|image:NAME] [--markdown] [--report-dir DIR]`;

/** Network runs wait on real time, not on the CPU: more of them fit at once. */
const NETWORK_JOBS = 4;
const DEFAULT_TIME_SCALE = 0.01;

export async function matrixCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    seeds: { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' },
    mode: { type: 'string', default: 'virtual' },
    'time-scale': { type: 'string' },
    jobs: { type: 'string' },
    mutants: { type: 'string' },
    markdown: { type: 'boolean', default: false },
    'report-dir': { type: 'string' },
    protocol: { type: 'string' },
    server: { type: 'string' },
  });
  if (values.server !== undefined) return serverMatrixCommand(values, positionals, io);
  const protocol = protocolFlag(values.protocol);
  const mode = values.mode as Mode;
  if (mode !== 'virtual' && mode !== 'network') throw new UsageError(`--mode must be virtual or network, got "${String(values.mode)}"`);
  const count = intFlag(values.seeds, 'seeds') ?? 1;
  if (count < 1) throw new UsageError('--seeds must be at least 1');
  const first = intFlag(values.seed, 'seed') ?? 1;
  const seeds = Array.from({ length: count }, (_, i) => (first + i) >>> 0);
  const timeScale = positiveFlag(values['time-scale'], 'time-scale') ?? DEFAULT_TIME_SCALE;
  const jobs = intFlag(values.jobs, 'jobs') ?? (mode === 'virtual' ? Math.min(availableParallelism(), 4) : NETWORK_JOBS);
  if (jobs < 1) throw new UsageError('--jobs must be at least 1');

  // Each wire has its own reference client and its own gallery of mutants.
  const known: readonly (Mutant | GeminiMutant)[] = protocol === 'gemini-live' ? GEMINI_MUTANTS : allMutants();
  let mutants = known;
  if (typeof values.mutants === 'string') {
    const wanted = values.mutants.split(',').map((m) => m.trim().replace(/^mutant:/, '')).filter(Boolean);
    const unknown = wanted.filter((id) => !known.some((m) => m.id === id));
    if (unknown.length > 0) throw new UsageError(`unknown mutant${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; known: ${known.map((m) => m.id).join(', ')}`);
    mutants = known.filter((m) => wanted.includes(m.id));
  }
  const scenarios = loadSelection(positionals, io.cwd).map((l) => l.scenario).filter((s) => s.faces.includes(protocol));
  if (scenarios.length === 0) throw new UsageError(`none of the selected scenarios runs on the ${protocol} face (see: resume-harness list)`);
  const subjects = [referenceSubject('builtin', protocol), ...mutants.map(mutantSubject)];

  const total = subjects.length * scenarios.length * seeds.length;
  io.stderr.write(`resume-harness matrix (${protocol}): ${subjects.length - 1} mutants + the reference × ${scenarios.length} scenarios × ${seeds.length} seed${seeds.length === 1 ? '' : 's'} = ${total} runs, ${mode} mode${mode === 'network' ? `, time scale ${timeScale}` : ''}, ${jobs} at a time\n`);
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
  if (typeof values['report-dir'] === 'string') {
    const dir = resolve(io.cwd, values['report-dir']);
    try {
      await writeMatrixFiles(dir, matrix);
      io.stderr.write(`resume-harness matrix: written to ${dir}\n`);
    } catch (error) {
      io.stderr.write(`resume-harness matrix: could not write to ${dir}: ${(error as Error).message}\n`);
      return 1;
    }
  }
  return matrixPasses(matrix) ? 0 : 1;
}

/**
 * `matrix --server S`: the server detection matrix (server-matrix.ts). S is the row that must
 * pass everything (the reference server, or a server of your own); the rows below it are the
 * server mutants of servers/mutants/ (`--mutants` picks some), each expected to fail its axis.
 * Network mode only: every run starts a server process, at the server runs' time-scale floor.
 */
async function serverMatrixCommand(values: Record<string, string | boolean | undefined>, positionals: string[], io: CliIo): Promise<number> {
  if (values.mode !== undefined && values.mode !== 'virtual' && values.mode !== 'network') throw new UsageError(`--mode must be virtual or network, got "${String(values.mode)}"`);
  if (values.protocol !== undefined && values.protocol !== 'ai-voice') throw new UsageError('--server: the client speaks ai-voice to the server; --protocol does not apply');
  const spec = String(values.server);
  parseServer(spec, io.cwd);
  const count = intFlag(values.seeds, 'seeds') ?? 1;
  if (count < 1) throw new UsageError('--seeds must be at least 1');
  const first = intFlag(values.seed, 'seed') ?? 1;
  const seeds = Array.from({ length: count }, (_, i) => (first + i) >>> 0);
  const timeScale = positiveFlag(values['time-scale'], 'time-scale') ?? SERVER_MIN_TIME_SCALE;
  const jobs = intFlag(values.jobs, 'jobs') ?? SERVER_JOBS;
  if (jobs < 1) throw new UsageError('--jobs must be at least 1');
  let mutants = SERVER_MUTANTS;
  if (typeof values.mutants === 'string') {
    const wanted = values.mutants.split(',').map((m) => m.trim().replace(/^mutant:/, '')).filter(Boolean);
    const unknown = wanted.filter((id) => !findServerMutant(id));
    if (unknown.length > 0) throw new UsageError(`unknown server mutant${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; known: ${serverMutantIds().join(', ')}`);
    mutants = wanted.map((id) => findServerMutant(id)!);
  }
  const scenarios = loadSelection(positionals, io.cwd).map((l) => l.scenario).filter((s) => s.faces.includes('gemini-live') && s.notThroughServer === undefined);
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
  if (typeof values['report-dir'] === 'string') {
    const dir = resolve(io.cwd, values['report-dir']);
    try {
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'server-matrix.json'), `${JSON.stringify(matrix, null, 2)}\n`, 'utf8');
      await writeFile(join(dir, 'server-matrix.md'), renderServerMatrixMarkdown(matrix), 'utf8');
      await writeFile(join(dir, 'server-matrix.txt'), renderServerMatrixText(matrix), 'utf8');
      io.stderr.write(`resume-harness matrix: written to ${dir}\n`);
    } catch (error) {
      io.stderr.write(`resume-harness matrix: could not write to ${dir}: ${(error as Error).message}\n`);
      return 1;
    }
  }
  return serverMatrixPasses(matrix) ? 0 : 1;
}

/** Server runs at once: each is a node process compiling TypeScript, then mostly waiting on sockets. */
const SERVER_JOBS = 3;

/** matrix.json (every run's digest), matrix.md and matrix.txt. */
export async function writeMatrixFiles(dir: string, matrix: DetectionMatrix): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'matrix.json'), `${JSON.stringify(matrix, null, 2)}\n`, 'utf8');
  await writeFile(join(dir, 'matrix.md'), renderMatrixMarkdown(matrix), 'utf8');
  await writeFile(join(dir, 'matrix.txt'), renderMatrixText(matrix), 'utf8');
}
