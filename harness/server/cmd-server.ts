/**
 * `--server cmd:COMMAND` (server-contract.md §1): the server under test as a process. The
 * command runs through `sh -c` in a process group of its own, with the contract's variables
 * over the harness's environment. Ready when a TCP connection to RESUME_HARNESS_PORT succeeds
 * within the bound; stopped with SIGTERM to the whole group, SIGKILL after the grace period;
 * whatever is left of the group after that is killed too. Its output is captured line by line,
 * bounded in count and length, as a cmd: client's is (sut/child-process.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { OutputCapture, trackGroup, type TrackedGroup } from '../sut/child-process.ts';
import { waitUntilReady } from './readiness.ts';
import { inheritedEnv, SERVER_OUTPUT_LIMITS, type Readiness, type ServerInstance, type ServerRecord, type ServerStartContext, type ServerUnderTest } from './server-under-test.ts';

export interface CmdServerOptions {
  /** As shown in reports; default `cmd:<command>`. */
  readonly id?: string;
  /** Working directory of the command; default the harness's own. */
  readonly cwd?: string;
  /** Output lines kept (both streams together); later lines are counted, not kept. */
  readonly maxOutputLines?: number;
  /** Longer lines are cut to this many characters. */
  readonly maxLineLength?: number;
}

/**
 * Whether the kernel has already ended the process (Linux /proc: state Z, or no entry once
 * reaped). Node emits 'exit' a loop turn or more after the death; the client can see the
 * server's sockets close, give up and end the run within that gap, and a SIGTERM sent then
 * would pass a crash off as a clean stop. Elsewhere (no /proc) it answers false: the exit
 * event alone decides, as before.
 */
function endedInKernel(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state follows the command name in parentheses, which may itself hold spaces or ')'.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' && existsSync('/proc/self/stat');
  }
}

/** Real ms to wait for the output streams once the group is dead (a descendant that left the group may hold them). */
const STREAM_GRACE_MS = 1_000;

export function cmdServer(command: string, options: CmdServerOptions = {}): ServerUnderTest {
  const id = options.id ?? `cmd:${command}`;
  return { id, kind: 'cmd', start: async (context) => startProcess(command, id, options, context) };
}

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly spawnError?: Error;
  /** performance.now() when it happened. */
  readonly at: number;
}

function startProcess(command: string, id: string, options: CmdServerOptions, context: ServerStartContext): ServerInstance {
  const started = performance.now();
  const capture = new OutputCapture(() => {}, options.maxOutputLines ?? SERVER_OUTPUT_LIMITS.maxLines, options.maxLineLength ?? SERVER_OUTPUT_LIMITS.maxLineLength, 'server');
  let child: ChildProcess | undefined;
  let group: TrackedGroup | undefined;
  let exit: Exit | undefined;
  let exited: Promise<Exit>;
  try {
    const spawned = spawn('/bin/sh', ['-c', command], {
      cwd: options.cwd ?? process.cwd(),
      env: { ...inheritedEnv(), ...context.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child = spawned;
    group = trackGroup(spawned);
    spawned.stdout?.on('data', (chunk: Buffer) => capture.write('stdout', chunk));
    spawned.stderr?.on('data', (chunk: Buffer) => capture.write('stderr', chunk));
    exited = new Promise<Exit>((resolve) => {
      spawned.once('error', (error) => resolve({ code: null, signal: null, spawnError: error, at: performance.now() }));
      spawned.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() }));
    });
  } catch (error) {
    exited = Promise.resolve({ code: null, signal: null, spawnError: error as Error, at: performance.now() });
  }
  void exited.then((e) => { exit = e; });

  const describeExit = (e: Exit): string => {
    if (e.spawnError) return `could not be started (${e.spawnError.message})`;
    const how = e.signal ? `was killed by ${e.signal}` : `exited with status ${e.code}${e.code === 127 ? ' (command not found?)' : ''}`;
    const telltale = capture.telltaleLine('stderr') ?? capture.telltaleLine('stdout');
    return telltale ? `${how} (it printed ${JSON.stringify(telltale.slice(0, 200))})` : how;
  };
  // The exit as a sentence, once what it printed on the way out has been read.
  const exitedSentence = exited.then(async (e) => {
    await group?.streamsClosed(200);
    return describeExit(e);
  });
  const readiness: Promise<Readiness> = waitUntilReady({ port: context.port, timeoutMs: context.readyTimeoutMs, exited: exitedSentence, id });

  let stopping: Promise<ServerRecord> | undefined;
  const stop = (): Promise<ServerRecord> => {
    stopping ??= (async (): Promise<ServerRecord> => {
      const ready = await readiness;
      const stopAt = performance.now();
      // A leader the kernel has already ended (a zombie, or reaped) exited before the stop,
      // even when its exit event is still queued behind the client's last close.
      const exitBeforeStop = exit ?? (child?.pid !== undefined && endedInKernel(child.pid) ? { ...(await exited), at: stopAt } : undefined);
      let stoppedWith: ServerRecord['stoppedWith'] = 'already-exited';
      if (!exitBeforeStop && group) {
        group.terminate();
        stoppedWith = (await within(exited, context.stopGraceMs)) ? 'SIGTERM' : 'SIGKILL';
      }
      // The group leader has exited (or ignored SIGTERM): whatever is left of its group gets the rest of the grace, then SIGKILL.
      if (stoppedWith !== 'SIGKILL' && group?.alive()) await untilGone(group, Math.max(0, context.stopGraceMs - (performance.now() - stopAt)));
      if (group?.alive() && stoppedWith === 'SIGTERM') stoppedWith = 'SIGKILL';
      group?.kill();
      const finalExit = await exited;
      await group?.streamsClosed(STREAM_GRACE_MS);
      capture.flush();
      const stopMs = performance.now() - stopAt;
      const base = {
        id,
        kind: 'cmd' as const,
        exitCode: finalExit.code,
        signal: finalExit.signal,
        readyMs: ready.state === 'ready' ? Math.round(ready.ms) : null,
        stoppedWith,
        stopMs: Math.round(stopMs),
        stdout: capture.lines.stdout,
        stderr: capture.lines.stderr,
        droppedLines: capture.dropped,
        details: { command, ...(child?.pid !== undefined ? { pid: String(child.pid) } : {}) },
      };
      if (ready.state !== 'ready') return { ...base, state: ready.state, reason: ready.reason };
      if (exitBeforeStop) {
        const after = Math.round((exitBeforeStop.at - started) / 100) / 10;
        return { ...base, state: 'crashed', reason: `${id} ${describeExit(exitBeforeStop)} ${after} s after it started, while the run still needed it` };
      }
      const how = stoppedWith === 'SIGTERM' ? `stopped by SIGTERM (exit ${finalExit.code ?? finalExit.signal})` : `did not stop within ${(context.stopGraceMs / 1000).toFixed(1)} s of SIGTERM: killed (SIGKILL)`;
      // No wall-clock figure in the reason: readyMs and stopMs carry them (reports keep them under `wall`).
      return { ...base, state: 'ready', reason: `${id} was ready in time and ${how}` };
    })();
    return stopping;
  };
  return { readiness, exited: exitedSentence, stop };
}

/** Whether `promise` settles within `ms`. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), ms); });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until no process of the group is left, at most `ms`. */
async function untilGone(group: TrackedGroup, ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (group.alive() && performance.now() < end) await new Promise((resolve) => setTimeout(resolve, 20));
}
