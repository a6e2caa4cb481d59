/**
 * `module:` clients in virtual time: plain code against the global fetch, WebSocket and
 * timers, unchanged — including code that captured those globals when it was imported —
 * and modules that hang, crash or leak get a verdict with a reason, promptly.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../harness/run/run-scenario.ts';
import { loadCatalog } from '../../harness/scenario/loader.ts';
import type { Scenario } from '../../harness/scenario/schema.ts';
import { loadModuleFactory, moduleSut } from '../../harness/sut/module-sut.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const realLog = console.log;
const dir = mkdtempSync(join(tmpdir(), 'module-virtual-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const goaway = loadCatalog().find((l) => l.scenario.id === 'goaway')!.scenario;
/** A short limit, so a module that never ends is judged within 10 protocol minutes. */
const short: Scenario = { ...goaway, limit: 600 };

function module(name: string, source: string): string {
  const path = join(dir, name);
  writeFileSync(path, source);
  return path;
}

/** Captures setTimeout, Date.now and fetch at import time, then waits 5 protocol seconds and creates a session. */
const CAPTURES_GLOBALS = `
const later = setTimeout;
const now = Date.now;
const post = fetch;
export default async function run(config) {
  const t0 = now();
  await new Promise((resolve) => later(resolve, 5000));
  const waited = now() - t0;
  const response = await post(config.httpUrl + '/api/sales-agent/' + config.shareToken + '/session', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prospectName: 'Capt Ured' }),
  });
  return { status: 'failed', turns: 0, reconnects: 0, contextLost: true, waited, httpStatus: response.status };
}
`;

describe('a module that captured the globals at import time', () => {
  it('still runs on the virtual clock and through msw, run after run, when first imported inside a virtual run', async () => {
    const sut = moduleSut(module('captures-in-run.mjs', CAPTURES_GLOBALS));
    for (const seed of [1, 2]) {
      const started = performance.now();
      const run = await runScenario(short, sut, { mode: 'virtual', seed, timeScale: 1 });
      expect(run.client).toMatchObject({ state: 'reported', result: { waited: 5000, httpStatus: 201 } });
      expect(run.journal.filter((e) => e.kind === 'http-session')).toEqual([expect.objectContaining({ t: 5000, status: 201 })]);
      expect(performance.now() - started).toBeLessThan(2_000);
    }
  });

  it('and when first imported outside any virtual run', async () => {
    const path = module('captures-before.mjs', CAPTURES_GLOBALS);
    await loadModuleFactory(path);
    const run = await runScenario(short, moduleSut(path), { mode: 'virtual', seed: 3, timeScale: 1 });
    expect(run.client).toMatchObject({ state: 'reported', result: { waited: 5000, httpStatus: 201 } });
  });

  it('the import does not move the virtual clock', async () => {
    const run = await runScenario(short, moduleSut(module('first-import.mjs', CAPTURES_GLOBALS)), { mode: 'virtual', seed: 4, timeScale: 1 });
    expect(run.journal[0]).toMatchObject({ kind: 'http-session', t: 5000 });
  });
});

describe('misbehaving modules in virtual time', () => {
  it('a module waiting on nothing is hung at once, and its signal is aborted', async () => {
    const path = module('waits-forever.mjs', 'export default (config) => new Promise(() => { config.signal.addEventListener("abort", () => { globalThis.__waitsForeverAborted = true; }); });');
    const started = performance.now();
    const run = await runScenario(short, moduleSut(path), { mode: 'virtual', seed: 1, timeScale: 1 });
    expect(run.client).toMatchObject({ state: 'hung', reason: expect.stringMatching(/waiting on nothing/) });
    expect(run.judgement.overall).toBe('FAILED');
    expect(run.judgement.axes.reconnect.reason).toMatch(/never ended/);
    expect(performance.now() - started).toBeLessThan(3_000);
    await expect.poll(() => (globalThis as { __waitsForeverAborted?: boolean }).__waitsForeverAborted).toBe(true);
  });

  it('a module that keeps its timers busy is stopped at the scenario\'s limit, in virtual time', async () => {
    const path = module('busy.mjs', 'export default () => new Promise(() => { setInterval(() => {}, 1000); });');
    const started = performance.now();
    const run = await runScenario(short, moduleSut(path), { mode: 'virtual', seed: 1, timeScale: 1 });
    expect(run.client).toMatchObject({ state: 'hung', reason: expect.stringMatching(/limit of 600 protocol seconds/) });
    expect(performance.now() - started).toBeLessThan(5_000);
    // The abandoned run gives the console back as soon as the harness has moved on.
    await expect.poll(() => console.log).toBe(realLog);
  });

  it('what a module prints is judged for secrets, and stays out of the terminal', async () => {
    const path = module('leaks.mjs', "export default async (config) => { console.log('token=' + config.shareToken); return { status: 'failed', turns: 0, reconnects: 0, contextLost: true }; }");
    const run = await runScenario(short, moduleSut(path), { mode: 'virtual', seed: 1, timeScale: 1 });
    expect(run.output).toEqual([expect.stringMatching(/^token=share_/)]);
    expect(run.judgement.axes.secrets).toMatchObject({ verdict: 'NON-STRICT', reason: expect.stringMatching(/full share token/) });
    expect(console.log).toBe(realLog);
  });

  it('a garbled result is invalid, with the reason', async () => {
    const run = await runScenario(short, moduleSut(module('garbled.mjs', "export default async () => ({ status: 'sort of', turns: 'many' })")), { mode: 'virtual', seed: 1, timeScale: 1 });
    expect(run.client).toMatchObject({ state: 'invalid', reason: expect.stringMatching(/does not match sut-contract §4: status: .*turns: /) });
    expect(run.judgement.overall).toBe('FAILED');
  });
});

describe('a module that crashes in an event listener', () => {
  it('is reported as crashed, and the harness lives on (a process of its own: vitest would count the uncaught error)', () => {
    const path = module('crashes.mjs', `
export default (config) => new Promise(() => {
  fetch(config.httpUrl + '/api/sales-agent/' + config.shareToken + '/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"prospectName":"Cr Ash"}' })
    .then((r) => r.json())
    .then((s) => {
      const ws = new WebSocket(config.wsUrl + '?mode=sales_agent&sessionToken=' + s.sessionToken + '&shareToken=' + config.shareToken);
      ws.addEventListener('message', () => { throw new TypeError('cannot read the frame'); });
    });
});`);
    const reports = join(dir, 'reports');
    const cli = spawnSync(process.execPath, [join(ROOT, 'harness/bin/resume-harness.mjs'), 'run', 'goaway.close-1001', 'invalid-handle.close-4003', '--sut', `module:${path}`, '--seed', '1', '--report-dir', reports, '--format', 'json'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(cli.status, cli.stderr).toBe(1);
    expect(cli.stdout).toMatch(/2 scenarios: .*2 FAILED/);
    // Wherever the report writer puts a module's reports: the JSON report of that scenario.
    const file = (readdirSync(reports, { recursive: true }) as string[]).find((f) => f.endsWith('goaway.close-1001.json'));
    expect(file).toBeDefined();
    const report = JSON.parse(readFileSync(join(reports, file!), 'utf8')) as { client: { report: unknown } };
    expect(report.client.report).toEqual({ state: 'missing', reason: 'the module crashed: uncaught TypeError: cannot read the frame' });
  });
});
