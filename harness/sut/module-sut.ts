/**
 * `--sut module:PATH` (sut-contract §2): a client module, run in the harness's process.
 *
 * The module exports a factory, called once per run:
 *
 * ```js
 * // my-client.mjs
 * export default async function run(config) {
 *   // config: { httpUrl, wsUrl, shareToken, maxTurns, seed, timeScale, mode, signal }
 *   // … the conversation, with the global fetch, WebSocket and timers …
 *   return { status: 'completed', conversationId, turns, reconnects, contextLost: false };
 * }
 * ```
 *
 * (a named export `run` is taken when there is no default function). It resolves with the
 * result object of sut-contract §4, validated here with `SutResult`: anything else is an
 * `invalid` report naming each problem; a rejection is `missing` with its message.
 *
 * Virtual mode: the harness has installed fake timers (setTimeout, setInterval, setImmediate,
 * their clear* and Date) and routes the global `fetch` and `WebSocket` to the mock server
 * with msw. A plain client written against those globals runs unchanged, in virtual time,
 * `config.timeScale` is 1. The module must look the globals up when it uses them; top-level
 * code that captures them at import time (`const { setTimeout } = globalThis`, `const now =
 * Date.now`) is handled too: the module is imported once per process, with stand-ins in the
 * globals that forward every call to whatever the global is at call time. Not faked:
 * `performance.now()`, `process.hrtime`, `node:timers` imports and the `ws` package (use the
 * global WebSocket).
 *
 * Network mode: real timers against the real ws server on 127.0.0.1, the `ws` package as
 * `globalThis.WebSocket` where the runtime has none (Node 20); protocol time runs
 * `1 / timeScale` times faster than the client's clock, so the client should multiply its
 * own delays by `config.timeScale` (as a `cmd:` client does with RESUME_HARNESS_TIME_SCALE).
 *
 * Everything the module prints through `console` from the factory call until its result goes
 * to the run's output (the secrets axis reads it), not to the terminal; what it prints after
 * its result is not captured. Once the run is over — a result, or the harness stopped waiting
 * (a hang) — `config.signal` is aborted: a module should stop whatever it left running.
 * An exception the module leaves uncaught during its run (thrown in an event listener, a
 * promise left to reject) ends the run as `missing`, the module having crashed; in virtual
 * mode one thrown by a timer callback surfaces through the fake clock instead, as a harness
 * error of the run (UNKNOWN).
 *
 * Module runs do not overlap — the console and the globals belong to the process: a run
 * that starts while another is still going (one the harness gave up on) ends that one first.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { WebSocket as WsWebSocket } from 'ws';
import { SutResult, type Protocol } from '../../protocol/sut-result.ts';
import { stopInterception } from '../sandbox/msw-interception.ts';
import { virtualTimeActive } from '../sandbox/virtual-time.ts';
import type { ClientReport, Mode, SutRunContext, SutRunOutcome, SystemUnderTest } from './system-under-test.ts';

/** What the factory is given. */
export interface ModuleSutConfig {
  /** Base URL for `POST /api/sales-agent/{shareToken}/session`. */
  readonly httpUrl: string;
  /** WebSocket endpoint without query string. */
  readonly wsUrl: string;
  readonly shareToken: string;
  /** Prospect turns to complete. */
  readonly maxTurns: number;
  /** Seed for any randomness of the client. */
  readonly seed: number;
  /** Real seconds per protocol second: 1 in virtual mode, `--time-scale` in network mode. */
  readonly timeScale: number;
  readonly mode: Mode;
  /** The wire: 'ai-voice', or 'gemini-live' (sut-contract §6), where the next two are set. */
  readonly protocol: Protocol;
  /** Gemini Live: GOOGLE_GEMINI_BASE_URL, the mock's base URL (the same as httpUrl). */
  readonly googleGeminiBaseUrl?: string;
  /** Gemini Live: GEMINI_API_KEY, a key the mock accepts (the same as shareToken). */
  readonly geminiApiKey?: string;
  /** Aborted once the run is over for the harness: its result is in, or it stopped waiting (a hang). */
  readonly signal: AbortSignal;
}

export type ModuleSutFactory = (config: ModuleSutConfig) => unknown;

export interface ModuleSutOptions {
  /** As shown in reports; default `module:<path>`. */
  readonly id?: string;
  /** Real ms of polling between checks that a virtual run was abandoned. */
  readonly watchIntervalMs?: number;
}

// Captured before any fake is installed: the watchdog runs on real time.
const realSetInterval = globalThis.setInterval;
const realClearInterval = globalThis.clearInterval;
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
const realSetImmediate = globalThis.setImmediate;

/** A module path as given on the command line, resolved against `cwd`; null if no such file. */
export function resolveModulePath(path: string, cwd: string = process.cwd()): string | null {
  const absolute = resolve(cwd, path);
  return existsSync(absolute) ? absolute : null;
}

export function moduleSut(path: string, options: ModuleSutOptions = {}): SystemUnderTest {
  const absolute = resolve(path);
  return {
    id: options.id ?? `module:${path}`,
    kind: 'module',
    modes: ['virtual', 'network'],
    run: (ctx) => runModule(absolute, options, ctx),
  };
}

// ───────────────────────────── loading ─────────────────────────────

type Loaded = { readonly factory: ModuleSutFactory } | { readonly problem: string };

/** One import per module per process. */
const loadedModules = new Map<string, Promise<Loaded>>();

export function loadModuleFactory(absolutePath: string): Promise<Loaded> {
  let loading = loadedModules.get(absolutePath);
  if (!loading) {
    loading = importWithLiveGlobals(pathToFileURL(absolutePath).href).then(
      (namespace): Loaded => {
        const candidate = typeof namespace.default === 'function' ? namespace.default : namespace.run;
        if (typeof candidate !== 'function') {
          return { problem: `${absolutePath} exports no factory: expected \`export default async function run(config)\` (or a named export \`run\`)` };
        }
        return { factory: candidate as ModuleSutFactory };
      },
      (error: unknown): Loaded => ({ problem: `${absolutePath} could not be imported: ${describe(error)}` }),
    );
    loadedModules.set(absolutePath, loading);
  }
  return loading;
}

const LIVE_FUNCTIONS = ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'fetch'] as const;
const LIVE_CLASSES = ['Date', 'WebSocket'] as const;

/**
 * Imports a module while each global it may capture is a stand-in that forwards to the
 * global of the moment, so a capture at import time still follows fake timers and msw
 * installed later (and removed again). The globals are given back afterwards.
 */
async function importWithLiveGlobals(url: string): Promise<Record<string, unknown>> {
  const g = globalThis as unknown as Record<string, unknown>;
  const installed: Array<{ name: string; saved: unknown; stand: unknown }> = [];
  const install = (name: string, stand: unknown, saved: unknown): void => {
    try {
      g[name] = stand;
      if (g[name] === stand) installed.push({ name, saved, stand });
    } catch {
      // A global that cannot be replaced stays as it is.
    }
  };
  for (const name of LIVE_FUNCTIONS) {
    const saved = g[name];
    if (typeof saved !== 'function') continue;
    const live = (): (...args: unknown[]) => unknown => (g[name] === stand ? saved : g[name]) as (...args: unknown[]) => unknown;
    const stand = {
      [name](this: unknown, ...args: unknown[]): unknown {
        return live().apply(this, args);
      },
    }[name]!;
    install(name, stand, saved);
  }
  for (const name of LIVE_CLASSES) {
    const saved = g[name];
    if (typeof saved !== 'function') continue;
    const stand: unknown = liveClass(() => (g[name] === stand ? saved : g[name]) as new (...args: unknown[]) => unknown);
    install(name, stand, saved);
  }
  // A virtual run must not read the import's real I/O as a deadlock: hold its clock meanwhile.
  const release = holdVirtualClock();
  try {
    return (await import(url)) as Record<string, unknown>;
  } finally {
    release();
    for (const { name, saved, stand } of installed) if (g[name] === stand) g[name] = saved;
  }
}

/** A class whose construction, calls and statics (functions included) go to `current()` each time. */
function liveClass(current: () => new (...args: unknown[]) => unknown): unknown {
  // A plain function as the target: its `prototype` is writable, so the proxy may report another.
  const target = function LiveGlobal(): void {};
  const forwarders = new Map<PropertyKey, unknown>();
  const proxy: object = new Proxy(target, {
    construct: (_t, args, newTarget) => {
      const live = current();
      return Reflect.construct(live, args, newTarget === proxy ? live : newTarget) as object;
    },
    apply: (_t, thisArg, args) => Reflect.apply(current() as unknown as (...a: unknown[]) => unknown, thisArg, args),
    get: (_t, key) => {
      const value = Reflect.get(current(), key);
      if (typeof value !== 'function' || key === 'prototype') return value;
      let forward = forwarders.get(key);
      if (!forward) {
        forward = function (this: unknown, ...args: unknown[]): unknown {
          const live = current();
          return Reflect.apply(Reflect.get(live, key) as (...a: unknown[]) => unknown, this === proxy || this === undefined ? live : this, args);
        };
        forwarders.set(key, forward);
      }
      return forward;
    },
    has: (_t, key) => Reflect.has(current(), key),
  });
  return proxy;
}

/**
 * Keeps a zero-delay fake timer pending while real work runs (the import), so the virtual-time
 * driver neither takes it for a deadlock nor moves the clock. It is re-armed from a real
 * setImmediate, outside any fake tick: one armed inside a tick would be pushed 1 ms ahead.
 */
function holdVirtualClock(): () => void {
  if (!virtualTimeActive()) return () => undefined;
  const fakeSetTimeout = globalThis.setTimeout;
  let held = true;
  let armed = false;
  const arm = (): void => {
    if (!held) return;
    if (!armed) {
      armed = true;
      fakeSetTimeout(() => {
        armed = false;
      }, 0);
    }
    realSetImmediate(arm);
  };
  arm();
  return () => {
    held = false;
  };
}

// ───────────────────────────── running ─────────────────────────────

interface ActiveRun {
  /** Ends a run the harness no longer waits for: hung, its signal aborted, the console given back. */
  release(reason: string): void;
}

let activeRun: ActiveRun | null = null;

async function runModule(absolutePath: string, options: ModuleSutOptions, ctx: SutRunContext): Promise<SutRunOutcome> {
  // A run the harness gave up on (a hang in virtual time) never settles by itself: end it now.
  activeRun?.release('a later run started');
  if (ctx.mode === 'network') {
    if (virtualTimeActive()) return { report: { state: 'missing', reason: 'a module cannot run in network mode while a virtual-time run is in progress' } };
    // Real globals for a real server: no msw left patching fetch and WebSocket from an earlier virtual run.
    stopInterception();
    const g = globalThis as { WebSocket?: unknown };
    if (typeof g.WebSocket === 'undefined') g.WebSocket = WsWebSocket;
  }
  const loaded = await loadModuleFactory(absolutePath);
  if ('problem' in loaded) return { report: { state: 'missing', reason: loaded.problem } };

  const controller = new AbortController();
  const capture = captureConsole(ctx.output);
  const cleanups: Array<() => void> = [];
  let finish: (outcome: SutRunOutcome) => void = () => undefined;
  const done = new Promise<SutRunOutcome>((resolve) => {
    finish = resolve;
  });
  let settled = false;
  // The run is over for the module once it has a result or the harness stopped waiting: the
  // console goes back to the terminal and the signal is aborted (a module stops its leftovers).
  const settle = (outcome: SutRunOutcome, reason: string): void => {
    if (settled) return;
    settled = true;
    for (const cleanup of cleanups) cleanup();
    capture.restore();
    if (!controller.signal.aborted) controller.abort(new Error(`resume-harness: ${reason}`));
    if (activeRun === run) activeRun = null;
    finish(outcome);
  };
  const run: ActiveRun = {
    release: (reason) => settle({ report: { state: 'hung', reason: `no result: the harness stopped waiting (${reason})` } }, reason),
  };
  activeRun = run;

  // An exception thrown in one of the module's event listeners (or a promise it left to fail)
  // is uncaught: in a process of its own, a crash. Here it is this run's crash, not the harness's.
  const crashed = (error: unknown): void => settle({ report: { state: 'missing', reason: `the module crashed: uncaught ${describe(error)}` } }, 'the module crashed');
  process.on('uncaughtException', crashed);
  process.on('unhandledRejection', crashed);
  cleanups.push(() => {
    process.removeListener('uncaughtException', crashed);
    process.removeListener('unhandledRejection', crashed);
  });

  if (ctx.mode === 'virtual') {
    // The run is over for the harness once its fake clock is gone (uninstalled at the end of the run).
    const fakeDate = globalThis.Date;
    const watch = realSetInterval(() => {
      if (!virtualTimeActive() || globalThis.Date !== fakeDate) run.release('the virtual-time run ended');
    }, options.watchIntervalMs ?? 25);
    watch.unref?.();
    cleanups.push(() => realClearInterval(watch));
    // The harness says so itself before it disposes of the server; the watch stays for callers that pass no signal.
    const ended = (): void => run.release('the virtual-time run ended');
    if (ctx.stop?.aborted) ended();
    else ctx.stop?.addEventListener('abort', ended, { once: true });
    cleanups.push(() => ctx.stop?.removeEventListener('abort', ended));
  } else {
    const margin = Math.min(500, ctx.wallLimitMs * 0.05);
    const limitMs = Math.max(0, ctx.wallLimitMs - margin);
    const limit = realSetTimeout(() => run.release(`no result after ${(limitMs / 1000).toFixed(1)} s of real time`), limitMs);
    limit.unref?.();
    cleanups.push(() => realClearTimeout(limit));
  }

  const config: ModuleSutConfig = Object.freeze({
    httpUrl: ctx.httpUrl,
    wsUrl: ctx.wsUrl,
    shareToken: ctx.shareToken,
    maxTurns: ctx.maxTurns,
    seed: ctx.seed,
    timeScale: ctx.mode === 'virtual' ? 1 : ctx.timeScale,
    mode: ctx.mode,
    protocol: ctx.protocol,
    ...(ctx.protocol === 'gemini-live' ? { googleGeminiBaseUrl: ctx.httpUrl, geminiApiKey: ctx.shareToken } : {}),
    signal: controller.signal,
  });
  try {
    Promise.resolve(loaded.factory(config)).then(
      (value) => settle({ report: judgeModuleResult(value) }, 'the run is over'),
      (error: unknown) => settle({ report: { state: 'missing', reason: `the module's run rejected: ${describe(error)}` } }, 'the run is over'),
    );
  } catch (error) {
    settle({ report: { state: 'missing', reason: `the module's run threw: ${describe(error)}` } }, 'the run is over');
  }
  return done;
}

/** The value a module resolved with, as a ClientReport. */
export function judgeModuleResult(value: unknown): ClientReport {
  if (value === undefined || value === null) return { state: 'invalid', reason: `the module's run resolved with ${String(value)}, not the result object of sut-contract §4` };
  if (typeof value !== 'object' || Array.isArray(value)) return { state: 'invalid', reason: `the module's run resolved with ${Array.isArray(value) ? 'an array' : `a ${typeof value}`}, not the result object of sut-contract §4` };
  const parsed = SutResult.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
    return { state: 'invalid', reason: `the module's result does not match sut-contract §4: ${issues}` };
  }
  return { state: 'reported', result: parsed.data };
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir'] as const;

/** Sends `console` output to `sink`, line by line, until restored. */
function captureConsole(sink: (line: string) => void): { restore(): void } {
  const target = globalThis.console as unknown as Record<string, unknown>;
  const saved = CONSOLE_METHODS.map((name) => [name, target[name]] as const);
  const emit = (text: string): void => {
    for (const line of text.split('\n')) sink(line);
  };
  for (const name of CONSOLE_METHODS) {
    target[name] = name === 'dir' ? (value: unknown) => emit(format('%o', value)) : (...args: unknown[]) => emit(format(...args));
  }
  return {
    restore: () => {
      for (const [name, method] of saved) target[name] = method;
    },
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
