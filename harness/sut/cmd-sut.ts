/**
 * `--sut cmd:COMMAND` (sut-contract §3): a client in any language, run as a process.
 *
 * The command runs through `sh -c` in a process group of its own, with the contract's
 * variables (protocol/sut-result.ts `SutEnv`), against the real ws server on 127.0.0.1
 * (network mode only). It must exit before the scenario's scaled limit; when it does not,
 * the whole group is killed and the run is `hung`. Whatever it does — crash, hang, flood,
 * write garbage — the outcome is a ClientReport with a reason, never an exception:
 *
 *   exit, no result file            → missing (with the exit status, or the signal)
 *   result file empty or not JSON   → invalid
 *   result not of sut-contract §4   → invalid (each zod issue named)
 *   exit status contradicts status  → invalid (§3: exit 0 means "completed", anything else not)
 *   no exit within the limit        → hung (group killed)
 *
 * Every line the process prints, stdout and stderr, goes to `ctx.output` as it arrives (the
 * secrets axis reads it) and is kept per stream in `extra` for the report. After the process
 * exits, anything left in its group (a background child) is killed as well.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GeminiSutEnv, SutEnv, SutResult } from '../../protocol/sut-result.ts';
import { OutputCapture, trackGroup } from './child-process.ts';
import type { ClientReport, SutRunContext, SutRunOutcome, SystemUnderTest } from './system-under-test.ts';

export interface CmdSutOptions {
  /** As shown in reports; default `cmd:<command>`. */
  readonly id?: string;
  /** Working directory of the command; default the harness's own. */
  readonly cwd?: string;
  /** Added to the harness's environment, under the contract's variables (which always win). */
  readonly env?: Readonly<Record<string, string>>;
  /** Output lines kept per run (both streams together); later lines are counted, not kept. */
  readonly maxOutputLines?: number;
  /** Longer lines are cut to this many characters. */
  readonly maxLineLength?: number;
  /** Real ms the limit leaves for killing the group before the harness's own limit (default: 5 %, at most 500). */
  readonly killMarginMs?: number;
}

/** What a cmd run keeps for the report, besides the ClientReport. */
export interface CmdRunExtra {
  readonly command: string;
  /** The process's exit status, null when a signal ended it (or it never started). */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The harness killed it at the time limit. */
  readonly timedOut: boolean;
  readonly wallMs: number;
  readonly stdout: string[];
  readonly stderr: string[];
  /** Lines printed beyond `maxOutputLines`, dropped. */
  readonly droppedLines: number;
}

const DEFAULT_MAX_LINES = 20_000;
const DEFAULT_MAX_LINE_LENGTH = 4_096;
/** Real ms to wait for the streams to close once the group is dead. */
const STREAM_GRACE_MS = 1_000;

export function cmdSut(command: string, options: CmdSutOptions = {}): SystemUnderTest {
  return {
    id: options.id ?? `cmd:${command}`,
    kind: 'cmd',
    modes: ['network'],
    run: (ctx) => runCommand(command, options, ctx),
  };
}

/** The contract's variables for one run (sut-contract §3), by their exact names. */
export function contractEnv(ctx: SutRunContext, resultPath: string): Record<string, string> {
  return {
    [SutEnv.httpUrl]: ctx.httpUrl,
    [SutEnv.wsUrl]: ctx.wsUrl,
    [SutEnv.shareToken]: ctx.shareToken,
    [SutEnv.maxTurns]: String(ctx.maxTurns),
    [SutEnv.seed]: String(ctx.seed),
    [SutEnv.timeScale]: String(ctx.timeScale),
    [SutEnv.result]: resultPath,
    // sut-contract §6: a Gemini Live client finds the mock where @google/genai looks for it.
    ...(ctx.protocol === 'gemini-live' ? { [GeminiSutEnv.baseUrl]: ctx.httpUrl, [GeminiSutEnv.apiKey]: ctx.shareToken } : {}),
  };
}

async function runCommand(command: string, options: CmdSutOptions, ctx: SutRunContext): Promise<SutRunOutcome> {
  if (ctx.mode !== 'network') {
    return { report: { state: 'missing', reason: `cmd: clients run only in network mode (they talk to the real server on 127.0.0.1), not in ${ctx.mode} mode` } };
  }
  const started = performance.now();
  const resultPath = join(ctx.workDir, 'result.json');
  const capture = new OutputCapture(ctx.output, options.maxOutputLines ?? DEFAULT_MAX_LINES, options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH);

  let child: ChildProcess;
  try {
    child = spawn('/bin/sh', ['-c', command], {
      cwd: options.cwd ?? process.cwd(),
      env: { ...process.env, ...options.env, ...contractEnv(ctx, resultPath) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
  } catch (error) {
    return { report: { state: 'missing', reason: `the command could not be started: ${(error as Error).message}` }, extra: { command } };
  }
  const group = trackGroup(child);
  child.stdout?.on('data', (chunk: Buffer) => capture.write('stdout', chunk));
  child.stderr?.on('data', (chunk: Buffer) => capture.write('stderr', chunk));

  const margin = options.killMarginMs ?? Math.min(500, ctx.wallLimitMs * 0.05);
  const limitMs = Math.max(0, ctx.wallLimitMs - margin);
  const ended = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; spawnError?: Error; timedOut: boolean }>((resolve) => {
    let settled = false;
    const settle = (value: { code: number | null; signal: NodeJS.Signals | null; spawnError?: Error; timedOut: boolean }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(value);
    };
    const timer = setTimeout(() => {
      group.kill();
      settle({ code: null, signal: 'SIGKILL', timedOut: true });
    }, limitMs);
    // The harness stopped waiting early (a client that hangs): the same end as the limit's.
    const stopNow = (): void => {
      group.kill();
      settle({ code: null, signal: 'SIGKILL', timedOut: true });
    };
    if (ctx.stop?.aborted) stopNow();
    else ctx.stop?.addEventListener('abort', stopNow, { once: true });
    child.once('error', (error) => settle({ code: null, signal: null, spawnError: error, timedOut: false }));
    child.once('exit', (code, signal) => settle({ code, signal, timedOut: false }));
  });
  // The client is done (or dead): nothing of its group may outlive the run.
  group.kill();
  await group.streamsClosed(STREAM_GRACE_MS);
  capture.flush();

  const extra: CmdRunExtra = {
    command,
    exitCode: ended.code,
    signal: ended.signal,
    timedOut: ended.timedOut,
    wallMs: Math.round(performance.now() - started),
    stdout: capture.lines.stdout,
    stderr: capture.lines.stderr,
    droppedLines: capture.dropped,
  };
  if (ended.spawnError) return { report: { state: 'missing', reason: `the command could not be started: ${ended.spawnError.message}` }, extra: { ...extra } };
  const file = await readResultFile(resultPath);
  if (ended.timedOut) {
    const wrote = file.state === 'absent' ? '' : '; it had written a result file but never exited';
    return { report: { state: 'hung', reason: `no exit after ${(limitMs / 1000).toFixed(1)} s of real time (the scenario's limit, scaled): the process group was killed${wrote}` }, extra: { ...extra } };
  }
  return { report: judgeResultFile(file, ended.code, ended.signal, capture.telltaleLine('stderr')), extra: { ...extra } };
}

export type ResultFile = { state: 'absent' } | { state: 'unreadable'; problem: string } | { state: 'text'; text: string };

async function readResultFile(path: string): Promise<ResultFile> {
  try {
    return { state: 'text', text: await readFile(path, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { state: 'absent' };
    return { state: 'unreadable', problem: (error as Error).message };
  }
}

/** The client's result file and exit status, as a ClientReport (the table in the file comment). */
export function judgeResultFile(file: ResultFile, code: number | null, signal: NodeJS.Signals | null, telltale: string | null = null): ClientReport {
  const exit = signal ? `was killed by ${signal}` : `exited with status ${code}`;
  const hint = telltale ? `; stderr: ${JSON.stringify(telltale.slice(0, 160))}` : '';
  if (file.state === 'absent') return { state: 'missing', reason: `the client ${exit} without writing its result file (${SutEnv.result})${code === 127 ? ' — command not found?' : ''}${hint}` };
  if (file.state === 'unreadable') return { state: 'missing', reason: `the client ${exit}; its result file could not be read: ${file.problem}` };
  if (file.text.trim() === '') return { state: 'invalid', reason: `the client ${exit}; its result file is empty` };
  let json: unknown;
  try {
    json = JSON.parse(file.text);
  } catch (error) {
    return { state: 'invalid', reason: `the client ${exit}; its result file is not JSON (${(error as Error).message}): ${JSON.stringify(file.text.slice(0, 60))}` };
  }
  const parsed = SutResult.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
    return { state: 'invalid', reason: `the client ${exit}; its result file does not match sut-contract §4: ${issues}` };
  }
  const completed = parsed.data.status === 'completed';
  if (completed !== (code === 0)) {
    return {
      state: 'invalid',
      reason: completed
        ? `the result says status "completed" but the client ${exit} (sut-contract §3: exit status 0 means completed)`
        : `the client exited with status 0, which says it completed, but its result says status "failed" (sut-contract §3)`,
    };
  }
  return { state: 'reported', result: parsed.data };
}
