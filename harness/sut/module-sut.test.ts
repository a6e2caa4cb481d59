import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { judgeModuleResult, loadModuleFactory, moduleSut, resolveModulePath } from './module-sut.ts';
import { runInVirtualTime } from '../sandbox/virtual-time.ts';
import type { SutRunContext } from './system-under-test.ts';

const dir = mkdtempSync(join(tmpdir(), 'module-sut-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** A module file of its own per test: modules are imported once per process. */
function module(source: string): string {
  const path = join(dir, `client-${++n}.mjs`);
  writeFileSync(path, source);
  return path;
}

function context(overrides: Partial<SutRunContext> = {}): SutRunContext & { lines: string[] } {
  const lines: string[] = [];
  return {
    protocol: 'ai-voice',
    httpUrl: 'http://127.0.0.1:9',
    wsUrl: 'ws://127.0.0.1:9/ws/ai-voice',
    shareToken: 'share_test_0123456789',
    maxTurns: 5,
    seed: 11,
    mode: 'network',
    timeScale: 0.01,
    workDir: dir,
    wallLimitMs: 10_000,
    output: (line) => lines.push(line),
    lines,
    ...overrides,
  };
}

const OK = "{ status: 'completed', conversationId: 'conv_x', turns: 5, reconnects: 0, contextLost: false }";

describe('judgeModuleResult', () => {
  it('takes a sut-contract §4 result, extra fields included', () => {
    expect(judgeModuleResult({ status: 'failed', turns: 1, reconnects: 2, contextLost: true, reason: 'gave up' })).toEqual({
      state: 'reported',
      result: { status: 'failed', turns: 1, reconnects: 2, contextLost: true, reason: 'gave up' },
    });
  });

  it('calls anything else invalid, and says what it was', () => {
    expect(judgeModuleResult(undefined)).toMatchObject({ state: 'invalid', reason: expect.stringMatching(/resolved with undefined/) });
    expect(judgeModuleResult(42)).toMatchObject({ state: 'invalid', reason: expect.stringMatching(/a number/) });
    expect(judgeModuleResult([])).toMatchObject({ state: 'invalid', reason: expect.stringMatching(/an array/) });
    expect(judgeModuleResult({ status: 'ok', turns: 1.5 })).toMatchObject({ state: 'invalid', reason: expect.stringMatching(/status: .*turns: .*reconnects: .*contextLost: /) });
  });
});

describe('loading', () => {
  it('takes the default export, else a named `run`, and imports a module once', async () => {
    const path = module(`globalThis.__loads = (globalThis.__loads ?? 0) + 1; export async function run() { return ${OK}; }`);
    const first = await loadModuleFactory(path);
    const second = await loadModuleFactory(path);
    expect('factory' in first && typeof first.factory).toBe('function');
    expect(second).toBe(first);
    expect((globalThis as { __loads?: number }).__loads).toBe(1);
  });

  it('explains a module without a factory, or one that does not load', async () => {
    expect(await loadModuleFactory(module('export const answer = 42;'))).toEqual({ problem: expect.stringMatching(/exports no factory: expected `export default async function run\(config\)`/) });
    expect(await loadModuleFactory(module('export default function (;'))).toEqual({ problem: expect.stringMatching(/could not be imported: .*(SyntaxError|syntax)/) });
  });

  it('resolves a path from the working directory, or says there is no such file', () => {
    expect(resolveModulePath('client-1.mjs', dir)).toBe(join(dir, 'client-1.mjs'));
    expect(resolveModulePath('nope.mjs', dir)).toBeNull();
  });

  it('gives back every global it stood in for during the import', async () => {
    const before = { setTimeout: globalThis.setTimeout, Date: globalThis.Date, fetch: globalThis.fetch, setInterval: globalThis.setInterval };
    await loadModuleFactory(module('export const captured = { setTimeout, Date }; export default () => null;'));
    expect({ setTimeout: globalThis.setTimeout, Date: globalThis.Date, fetch: globalThis.fetch, setInterval: globalThis.setInterval }).toEqual(before);
  });
});

describe('running (network mode: real timers, no server needed here)', () => {
  it('calls the factory with the contract\'s configuration and reports what it resolves with', async () => {
    const path = module(`export default async function (config) { globalThis.__config = { ...config, signal: typeof config.signal?.aborted }; return ${OK}; }`);
    const outcome = await moduleSut(path).run(context());
    expect(outcome.report).toEqual({ state: 'reported', result: { status: 'completed', conversationId: 'conv_x', turns: 5, reconnects: 0, contextLost: false } });
    expect((globalThis as { __config?: unknown }).__config).toEqual({
      httpUrl: 'http://127.0.0.1:9', wsUrl: 'ws://127.0.0.1:9/ws/ai-voice', shareToken: 'share_test_0123456789', maxTurns: 5, seed: 11, timeScale: 0.01, mode: 'network', protocol: 'ai-voice', signal: 'boolean',
    });
  });

  it('tells a Gemini Live client where the mock is, under the names of sut-contract §6', async () => {
    const path = join(dir, 'gemini-client.mjs');
    writeFileSync(path, `export default async function run(config) { globalThis.__gemini = { protocol: config.protocol, base: config.googleGeminiBaseUrl, key: config.geminiApiKey }; return { status: 'completed', turns: 1, reconnects: 0, contextLost: false }; }`);
    await moduleSut(path).run(context({ protocol: 'gemini-live', httpUrl: 'http://127.0.0.1:7', shareToken: 'share_key_0123456789' }));
    expect((globalThis as { __gemini?: unknown }).__gemini).toEqual({ protocol: 'gemini-live', base: 'http://127.0.0.1:7', key: 'share_key_0123456789' });
  });

  it('captures the module\'s console output into the run, line by line, and gives the console back', async () => {
    const path = module(`export default async function () { console.log('hello %s', 'there'); console.error('two\\nlines'); console.info({ a: 1 }); return ${OK}; }`);
    const ctx = context();
    const log = console.log;
    await moduleSut(path).run(ctx);
    expect(ctx.lines).toEqual(['hello there', 'two', 'lines', '{ a: 1 }']);
    expect(console.log).toBe(log);
  });

  it('reports a rejection as missing, a synchronous throw too, and garbage as invalid', async () => {
    expect((await moduleSut(module("export default async () => { throw new TypeError('no socket'); }")).run(context())).report).toEqual({ state: 'missing', reason: "the module's run rejected: TypeError: no socket" });
    expect((await moduleSut(module("export default () => { throw new Error('sync'); }")).run(context())).report).toEqual({ state: 'missing', reason: "the module's run threw: Error: sync" });
    expect((await moduleSut(module("export default async () => 'done'")).run(context())).report).toMatchObject({ state: 'invalid', reason: expect.stringMatching(/a string/) });
  });

  it('stops waiting at the time limit: hung, promptly, with the signal aborted', async () => {
    const path = module('export default (config) => new Promise(() => { config.signal.addEventListener("abort", () => { globalThis.__aborted = true; }); });');
    const started = performance.now();
    const outcome = await moduleSut(path).run(context({ wallLimitMs: 400 }));
    expect(outcome.report).toMatchObject({ state: 'hung', reason: expect.stringMatching(/harness stopped waiting \(no result after 0\.\d s of real time\)/) });
    expect(performance.now() - started).toBeLessThan(1_500);
    expect((globalThis as { __aborted?: boolean }).__aborted).toBe(true);
  });

  it('in virtual time, aborts the signal when the harness ends the run, while the fake clock is still in place', async () => {
    // Told before the server's disposal hands it a close: a module's reconnect scheduled then is
    // a fake timer, dropped with the clock, never a real one into the next run.
    const path = module('export default (config) => new Promise(() => { config.signal.addEventListener("abort", () => { globalThis.__abortedOnFakeClock = globalThis.Date !== globalThis.__realDate; }); });');
    (globalThis as { __realDate?: DateConstructor }).__realDate = globalThis.Date;
    const stop = new AbortController();
    let run: Promise<unknown> | null = null;
    const outcome = await runInVirtualTime(async () => {
      run = moduleSut(path).run(context({ mode: 'virtual', stop: stop.signal }));
      await new Promise<void>((resolve) => setTimeout(resolve, 1_000));
    }, { limitMs: 500, beforeUninstall: () => stop.abort() });
    expect(outcome.state).toBe('time-limit');
    expect(await run).toMatchObject({ report: { state: 'hung', reason: expect.stringMatching(/the virtual-time run ended/) } });
    expect((globalThis as { __abortedOnFakeClock?: boolean }).__abortedOnFakeClock).toBe(true);
  });

  it('reports a module without a factory as missing rather than throwing', async () => {
    expect((await moduleSut(module('export const x = 1;')).run(context())).report).toMatchObject({ state: 'missing', reason: expect.stringMatching(/exports no factory/) });
  });
});
