/**
 * What the server-under-test tests share (docs/server-contract.md): the mock Gemini Live face
 * on 127.0.0.1 with a scaled clock, the reference server as a child process in a process
 * group of its own with the contract's environment, the reference ProspectSimulator against
 * it, and waits on events (a log line, a port, an exit), never on sleeps.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { scaledClock } from '../../protocol/clock.ts';
import { GeminiLiveServer, startWsServer, type RunningServer, type ServerScriptInput } from '../../mock-server/index.ts';
import { ProspectSimulator, type SimulatorResult, type WebSocketCtor } from '../../simulator/index.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SERVER_ENTRY = 'servers/reference/server.ts';
export const MODEL = 'gemini-live-2.5-flash-preview';
export const SHARE_TOKEN = 'share_reference_server_test_0001';
export const SYSTEM_INSTRUCTION = 'You are Riley, a sales agent for Acme Solar.';

export interface GeminiFace {
  readonly server: GeminiLiveServer;
  readonly running: RunningServer;
  close(): Promise<void>;
}

export async function startGeminiFace(scale: number, script: ServerScriptInput, seed = 7): Promise<GeminiFace> {
  const server = new GeminiLiveServer({ clock: scaledClock(scale), seed, script });
  const running = await startWsServer(server);
  return {
    server,
    running,
    close: async () => {
      server.dispose();
      await running.close();
    },
  };
}

/** The contract's environment (server-contract.md §1), by its exact variable names. */
export function serverEnv(port: number, face: GeminiFace, scale: number): Record<string, string> {
  return {
    RESUME_HARNESS_PORT: String(port),
    GOOGLE_GEMINI_BASE_URL: face.running.httpUrl,
    GEMINI_API_KEY: face.server.apiKey,
    RESUME_HARNESS_AGENTS: JSON.stringify([{ shareToken: SHARE_TOKEN, model: MODEL, systemInstruction: SYSTEM_INSTRUCTION }]),
    RESUME_HARNESS_TIME_SCALE: String(scale),
  };
}

/** A port free right now on 127.0.0.1 (the harness picks one the same way). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((ok, fail) => { probe.once('error', fail); probe.listen(0, '127.0.0.1', () => ok()); });
  const address = probe.address();
  await new Promise<void>((ok) => probe.close(() => ok()));
  if (typeof address !== 'object' || address === null) throw new Error('no TCP address');
  return address.port;
}

/** One TCP connection to the port: the contract's readiness check (§1). */
export function tcpConnects(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => { socket.destroy(); done(true); });
    socket.once('error', () => done(false));
  });
}

export interface ServerProcess {
  readonly child: ChildProcess;
  /** Everything it printed, stdout and stderr, in order. */
  readonly output: string[];
  /** Resolves on the first line matching, rejects if the process exits first. */
  line(pattern: RegExp): Promise<string>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM to the process group; SIGKILL if it has not exited when `graceMs` have passed. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnServer(env: Record<string, string>): ServerProcess {
  const { GOOGLE_API_KEY: _dropped, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER_ENTRY], {
    cwd: ROOT,
    env: { ...inherited, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const watchers: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  // 'close', not 'exit': it waits for every process holding the output pipes (a helper the
  // server started, such as tsx's esbuild service, inherits stderr) to be gone as well.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('close', (code, signal) => done({ code, signal })));
  const take = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n').filter((l) => l.length > 0)) {
      output.push(line);
      for (let i = watchers.length - 1; i >= 0; i--) {
        if (watchers[i]!.pattern.test(line)) watchers.splice(i, 1)[0]!.resolve(line);
      }
    }
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  return {
    child,
    output,
    exited,
    line: (pattern) => {
      const seen = output.find((l) => pattern.test(l));
      if (seen) return Promise.resolve(seen);
      return Promise.race([
        new Promise<string>((resolveLine) => watchers.push({ pattern, resolve: resolveLine })),
        exited.then(({ code, signal }) => { throw new Error(`the server exited (${code ?? signal}) before printing ${pattern}:\n${output.join('\n')}`); }),
      ]);
    },
    stop: async (graceMs = 5000) => {
      try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* already gone */ }
      let timer: NodeJS.Timeout | undefined;
      const killed = new Promise<void>((done) => {
        timer = setTimeout(() => {
          try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ }
          done();
        }, graceMs);
      });
      await Promise.race([exited, killed]);
      clearTimeout(timer);
      return exited;
    },
  };
}

export { groupAlive } from '../../harness/sut/child-process.ts';

export interface ConversationOptions {
  readonly port: number;
  readonly scale: number;
  readonly maxTurns: number;
  readonly seed?: number;
}

/** The reference ProspectSimulator against the server on `port`, on the scaled clock. */
export function runSimulator(options: ConversationOptions): Promise<SimulatorResult> {
  const base = `127.0.0.1:${options.port}`;
  const simulator = new ProspectSimulator({
    httpUrl: `http://${base}`,
    wsUrl: `ws://${base}/ws/ai-voice`,
    shareToken: SHARE_TOKEN,
    maxTurns: options.maxTurns,
    seed: options.seed ?? 3,
    clock: scaledClock(options.scale),
    WebSocket: WebSocket as unknown as WebSocketCtor,
    thinkTimeMs: [200, 400],
  });
  return simulator.run();
}

/** The reference server's local image (servers/reference/image/build-image.sh builds it). */
export const REFERENCE_IMAGE = 'resume-harness/reference-server:local';

/** Whether the docker daemon answers, and why not. */
function dockerStatus(): { ok: true } | { ok: false; why: string } {
  const info = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 20_000 });
  if (info.error) return { ok: false, why: `docker: ${info.error.message}` };
  if (info.status !== 0) return { ok: false, why: (info.stderr || info.stdout).trim().split('\n')[0] ?? `docker info exited ${info.status}` };
  return { ok: true };
}

/**
 * A container test needs a docker daemon: without one it is skipped with the reason, except
 * under CI, which installs and starts docker (.ci/run): there, no docker is a failure.
 */
export function needDocker(ctx: { skip(note?: string): never }): void {
  const docker = dockerStatus();
  if (docker.ok) return;
  if (process.env.CI) throw new Error(`CI is set and docker is unavailable: ${docker.why}`);
  ctx.skip(`docker is unavailable (${docker.why}); .ci/run installs and starts it`);
}

/** Builds the reference server's image (cached layers make a rebuild quick); the build's output on failure. */
export function buildReferenceImage(): { status: number | null; output: string } {
  const built = spawnSync('bash', [resolve(ROOT, 'servers/reference/image/build-image.sh'), REFERENCE_IMAGE], { encoding: 'utf8', timeout: 300_000 });
  return { status: built.status, output: `${built.stdout}\n${built.stderr}` };
}
