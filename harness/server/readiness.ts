/**
 * The contract's readiness (server-contract.md §1): a TCP connection to the port succeeds,
 * within a bounded time, while the server is still running. Polls; returns as soon as the
 * port accepts, the server exits, or the bound runs out.
 */
import { connect } from 'node:net';
import type { Readiness } from './server-under-test.ts';

/** Real ms between two connection attempts. */
const PROBE_INTERVAL_MS = 50;

/** One TCP connection to 127.0.0.1:port; true if it was accepted. */
export function tcpAccepts(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      done(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

export interface ReadinessWait {
  readonly port: number;
  readonly timeoutMs: number;
  /** Resolves with a sentence when the server has exited (or could not start). */
  readonly exited: Promise<string>;
  /** Who it is, for the reasons: `cmd:…`, `image:…`. */
  readonly id: string;
}

export async function waitUntilReady(wait: ReadinessWait): Promise<Readiness> {
  const started = performance.now();
  let exitedWith: string | null = null;
  void wait.exited.then((why) => { exitedWith = why; });
  let timer: NodeJS.Timeout | undefined;
  const pause = (): Promise<void> => new Promise((resolve) => { timer = setTimeout(resolve, PROBE_INTERVAL_MS); });
  try {
    for (;;) {
      const elapsed = performance.now() - started;
      if (exitedWith !== null) return { state: 'exited-early', ms: elapsed, reason: `${wait.id} ${exitedWith} before it accepted a TCP connection on 127.0.0.1:${wait.port}` };
      if (await tcpAccepts(wait.port, Math.max(50, Math.min(1_000, wait.timeoutMs - elapsed)))) {
        // Accepted — unless it was a port some other process holds while ours is already gone.
        if (exitedWith !== null) continue;
        return { state: 'ready', ms: performance.now() - started };
      }
      if (performance.now() - started >= wait.timeoutMs) {
        return { state: 'never-ready', ms: performance.now() - started, reason: `${wait.id} never accepted a TCP connection on 127.0.0.1:${wait.port} (RESUME_HARNESS_PORT) within ${(wait.timeoutMs / 1000).toFixed(1)} s` };
      }
      await Promise.race([pause(), wait.exited]);
      clearTimeout(timer);
    }
  } finally {
    clearTimeout(timer);
  }
}
