/**
 * The parent side of the matrix's worker processes: a queue of jobs handed out one at a time
 * to whichever worker is free. A worker that dies takes only its current job with it: that
 * run becomes a harness error (UNKNOWN), never a silent gap, and the rest goes on.
 *
 * Workers are recycled every JOBS_PER_WORKER runs: msw keeps per-process state that grows with
 * every run (a listener per WebSocket link on one shared BroadcastChannel, every client a link
 * ever saw), and each new connection pays for all of it — a few hundred runs in, a fresh
 * process is much faster than an old one.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AXES, type Axis, type Verdict } from '../judge/verdict.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { Mode } from '../sut/system-under-test.ts';
import type { Protocol } from '../../protocol/sut-result.ts';
import type { MatrixJob, RunDigest } from './detection-matrix.ts';
import type { FromWorker, ToWorker } from './matrix-worker.ts';

const WORKER = fileURLToPath(new URL('./matrix-worker.ts', import.meta.url));
const JOBS_PER_WORKER = 300;

/** tsx's loader, by absolute URL: workers start wherever the harness was started from. */
function tsxLoader(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

export async function runInWorkers(
  jobs: readonly MatrixJob[],
  run: { scenarios: readonly Scenario[]; mode: Mode; timeScale: number; protocol?: Protocol; workers: number; onDigest: (d: RunDigest) => void; jobsPerWorker?: number },
): Promise<void> {
  const perWorker = run.jobsPerWorker ?? JOBS_PER_WORKER;
  const queue = [...jobs];
  const loader = tsxLoader();
  const init: ToWorker = { type: 'init', scenarios: run.scenarios, mode: run.mode, timeScale: run.timeScale, protocol: run.protocol ?? 'ai-voice' };
  let crashes = 0;

  const worker = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const child: ChildProcess = fork(WORKER, [], {
        execArgv: ['--import', loader],
        env: { ...process.env, RESUME_HARNESS_MATRIX_WORKER: '1' },
        serialization: 'advanced',
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
      const stderr: string[] = [];
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr.push(chunk.toString('utf8'));
        if (stderr.length > 50) stderr.shift();
      });
      let current: MatrixJob | null = null;
      let served = 0;
      const next = (): void => {
        current = served < perWorker ? (queue.shift() ?? null) : null;
        if (current) {
          served++;
          child.send({ type: 'job', job: current } satisfies ToWorker);
        } else child.disconnect();
      };
      child.on('message', (message: FromWorker) => {
        if (message.type === 'digest') run.onDigest(message.digest);
        next();
      });
      child.once('exit', (code, signal) => {
        const lost = current;
        current = null;
        if (lost) {
          const tail = stderr.join('').trim().split('\n').slice(-3).join(' | ');
          run.onDigest(lostRun(lost, run.scenarios, `the matrix worker died (${signal ?? `exit ${code}`}) during this run${tail ? `: ${tail}` : ''}`));
          crashes++;
        }
        // A fresh worker for the work left: after a recycle, or after a crash (within reason).
        if (queue.length > 0 && crashes <= 2 * run.workers) {
          void worker().then(resolve);
          return;
        }
        resolve();
      });
      child.send(init);
    });

  await Promise.all(Array.from({ length: Math.max(1, Math.min(run.workers, queue.length)) }, () => worker()));
  // Jobs a dead pool could not take: harness errors, not silent gaps.
  for (const job of queue.splice(0)) run.onDigest(lostRun(job, run.scenarios, 'no matrix worker was left to run it'));
}

function lostRun(job: MatrixJob, scenarios: readonly Scenario[], reason: string): RunDigest {
  const axes = {} as Record<Axis, { verdict: Verdict; reason: string }>;
  for (const axis of AXES) axes[axis] = { verdict: 'UNKNOWN', reason };
  return { sut: job.sut, scenario: scenarios[job.scenario]!.id, seed: job.seed, overall: 'UNKNOWN', axes, client: 'missing', wallMs: 0, harnessError: reason };
}
