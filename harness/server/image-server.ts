/**
 * `--server image:NAME` (server-contract.md §1): the server under test as a container of a
 * locally built image, through testcontainers 12.0.1 (loaded only when an image is run):
 *
 * - host networking (the daemon runs with --bridge=none, gemini-live.md §7.6: no port mapping),
 *   the contract's variables as the container's environment;
 * - Ryuk disabled (it would pull an image; no registry is reachable) and the host override
 *   127.0.0.1, set by the harness before testcontainers is first loaded;
 * - testcontainers' own wait is the port wait, which has nothing to wait for without exposed
 *   ports: readiness is the contract's, the same TCP connection to RESUME_HARNESS_PORT as for a
 *   process, raced with the container's exit;
 * - stop: `docker stop` (SIGTERM, SIGKILL after the grace period), then the container is removed.
 *   Nothing outlives the run, whatever happened.
 */
import { spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { waitUntilReady } from './readiness.ts';
import { SERVER_OUTPUT_LIMITS, type Readiness, type ServerInstance, type ServerRecord, type ServerStartContext, type ServerUnderTest } from './server-under-test.ts';

export interface ImageServerOptions {
  readonly id?: string;
  readonly maxOutputLines?: number;
  readonly maxLineLength?: number;
  /** Real ms testcontainers may take to create and start the container. */
  readonly startupTimeoutMs?: number;
}


/** What the harness sets before testcontainers reads its configuration (gemini-live.md §7.6). */
export function prepareTestcontainersEnv(): void {
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
  process.env.TESTCONTAINERS_HOST_OVERRIDE = '127.0.0.1';
}

/** Containers started and not yet removed: removed if the harness exits or is interrupted first. */
const liveContainers = new Set<string>();
let cleanupInstalled = false;

/** Synchronous, so that it also runs in an 'exit' handler: `docker rm -f` of every live container. */
function removeLiveContainers(): void {
  if (liveContainers.size === 0) return;
  spawnSync('docker', ['rm', '-f', ...liveContainers], { stdio: 'ignore', timeout: 30_000 });
  liveContainers.clear();
}

function onHarnessSignal(signal: NodeJS.Signals): void {
  removeLiveContainers();
  // Terminate, as the signal asked. Re-raised when ours was the only listener; otherwise exit
  // outright: a listener that waits for being the last one (signal-exit, which testcontainers'
  // dependencies install) would wait for ever while ours is registered.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  else process.exit(128 + (constants.signals[signal] ?? 15));
}

function trackContainer(id: string): () => void {
  if (!cleanupInstalled) {
    cleanupInstalled = true;
    process.on('exit', removeLiveContainers);
  }
  liveContainers.add(id);
  if (liveContainers.size === 1) {
    process.once('SIGINT', onHarnessSignal);
    process.once('SIGTERM', onHarnessSignal);
  }
  return () => {
    liveContainers.delete(id);
    if (liveContainers.size === 0) {
      process.removeListener('SIGINT', onHarnessSignal);
      process.removeListener('SIGTERM', onHarnessSignal);
    }
  };
}

export function imageServer(image: string, options: ImageServerOptions = {}): ServerUnderTest {
  const id = options.id ?? `image:${image}`;
  return { id, kind: 'image', start: (context) => startContainer(image, id, options, context) };
}

interface ContainerExit {
  readonly code: number | null;
  readonly at: number;
  readonly error?: string;
}

async function startContainer(image: string, id: string, options: ImageServerOptions, context: ServerStartContext): Promise<ServerInstance> {
  const started = performance.now();
  const lines: { stdout: string[]; stderr: string[] } = { stdout: [], stderr: [] };
  let dropped = 0;
  const maxLines = options.maxOutputLines ?? SERVER_OUTPUT_LIMITS.maxLines;
  const maxLength = options.maxLineLength ?? SERVER_OUTPUT_LIMITS.maxLineLength;
  const keep = (stream: 'stdout' | 'stderr', line: string): void => {
    if (lines.stdout.length + lines.stderr.length >= maxLines) {
      dropped++;
      return;
    }
    lines[stream].push(line.slice(0, maxLength));
  };
  /** Real ms testcontainers took to create and start the container (before the port probe). */
  let containerStarted: number | undefined;
  const record = (partial: Pick<ServerRecord, 'state' | 'reason' | 'exitCode' | 'stoppedWith' | 'stopMs' | 'readyMs'>, containerId?: string): ServerRecord => ({
    id,
    kind: 'image',
    signal: null,
    ...partial,
    stdout: lines.stdout,
    stderr: lines.stderr,
    droppedLines: dropped,
    ...(containerStarted !== undefined ? { containerStartMs: containerStarted } : {}),
    details: { image, ...(containerId ? { containerId } : {}) },
  });
  const notStarted = (reason: string): ServerInstance => {
    const readiness: Readiness = { state: 'exited-early', ms: performance.now() - started, reason };
    const final = record({ state: 'exited-early', reason, exitCode: null, stoppedWith: 'already-exited', stopMs: 0, readyMs: null });
    return { readiness: Promise.resolve(readiness), exited: Promise.resolve(reason), stop: () => Promise.resolve(final) };
  };

  prepareTestcontainersEnv();
  let tc: typeof import('testcontainers');
  try {
    tc = await import('testcontainers');
  } catch (error) {
    return notStarted(`${id} could not be run: testcontainers is not installed (${(error as Error).message})`);
  }
  let container: import('testcontainers').StartedTestContainer;
  let client: Awaited<ReturnType<typeof tc.getContainerRuntimeClient>>;
  try {
    // The runtime client first: once a container exists, nothing may fail before it is tracked.
    client = await tc.getContainerRuntimeClient();
    container = await new tc.GenericContainer(image)
      .withNetworkMode('host')
      .withEnvironment({ ...context.env })
      .withPullPolicy({ shouldPull: () => false })
      .withWaitStrategy(tc.Wait.forListeningPorts())
      .withStartupTimeout(options.startupTimeoutMs ?? 60_000)
      .start();
  } catch (error) {
    return notStarted(`${id} could not be started: ${firstLine((error as Error).message)}`);
  }
  const containerId = container.getId();
  const untrack = trackContainer(containerId);
  containerStarted = Math.round(performance.now() - started);
  const handle = client.container.getById(containerId);

  // The output, line by line, until the container ends (the stream follows it). Docker's log
  // stream as testcontainers demuxes it carries stdout and stderr together: kept as stdout.
  let partial = '';
  void container.logs().then((stream) => {
    stream.on('data', (chunk: Buffer | string) => {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) if (line.length > 0) keep('stdout', line.replace(/\r$/, ''));
    });
    stream.on('end', () => { if (partial.length > 0) keep('stdout', partial); partial = ''; });
    stream.on('error', () => {});
  }, () => {});
  const exited: Promise<ContainerExit> = (handle.wait() as Promise<{ StatusCode: number }>).then(
    (r) => ({ code: r.StatusCode, at: performance.now() }),
    (error: Error) => ({ code: null, at: performance.now(), error: error.message }),
  );
  let exit: ContainerExit | undefined;
  void exited.then((e) => { exit = e; });
  const describeExit = (e: ContainerExit): string => {
    const how = e.error ? `ended (${e.error})` : `exited with status ${e.code}`;
    const all = [...lines.stderr, ...lines.stdout];
    const telltale = all.findLast((l) => /error|exception|fatal|panic/i.test(l)) ?? all.at(-1);
    return telltale ? `${how} (it printed ${JSON.stringify(telltale.slice(0, 200))})` : how;
  };
  const exitedSentence = exited.then(describeExit);
  const readiness = waitUntilReady({ port: context.port, timeoutMs: context.readyTimeoutMs, exited: exitedSentence, id });

  let stopping: Promise<ServerRecord> | undefined;
  const stop = (): Promise<ServerRecord> => {
    stopping ??= (async (): Promise<ServerRecord> => {
      const ready = await readiness;
      const stopAt = performance.now();
      const exitBeforeStop = exit;
      let stoppedWith: ServerRecord['stoppedWith'] = 'already-exited';
      try {
        // docker stop: SIGTERM, SIGKILL once the timeout (whole seconds) has passed; the container is kept to read its exit status.
        if (!exitBeforeStop) await container.stop({ timeout: Math.max(1_000, context.stopGraceMs), remove: false });
      } catch {
        // Already gone: the inspect below says what is left.
      }
      let exitCode: number | null = null;
      try {
        const info = await client.container.inspect(handle);
        exitCode = info.State.ExitCode;
        if (!exitBeforeStop) stoppedWith = info.State.ExitCode === 137 && !info.State.OOMKilled ? 'SIGKILL' : 'SIGTERM';
      } catch {
        exitCode = exitBeforeStop?.code ?? null;
      }
      try {
        await client.container.remove(handle, { removeVolumes: true });
      } catch {
        // Already removed.
      }
      untrack();
      const stopMs = Math.round(performance.now() - stopAt);
      // From the start request: the container's creation and start, then the port.
      const readyMs = ready.state === 'ready' ? Math.round(ready.ms + (containerStarted ?? 0)) : null;
      if (ready.state !== 'ready') return record({ state: ready.state, reason: ready.reason, exitCode, stoppedWith, stopMs, readyMs }, containerId);
      if (exitBeforeStop) {
        const after = Math.round((exitBeforeStop.at - started) / 100) / 10;
        return record({ state: 'crashed', reason: `${id} ${describeExit(exitBeforeStop)} ${after} s after it started, while the run still needed it`, exitCode, stoppedWith, stopMs, readyMs }, containerId);
      }
      const how = stoppedWith === 'SIGTERM' ? `stopped by SIGTERM (exit ${exitCode})` : `did not stop within ${(context.stopGraceMs / 1000).toFixed(1)} s of SIGTERM: killed (SIGKILL)`;
      return record({ state: 'ready', reason: `${id} was ready in time and ${how}`, exitCode, stoppedWith, stopMs, readyMs }, containerId);
    })();
    return stopping;
  };
  return { readiness, exited: exitedSentence, stop };
}

const firstLine = (text: string): string => text.split('\n')[0]!.slice(0, 300);
