/**
 * `--server cmd:COMMAND` as a lifecycle (server-contract.md §1): ready when the port accepts,
 * stopped by SIGTERM to the group (SIGKILL after the grace period), and whatever goes wrong —
 * never listening, exiting at once, crashing, ignoring SIGTERM — a state with a reason. After
 * stop() nothing of the process group is left. Every wait is on a promise the server settles.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../run/server-run.ts';
import { cmdServer } from './cmd-server.ts';
import { tcpAccepts } from './readiness.ts';
import type { ServerInstance, ServerStartContext } from './server-under-test.ts';
import { groupAlive } from '../sut/child-process.ts';

/** A node one-liner as a shell command (CommonJS under -e). */
const node = (code: string): string => `exec node -e ${JSON.stringify(code)}`;
const LISTENS = "require('net').createServer((s) => s.end()).listen(Number(process.env.RESUME_HARNESS_PORT), '127.0.0.1', () => console.log('listening'))";

let started: ServerInstance[] = [];
afterEach(async () => {
  await Promise.all(started.map((s) => s.stop()));
  started = [];
});

async function start(command: string, over: Partial<ServerStartContext> = {}): Promise<ServerInstance> {
  const port = await freePort();
  const instance = await cmdServer(command).start({ env: { RESUME_HARNESS_PORT: String(port) }, port, readyTimeoutMs: 10_000, stopGraceMs: 2_000, ...over });
  started.push(instance);
  return instance;
}


describe('a cmd: server under test', () => {
  it('ready once its port accepts; stopped by SIGTERM; its group is gone and its output kept', async () => {
    const server = await start(node(`${LISTENS}; process.on('SIGTERM', () => { console.log('bye'); process.exit(0); })`));
    expect(await server.readiness).toMatchObject({ state: 'ready' });
    const record = await server.stop();
    expect(record).toMatchObject({ state: 'ready', stoppedWith: 'SIGTERM', exitCode: 0, stdout: ['listening', 'bye'] });
    expect(record.readyMs).toBeGreaterThanOrEqual(0);
    expect(groupAlive(record.details?.pid)).toBe(false);
    // stop() again is the same record.
    expect(await server.stop()).toBe(record);
  });

  it('never listening: never-ready within the bound, named; then stopped', async () => {
    const server = await start(node("setInterval(() => {}, 1000); console.log('up, but no port')"), { readyTimeoutMs: 800 });
    const readiness = await server.readiness;
    expect(readiness).toMatchObject({ state: 'never-ready' });
    expect(readiness.state !== 'ready' && readiness.reason).toMatch(/^cmd:exec node .* never accepted a TCP connection on 127\.0\.0\.1:\d+ \(RESUME_HARNESS_PORT\) within 0\.8 s$/);
    const record = await server.stop();
    expect(record).toMatchObject({ state: 'never-ready', stoppedWith: 'SIGTERM' });
    expect(groupAlive(record.details?.pid)).toBe(false);
  });

  it('exiting at once: exited-early with its status and the line it printed', async () => {
    const server = await start(node("console.error('config: RESUME_HARNESS_AGENTS is not JSON'); process.exit(2)"));
    const readiness = await server.readiness;
    expect(readiness.state).toBe('exited-early');
    expect(readiness.state !== 'ready' && readiness.reason).toContain('exited with status 2 (it printed "config: RESUME_HARNESS_AGENTS is not JSON") before it accepted a TCP connection');
    expect(await server.stop()).toMatchObject({ state: 'exited-early', stoppedWith: 'already-exited', exitCode: 2, stderr: ['config: RESUME_HARNESS_AGENTS is not JSON'] });
  });

  it('a command that does not exist: exited-early, status 127', async () => {
    const server = await start('exec ./no-such-server-binary');
    const readiness = await server.readiness;
    expect(readiness.state !== 'ready' && readiness.reason).toMatch(/exited with status 127 \(command not found\?\)/);
  });

  it('crashing after it became ready: crashed, with the reason', async () => {
    // It serves the readiness probe, and dies on the next connection with an uncaught error.
    const crashes = "let n = 0; require('net').createServer((s) => { s.end(); if (++n === 2) setImmediate(() => { throw new Error('boom: upstream socket'); }); }).listen(Number(process.env.RESUME_HARNESS_PORT), '127.0.0.1')";
    const port = await freePort();
    const server = await cmdServer(node(crashes)).start({ env: { RESUME_HARNESS_PORT: String(port) }, port, readyTimeoutMs: 10_000, stopGraceMs: 2_000 });
    started.push(server);
    expect(await server.readiness).toMatchObject({ state: 'ready' });
    expect(await tcpAccepts(port)).toBe(true);
    expect(await server.exited).toMatch(/^exited with status 1 \(it printed ".*boom: upstream socket"\)$/);
    const record = await server.stop();
    expect(record).toMatchObject({ state: 'crashed', stoppedWith: 'already-exited', exitCode: 1 });
    expect(record.reason).toMatch(/exited with status 1 .* s after it started, while the run still needed it$/);
  });

  it('ignoring SIGTERM, with a child of its own: SIGKILL after the grace period, and the whole group is gone', async () => {
    const child = "require('child_process').spawn(process.execPath, ['-e', 'process.on(\\'SIGTERM\\', () => {}); setInterval(() => {}, 1000)'], { stdio: 'ignore' })";
    const server = await start(node(`${LISTENS}; ${child}; process.on('SIGTERM', () => console.log('ignoring SIGTERM'))`), { stopGraceMs: 500 });
    expect(await server.readiness).toMatchObject({ state: 'ready' });
    const record = await server.stop();
    expect(record).toMatchObject({ state: 'ready', stoppedWith: 'SIGKILL', signal: 'SIGKILL' });
    expect(record.reason).toContain('did not stop within 0.5 s of SIGTERM: killed (SIGKILL)');
    expect(groupAlive(record.details?.pid)).toBe(false);
  });
});
