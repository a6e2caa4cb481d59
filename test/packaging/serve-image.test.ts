/**
 * The Dockerfile builds a local image of `serve` (tools/build-serve-image.sh, no registry: the
 * base is made from this machine's node when no node:20 image is present), and the container
 * serves a conversation that a client on 127.0.0.1 completes, then gives its verdict and exits
 * by itself; the packaged CLI runs the catalog in it as well. Host networking, as everywhere in
 * the harness: nothing leaves 127.0.0.0/8.
 */
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { scaledClock } from '../../protocol/clock.ts';
import { ProspectSimulator } from '../../simulator/index.ts';
import { needDocker, ROOT } from '../testing/server-under-test.ts';

const IMAGE = 'resume-harness/serve:test';
const CONTAINER = `resume-harness-serve-test-${process.pid}`;

afterAll(() => {
  spawnSync('docker', ['rm', '-f', CONTAINER], { encoding: 'utf8' });
});

describe('the serve image', () => {
  it('builds from the Dockerfile, runs as nobody with the package as npm ships it, and judges a conversation by itself', async (ctx) => {
    needDocker(ctx);
    const built = spawnSync('bash', [resolve(ROOT, 'tools/build-serve-image.sh'), IMAGE], { encoding: 'utf8', timeout: 480_000 });
    expect(built.status, `${built.stdout}\n${built.stderr}`).toBe(0);

    const config = JSON.parse(spawnSync('docker', ['image', 'inspect', '--format', '{{json .Config}}', IMAGE], { encoding: 'utf8' }).stdout) as { User: string; StopSignal: string; Entrypoint: string[] };
    expect(config).toMatchObject({ User: '65534:65534', StopSignal: 'SIGINT' });
    expect(config.Entrypoint).toEqual(['node', '/opt/resume-harness/harness/bin/resume-harness.mjs']);
    const listing = spawnSync('docker', ['run', '--rm', '--network', 'none', '--entrypoint', 'node', IMAGE, '-e',
      "const fs=require('fs');const all=fs.readdirSync('/opt/resume-harness',{recursive:true});console.log(JSON.stringify({tests:all.filter(f=>/\\.test\\.ts$|(^|\\/)testing\\//.test(f)&&!f.startsWith('node_modules')).length,schema:fs.existsSync('/opt/resume-harness/scenarios/scenario.schema.json')}))"], { encoding: 'utf8', timeout: 60_000 });
    expect(JSON.parse(listing.stdout)).toEqual({ tests: 0, schema: true });
    // The packaged harness runs the catalog too (no network at all: virtual time).
    const catalogRun = spawnSync('docker', ['run', '--rm', '--network', 'none', '-w', '/tmp', IMAGE, 'run', 'goaway', '--seed', '1'], { encoding: 'utf8', timeout: 120_000 });
    expect(catalogRun.status, catalogRun.stdout + catalogRun.stderr).toBe(0);
    expect(catalogRun.stdout).toContain('10 scenarios: 10 OK');

    const container = spawn('docker', ['run', '--rm', '--name', CONTAINER, '--network', 'host', IMAGE, 'serve', '--scenario', 'goaway.early-close', '--port', '0', '--seed', '5', '--time-scale', '0.005'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    container.stdout.setEncoding('utf8').on('data', (s: string) => { out += s; });
    container.stderr.setEncoding('utf8').on('data', (s: string) => { out += s; });
    const exited = new Promise<number | null>((done) => container.once('exit', (code) => done(code)));
    const listening = await new Promise<string>((done, fail) => {
      const check = (): void => { if (/RESUME_HARNESS_SHARE_TOKEN=\S+\n/.test(out)) done(out); };
      container.stdout.on('data', check);
      void exited.then((code) => fail(new Error(`the container exited (${code}) before it listened:\n${out}`)));
    });
    const value = (name: string) => new RegExp(`${name}=(\\S+)`).exec(listening)![1]!;
    expect(value('RESUME_HARNESS_HTTP_URL')).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const result = await new ProspectSimulator({
      httpUrl: value('RESUME_HARNESS_HTTP_URL'), wsUrl: value('RESUME_HARNESS_WS_URL'), shareToken: value('RESUME_HARNESS_SHARE_TOKEN'),
      maxTurns: 12, seed: 5, clock: scaledClock(0.005), WebSocket: WebSocket as never,
    }).run();
    expect(result).toMatchObject({ status: 'completed', turns: 12 });
    expect(await exited).toBe(0);
    expect(out).toContain('the conversation is over: goaway.early-close → OK');
  }, 600_000);
});
