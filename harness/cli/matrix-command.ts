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
import type { CliIo } from './run-command.ts';

export const MATRIX_USAGE = `resume-harness matrix [ids | globs | files…] [--seeds N] [--seed S] [--mode virtual|network]
                      [--protocol ai-voice|gemini-live] [--time-scale X] [--jobs N] [--mutants ID,…]
                      [--markdown] [--report-dir DIR]`;

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
  });
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

/** matrix.json (every run's digest), matrix.md and matrix.txt. */
export async function writeMatrixFiles(dir: string, matrix: DetectionMatrix): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'matrix.json'), `${JSON.stringify(matrix, null, 2)}\n`, 'utf8');
  await writeFile(join(dir, 'matrix.md'), renderMatrixMarkdown(matrix), 'utf8');
  await writeFile(join(dir, 'matrix.txt'), renderMatrixText(matrix), 'utf8');
}
