/**
 * A worker process of the detection matrix. Virtual-time runs fake the process's timers, so
 * one process runs one at a time; the matrix spreads its runs over a few of these instead.
 *
 * Protocol (IPC, structured clone): the parent sends `init` once, then one `job` at a time;
 * the worker answers `ready`, then one `digest` per job. It exits when the channel closes.
 */
import type { Scenario } from '../scenario/schema.ts';
import type { Mode } from '../sut/system-under-test.ts';
import type { Protocol } from '../../protocol/sut-result.ts';
import { parseSut } from '../sut/parse-sut.ts';
import { runJob, type MatrixJob, type RunDigest } from './detection-matrix.ts';

export type ToWorker =
  | { readonly type: 'init'; readonly scenarios: readonly Scenario[]; readonly mode: Mode; readonly timeScale: number; readonly protocol: Protocol }
  | { readonly type: 'job'; readonly job: MatrixJob };

export type FromWorker = { readonly type: 'ready' } | { readonly type: 'digest'; readonly digest: RunDigest };

function serve(): void {
  let init: Extract<ToWorker, { type: 'init' }> | null = null;
  const send = (message: FromWorker): void => {
    process.send?.(message);
  };
  process.on('message', (message: ToWorker) => {
    if (message.type === 'init') {
      init = message;
      send({ type: 'ready' });
      return;
    }
    const ready = init;
    if (!ready) return;
    void runJob(message.job, ready.scenarios, (sut) => parseSut(sut, process.cwd(), ready.protocol), ready.mode, ready.timeScale, ready.protocol).then((digest) => send({ type: 'digest', digest }));
  });
  process.on('disconnect', () => process.exit(0));
}

if (process.send && process.env.RESUME_HARNESS_MATRIX_WORKER === '1') serve();
