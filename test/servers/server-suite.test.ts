/**
 * `--server` (docs/server-contract.md): the harness starts an AI-voice server under test between
 * the reference simulator and the mock Gemini face (network mode, scaled clock), judges the
 * conversation from the face's journal on the six axes, and stops the server whatever happened.
 *
 * - the reference server, as a process (`--server reference`), passes the scenarios whose
 *   meaning exists upstream of a server: an expiry rotation, a silent deadline, a storm of drops,
 *   a rejected resume and an abrupt close;
 * - a server that never listens, or exits at once, is UNKNOWN with the reason, never a pass;
 * - nothing outlives a run: the process group is gone, the container is gone;
 * - with docker, the image form gives the cmd form's verdict.
 *
 * No sleeps: every wait is on a port, a process, or the run's own promises.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../harness/cli/main.ts';
import { ScenarioReportSchema } from '../../harness/report/scenario-report-schema.ts';
import { SERVER_MIN_TIME_SCALE } from '../../harness/cli/run-command.ts';
import { runScenario, type ScenarioRun } from '../../harness/run/run-scenario.ts';
import type { Scenario } from '../../harness/scenario/schema.ts';
import { imageServer } from '../../harness/server/image-server.ts';
import { cmdServer } from '../../harness/server/cmd-server.ts';
import { parseServer, referenceServer } from '../../harness/server/parse-server.ts';
import { tcpAccepts } from '../../harness/server/readiness.ts';
import type { ServerUnderTest } from '../../harness/server/server-under-test.ts';
import { builtinSut } from '../../harness/sut/builtin-sut.ts';
import { CATALOG, networkTimeScale } from '../testing/catalog-support.ts';
import { buildReferenceImage, needDocker, REFERENCE_IMAGE, ROOT } from '../testing/server-under-test.ts';
import { groupAlive } from '../../harness/sut/child-process.ts';

const IDS = ['goaway', 'delayed-close', 'flapping', 'handle-not-found', 'unexpected-close'] as const;
const scenario = (id: string): Scenario => CATALOG.find((s) => s.id === id)!;

/**
 * The catalog's network scale, but never below the server runs' floor: the server's own
 * deadlines (a 10-protocol-second upstream connect) must stay well above a cold connection on a
 * loaded machine (at 0.007 the first connect of a fresh server process missed its 70 ms).
 */
const serverTimeScale = (s: Scenario): number => Math.max(networkTimeScale(s), SERVER_MIN_TIME_SCALE);

const through = (s: Scenario, server: ServerUnderTest, readyTimeoutMs?: number): Promise<ScenarioRun> =>
  runScenario(s, builtinSut(), { mode: 'network', seed: 11, timeScale: serverTimeScale(s), wallSlackMs: 20_000, server: { server, ...(readyTimeoutMs ? { readyTimeoutMs } : {}) } });

const explain = (run: ScenarioRun): string =>
  `${run.scenario.id} at ${run.timeScale.toFixed(4)}: ${Object.entries(run.judgement.axes).filter(([, a]) => a.verdict !== 'OK' && a.verdict !== 'INFORMATIONAL').map(([axis, a]) => `${axis}: ${a.reason}`).join(' | ')}; server: ${run.server?.judgement.lifecycle.reason} ${run.server?.judgement.secrets.reason}\n${[...(run.server?.stdout ?? []), ...(run.server?.stderr ?? [])].join('\n')}`;


describe('--server reference: the reference AI-voice server between the simulator and the Gemini face', () => {
  it('passes goaway, delayed-close, flapping, handle-not-found and unexpected-close; stopped by SIGTERM each time, its group gone', async () => {
    const timings: string[] = [];
    // Two at a time: each run starts its own server (a node process compiling TypeScript) on a shared two-core machine.
    const queue = [...IDS];
    const runs: ScenarioRun[] = [];
    await Promise.all([0, 1].map(async () => {
      for (let id = queue.shift(); id; id = queue.shift()) {
        const run = await through(scenario(id), referenceServer());
        runs.push(run);
        timings.push(`${id} ${Math.round(run.wallMs)} ms (ready ${run.server?.readyMs} ms, stop ${run.server?.stopMs} ms)`);
      }
    }));
    for (const run of runs) {
      expect(run.judgement.overall, explain(run)).toBe('OK');
      expect(run.server, explain(run)).toMatchObject({ id: 'reference', kind: 'cmd', state: 'ready', stoppedWith: 'SIGTERM', exitCode: 0, client: 'ai-voice', upstream: 'gemini-live' });
      expect(run.server!.judgement).toMatchObject({ verdict: 'OK', lifecycle: { verdict: 'OK' }, secrets: { verdict: 'OK' } });
      expect(groupAlive(run.server!.details?.pid)).toBe(false);
      // The journal is the model's view: the server's kick-off is the greeting (turn 0), never a prospect turn.
      const greetings = run.journal.filter((e) => e.kind === 'agent-turn' && e.greeting);
      expect(greetings.length, run.scenario.id).toBeGreaterThan(0);
      expect(run.journal.filter((e) => e.kind === 'prospect-turn' && e.turn === 0)).toEqual([]);
      // The secrets of the run: the face's key and handles, and the share token the server was given.
      expect(run.secrets.some((x) => x.startsWith('share_'))).toBe(true);
    }
    const byId = Object.fromEntries(runs.map((r) => [r.scenario.id, r]));
    // What each scenario is about actually happened through the server.
    expect(byId.goaway!.client).toMatchObject({ state: 'reported', result: { status: 'completed', contextLost: false } });
    expect(byId.goaway!.journal.filter((e) => e.kind === 'open' && e.resume === 'resumed').length).toBeGreaterThanOrEqual(1);
    expect(byId['handle-not-found']!.client).toMatchObject({ state: 'reported', result: { contextLost: true } });
    expect(byId.flapping!.client).toMatchObject({ state: 'reported', result: { status: 'completed', contextLost: false } });
    console.info(`--server reference, wall time per scenario: ${timings.join('; ')}`);
  }, 240_000);

  it('the CLI: run --server reference writes the verdict and exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-server-cli-'));
    try {
      const out: string[] = [];
      const io = { stdout: { write: (t: string) => out.push(t) } as unknown as NodeJS.WriteStream, stderr: { write: (t: string) => out.push(t) } as unknown as NodeJS.WriteStream, cwd: ROOT };
      const code = await main(['run', 'unexpected-close.1011-quota', '--server', 'reference', '--time-scale', '0.04', '--seed', '11', '--format', 'json', '--report-dir', dir], io);
      expect(code, out.join('')).toBe(0);
      expect(out.join('')).toContain('1 scenario against builtin through the server reference (Gemini face upstream), network mode');
      // The scenario's JSON report carries the server section (valid against the shipped schema), its figures under `wall`, no secret.
      const runDir = readdirSync(dir).map((d) => join(dir, d)).find((d) => d.endsWith('-seed11'))!;
      const text = readFileSync(join(runDir, 'unexpected-close.1011-quota.json'), 'utf8');
      const report = ScenarioReportSchema.parse(JSON.parse(text));
      expect(report).toMatchObject({ protocol: 'gemini-live', mode: 'network', verdict: { overall: 'OK' }, server: { id: 'reference', state: 'ready', stoppedWith: 'SIGTERM', verdict: 'OK', client: 'ai-voice', upstream: 'gemini-live' } });
      expect(report.server!.shareToken).toMatch(/^‹[0-9a-f]{8}›$/);
      expect(report.server!.stdout.some((l) => l.startsWith('listening on 127.0.0.1:'))).toBe(true);
      expect(report.wall.server).toMatchObject({ readyMs: expect.any(Number), stopMs: expect.any(Number), containerStartMs: null });
      expect(text).not.toMatch(/share_[0-9a-f]{24}/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('a server that cannot be judged is UNKNOWN with the reason, and leaves nothing behind', () => {
  it('never listens: UNKNOWN naming the server and its port, its process group gone', async () => {
    const server = cmdServer('exec node -e "setInterval(() => {}, 1000)"', { id: 'cmd:never-listens' });
    const run = await through(scenario('unexpected-close'), server, 1_500);
    expect(run.judgement.overall).toBe('UNKNOWN');
    expect(run.harnessError).toMatch(/cmd:never-listens never accepted a TCP connection on 127\.0\.0\.1:\d+ \(RESUME_HARNESS_PORT\) within 1\.5 s/);
    expect(Object.values(run.judgement.axes).every((a) => a.verdict === 'UNKNOWN')).toBe(true);
    expect(run.server).toMatchObject({ state: 'never-ready', judgement: { verdict: 'UNKNOWN' } });
    expect(groupAlive(run.server!.details?.pid)).toBe(false);
    // The client was never started: nothing reached the upstream.
    expect(run.journal.filter((e) => e.kind === 'open')).toEqual([]);
  }, 30_000);

  it('listens on the wrong port: UNKNOWN naming the port it was told, its process group gone', async () => {
    // A classic deployment slip: the server reads PORT, not RESUME_HARNESS_PORT, and listens one port off.
    const server = cmdServer('exec node -e "require(\'node:net\').createServer().listen(Number(process.env.RESUME_HARNESS_PORT) + 1, \'127.0.0.1\')"', { id: 'cmd:wrong-port' });
    const run = await through(scenario('unexpected-close'), server, 1_500);
    expect(run.judgement.overall).toBe('UNKNOWN');
    expect(run.harnessError).toMatch(/cmd:wrong-port never accepted a TCP connection on 127\.0\.0\.1:\d+ \(RESUME_HARNESS_PORT\)/);
    expect(run.server).toMatchObject({ state: 'never-ready' });
    expect(groupAlive(run.server!.details?.pid)).toBe(false);
  }, 30_000);

  it('floods its output: the harness keeps a bounded part, counts what it dropped, and still judges the run', async () => {
    // 200,000 lines on stderr before it starts serving: the run must neither stall nor keep them all.
    const server = cmdServer('yes "debug: flooding the log" | head -n 200000 >&2; exec node --import tsx servers/reference/server.ts', { id: 'cmd:floods', cwd: ROOT });
    const run = await through(scenario('unexpected-close'), server);
    expect(run.server!.stdout.length + run.server!.stderr.length).toBeLessThanOrEqual(5_000);
    expect(run.server!.droppedLines).toBeGreaterThan(190_000);
    expect(run.judgement.overall, explain(run)).toBe('OK');
    expect(run.server!.judgement.axes['handle-relay'].verdict).toBe('OK');
    expect(groupAlive(run.server!.details?.pid)).toBe(false);
  }, 90_000);

  it('exits at once: UNKNOWN with its exit status and what it printed', async () => {
    // The reference server without its agents: it refuses its configuration and exits 2.
    const server = cmdServer('RESUME_HARNESS_AGENTS= exec node --import tsx servers/reference/server.ts', { id: 'cmd:bad-config', cwd: ROOT });
    const run = await through(scenario('unexpected-close'), server);
    expect(run.judgement.overall).toBe('UNKNOWN');
    expect(run.harnessError).toMatch(/cmd:bad-config exited with status 2 \(it printed ".*RESUME_HARNESS_AGENTS is not JSON.*"\) before it accepted a TCP connection/);
    expect(run.server).toMatchObject({ state: 'exited-early', exitCode: 2, stoppedWith: 'already-exited' });
    expect(groupAlive(run.server!.details?.pid)).toBe(false);
  }, 30_000);

  it('crashes mid-run: FAILED on the server, with its exit and last words; nothing of it left', async () => {
    const server = cmdServer('exec node test/servers/fixtures/crashes-mid-run.mjs', { id: 'cmd:crashes-mid-run', cwd: ROOT });
    const run = await through(scenario('unexpected-close'), server);
    expect(run.judgement.overall).toBe('FAILED');
    expect(run.server).toMatchObject({ state: 'crashed', exitCode: 70, stoppedWith: 'already-exited' });
    expect(run.server!.judgement.lifecycle).toMatchObject({ verdict: 'FAILED' });
    expect(run.server!.judgement.lifecycle.reason).toMatch(/^The server crashed during the run: cmd:crashes-mid-run exited with status 70 \(it printed "fatal: segmentation fault in the audio pipeline \(simulated\)"\) [\d.]+ s after it started, while the run still needed it\.$/);
    // The conversation it left: never a completed one.
    expect(run.client.state === 'reported' && run.client.result.status === 'completed').toBe(false);
    expect(groupAlive(run.server!.details?.pid)).toBe(false);
  }, 60_000);

  it('ignores SIGTERM: killed after the grace period, NON-STRICT with the reason; the next scenario gets a fresh server and its own verdict', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-server-sigterm-'));
    try {
      const out: string[] = [];
      const io = { stdout: { write: (t: string) => out.push(t) } as unknown as NodeJS.WriteStream, stderr: { write: (t: string) => out.push(t) } as unknown as NodeJS.WriteStream, cwd: ROOT };
      const code = await main(['run', 'unexpected-close.1011-quota', 'handle-not-found', '--server', 'cmd:exec node test/servers/fixtures/ignores-sigterm.mjs', '--time-scale', '0.04', '--seed', '11', '--format', 'json', '--report-dir', dir, '--strict'], io);
      // NON-STRICT fails only a --strict run.
      expect(code, out.join('')).toBe(1);
      const runDir = readdirSync(dir).map((d) => join(dir, d)).find((d) => d.endsWith('-seed11'))!;
      for (const id of ['unexpected-close.1011-quota', 'handle-not-found']) {
        const report = ScenarioReportSchema.parse(JSON.parse(readFileSync(join(runDir, `${id}.json`), 'utf8')));
        expect(report.server, id).toMatchObject({ state: 'ready', stoppedWith: 'SIGKILL', verdict: 'NON-STRICT' });
        expect(report.server!.axes.lifecycle.reason).toMatch(/did not stop within 5\.0 s of SIGTERM: killed \(SIGKILL\)/);
        // Every other axis of the server and of the conversation is judged as usual.
        expect(Object.entries(report.server!.axes).filter(([axis, a]) => axis !== 'lifecycle' && a.verdict !== 'OK' && a.verdict !== 'INFORMATIONAL'), id).toEqual([]);
        expect(groupAlive(report.server!.details?.pid)).toBe(false);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('the harness interrupted (SIGTERM) while the server runs: the server goes with it', async () => {
    const { port, exit } = await interruptedHarness('reference');
    expect(exit).toEqual({ code: null, signal: 'SIGTERM' });
    expect(await refusedWithin(port, 5_000)).toBe(true);
  }, 60_000);

  it('--server values: reference, cmd:, image:, and a clear error for anything else', () => {
    expect(parseServer('reference')).toMatchObject({ id: 'reference', kind: 'cmd' });
    expect(parseServer('cmd:node my-server.js')).toMatchObject({ id: 'cmd:node my-server.js', kind: 'cmd' });
    expect(parseServer('image:resume-harness/reference-server:local')).toMatchObject({ id: 'image:resume-harness/reference-server:local', kind: 'image' });
    expect(() => parseServer('cmd:')).toThrow(/needs a command/);
    expect(() => parseServer('docker:x')).toThrow(expect.objectContaining({ code: 'SERVER_SPEC_INVALID' }));
  });
});

/**
 * Whether the port stops accepting within `ms`. The interrupted harness SIGKILLs the server's group
 * and then dies itself; the kernel tears the killed processes down (and closes their listening
 * socket) on its own schedule, which on a loaded machine can come after the harness's exit is
 * seen here: one check at once was the race behind a failure seen once with three server files
 * running together. The wait ends as soon as the port refuses.
 */
async function refusedWithin(port: number, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  for (;;) {
    if (!(await tcpAccepts(port))) return true;
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Runs test/servers/fixtures/interrupted-harness.ts with a --server value, waits for its server
 * to be ready, sends the harness SIGTERM, and returns the server's port and how the harness ended.
 */
async function interruptedHarness(spec: string): Promise<{ port: number; exit: { code: number | null; signal: NodeJS.Signals | null } }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/servers/fixtures/interrupted-harness.ts', spec], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const line = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const first = text.split('\n')[0]!;
      if (text.includes('\n')) resolve(first);
    });
    void exited.then((e) => reject(new Error(`the interrupted harness exited first (${e.code ?? e.signal}): ${text}`)));
  });
  expect(line).toMatch(/^ready \d+$/);
  const port = Number(line.split(' ')[1]);
  expect(await tcpAccepts(port)).toBe(true);
  child.kill('SIGTERM');
  return { port, exit: await exited };
}


describe('--server image:NAME: the reference server in a container', () => {
  it('gives the verdict of the cmd form on unexpected-close; the container is gone afterwards', async (ctx) => {
    needDocker(ctx);
    const built = buildReferenceImage();
    expect(built.status, built.output).toBe(0);
    const s = scenario('unexpected-close');
    const inContainer = await through(s, imageServer(REFERENCE_IMAGE), 60_000);
    const asProcess = await through(s, referenceServer());
    expect(inContainer.judgement.overall, explain(inContainer)).toBe(asProcess.judgement.overall);
    expect(Object.fromEntries(Object.entries(inContainer.judgement.axes).map(([k, v]) => [k, v.verdict]))).toEqual(Object.fromEntries(Object.entries(asProcess.judgement.axes).map(([k, v]) => [k, v.verdict])));
    expect(inContainer.server).toMatchObject({ kind: 'image', state: 'ready', stoppedWith: 'SIGTERM', exitCode: 0 });
    expect(inContainer.server!.stdout.join('\n')).toContain('SIGTERM: stopping');
    const id = inContainer.server!.details!.containerId!;
    const left = spawnSync('docker', ['ps', '-a', '-q', '--no-trunc', '--filter', `id=${id}`], { encoding: 'utf8' });
    expect(left.stdout.trim()).toBe('');
    // The harness interrupted while the container runs: the container is removed before it exits.
    const before = new Set(spawnSync('docker', ['ps', '-a', '-q', '--no-trunc'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean));
    const interrupted = await interruptedHarness(`image:${REFERENCE_IMAGE}`);
    expect(interrupted.exit.code ?? interrupted.exit.signal).toBeTruthy();
    expect(await tcpAccepts(interrupted.port)).toBe(false);
    const after = spawnSync('docker', ['ps', '-a', '-q', '--no-trunc'], { encoding: 'utf8' }).stdout.split('\n').filter((x) => x && !before.has(x));
    expect(after).toEqual([]);
    // An image that does not exist locally (no registry is reachable, nothing is pulled): UNKNOWN, named.
    const missing = await through(s, imageServer('resume-harness/no-such-server:local'), 30_000);
    expect(missing.judgement.overall).toBe('UNKNOWN');
    expect(missing.harnessError).toMatch(/image:resume-harness\/no-such-server:local could not be started: /);
    expect(missing.server).toMatchObject({ kind: 'image', state: 'exited-early' });
    console.info(`--server image: unexpected-close ${Math.round(inContainer.wallMs)} ms in a container (container started in ${inContainer.server!.containerStartMs} ms, ready ${inContainer.server!.readyMs} ms, stop ${inContainer.server!.stopMs} ms), ${Math.round(asProcess.wallMs)} ms as a process`);
  }, 420_000);
});
