import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SutEnv } from '../../protocol/sut-result.ts';
import { cmdSut, contractEnv, judgeResultFile, type CmdRunExtra } from './cmd-sut.ts';
import type { SutRunContext } from './system-under-test.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function context(overrides: Partial<SutRunContext> = {}): SutRunContext & { lines: string[] } {
  const workDir = mkdtempSync(join(tmpdir(), 'cmd-sut-test-'));
  dirs.push(workDir);
  const lines: string[] = [];
  return {
    protocol: 'ai-voice',
    httpUrl: 'http://127.0.0.1:9',
    wsUrl: 'ws://127.0.0.1:9/ws/ai-voice',
    shareToken: 'share_test_0123456789',
    maxTurns: 7,
    seed: 42,
    mode: 'network',
    timeScale: 0.01,
    workDir,
    wallLimitMs: 10_000,
    output: (line) => lines.push(line),
    lines,
    ...overrides,
  };
}

const RESULT_OK = '{"status":"completed","conversationId":"conv_1","turns":7,"reconnects":1,"contextLost":false}';

describe('judgeResultFile (sut-contract §3–§4)', () => {
  it('takes a valid result whose status agrees with the exit status', () => {
    expect(judgeResultFile({ state: 'text', text: RESULT_OK }, 0, null)).toEqual({
      state: 'reported',
      result: { status: 'completed', conversationId: 'conv_1', turns: 7, reconnects: 1, contextLost: false },
    });
    const failed = '{"status":"failed","turns":2,"reconnects":3,"contextLost":true}';
    expect(judgeResultFile({ state: 'text', text: failed }, 1, null).state).toBe('reported');
  });

  it('calls no result file missing, with the exit status or signal and the telling stderr line', () => {
    const crashed = judgeResultFile({ state: 'absent' }, 1, null, 'Error: boom');
    expect(crashed).toEqual({ state: 'missing', reason: expect.stringMatching(/exited with status 1 without writing its result file \(RESUME_HARNESS_RESULT\); stderr: "Error: boom"/) });
    expect(judgeResultFile({ state: 'absent' }, null, 'SIGSEGV')).toMatchObject({ state: 'missing', reason: expect.stringMatching(/killed by SIGSEGV/) });
    expect(judgeResultFile({ state: 'absent' }, 127, null)).toMatchObject({ reason: expect.stringMatching(/command not found\?/) });
  });

  it('calls an empty, non-JSON or ill-shaped file invalid, naming the problem', () => {
    expect(judgeResultFile({ state: 'text', text: '  \n' }, 0, null)).toMatchObject({ state: 'invalid', reason: expect.stringMatching(/empty/) });
    expect(judgeResultFile({ state: 'text', text: '{"status": "comp' }, 0, null)).toMatchObject({ state: 'invalid', reason: expect.stringMatching(/not JSON/) });
    const shaped = judgeResultFile({ state: 'text', text: '{"status":"done","turns":-1,"reconnects":0}' }, 0, null);
    expect(shaped.state).toBe('invalid');
    expect(shaped.state === 'invalid' && shaped.reason).toMatch(/status: .*; turns: .*; contextLost: /);
    expect(judgeResultFile({ state: 'text', text: '[1,2]' }, 0, null)).toMatchObject({ state: 'invalid', reason: expect.stringMatching(/\(root\)/) });
  });

  it('calls an exit status that contradicts the result invalid', () => {
    expect(judgeResultFile({ state: 'text', text: RESULT_OK }, 1, null)).toMatchObject({ state: 'invalid', reason: expect.stringMatching(/says status "completed" but the client exited with status 1/) });
    const failed = '{"status":"failed","turns":2,"reconnects":3,"contextLost":true}';
    expect(judgeResultFile({ state: 'text', text: failed }, 0, null)).toMatchObject({ state: 'invalid', reason: expect.stringMatching(/exited with status 0, which says it completed/) });
  });
});

describe('cmdSut', () => {
  it('runs in network mode only, and says so rather than throwing', async () => {
    const sut = cmdSut('true');
    expect(sut.kind).toBe('cmd');
    expect(sut.modes).toEqual(['network']);
    expect(sut.id).toBe('cmd:true');
    const outcome = await sut.run(context({ mode: 'virtual' }));
    expect(outcome.report).toMatchObject({ state: 'missing', reason: expect.stringMatching(/only in network mode/) });
  });

  it('gives the command the contract variables by their exact names', async () => {
    const ctx = context();
    const names = Object.values(SutEnv);
    const outcome = await cmdSut(`for v in ${names.join(' ')}; do eval "echo $v=\\$$v"; done`).run(ctx);
    const resultPath = join(ctx.workDir, 'result.json');
    expect(ctx.lines).toEqual([
      'RESUME_HARNESS_HTTP_URL=http://127.0.0.1:9',
      'RESUME_HARNESS_WS_URL=ws://127.0.0.1:9/ws/ai-voice',
      'RESUME_HARNESS_SHARE_TOKEN=share_test_0123456789',
      'RESUME_HARNESS_MAX_TURNS=7',
      'RESUME_HARNESS_SEED=42',
      'RESUME_HARNESS_TIME_SCALE=0.01',
      `RESUME_HARNESS_RESULT=${resultPath}`,
    ]);
    expect(contractEnv(ctx, resultPath)).toEqual(Object.fromEntries(ctx.lines.map((l) => l.split('=') as [string, string])));
    expect(outcome.report.state).toBe('missing');
    expect((outcome.extra as unknown as CmdRunExtra).exitCode).toBe(0);
  });

  it('gives a Gemini Live client GOOGLE_GEMINI_BASE_URL and GEMINI_API_KEY as well (sut-contract §6)', () => {
    const ctx = context({ protocol: 'gemini-live', httpUrl: 'http://127.0.0.1:7', shareToken: 'share_key_0123456789' });
    const env = contractEnv(ctx, '/tmp/r.json');
    expect(env).toMatchObject({ GOOGLE_GEMINI_BASE_URL: 'http://127.0.0.1:7', GEMINI_API_KEY: 'share_key_0123456789', RESUME_HARNESS_MAX_TURNS: '7' });
    expect(contractEnv(context(), '/tmp/r.json')).not.toHaveProperty('GOOGLE_GEMINI_BASE_URL');
  });

  it('reads the result file the command wrote and keeps the exit status and both streams', async () => {
    const ctx = context();
    const outcome = await cmdSut(`echo out-1; echo err-1 >&2; printf '%s' '${RESULT_OK}' > "$RESUME_HARNESS_RESULT"; echo out-2`).run(ctx);
    expect(outcome.report).toMatchObject({ state: 'reported', result: { status: 'completed', turns: 7 } });
    const extra = outcome.extra as unknown as CmdRunExtra;
    expect(extra).toMatchObject({ exitCode: 0, signal: null, timedOut: false, stdout: ['out-1', 'out-2'], stderr: ['err-1'], droppedLines: 0 });
    expect([...ctx.lines].sort()).toEqual(['err-1', 'out-1', 'out-2']);
  });

  it('kills the whole process group at the time limit and reports hung, promptly', async () => {
    const ctx = context({ wallLimitMs: 800 });
    const pidFile = join(ctx.workDir, 'grandchild.pid');
    const started = performance.now();
    // A grandchild that would outlive a naive kill of the shell.
    const outcome = await cmdSut(`sleep 300 & echo $! > ${pidFile}; wait`).run(ctx);
    const elapsed = performance.now() - started;
    expect(outcome.report).toMatchObject({ state: 'hung', reason: expect.stringMatching(/no exit after 0\.\d s of real time .* the process group was killed/) });
    expect((outcome.extra as unknown as CmdRunExtra).timedOut).toBe(true);
    expect(elapsed).toBeLessThan(3_000);
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    // SIGKILL is delivered at once; the orphan is reaped a moment later.
    await expect.poll(() => isAlive(grandchild), { timeout: 2_000 }).toBe(false);
  });

  it('kills what the command left running in its group once it exits', async () => {
    const ctx = context();
    const pidFile = join(ctx.workDir, 'straggler.pid');
    const outcome = await cmdSut(`(sleep 300 >/dev/null 2>&1 &  echo $! > ${pidFile}); exit 3`).run(ctx);
    expect(outcome.report).toMatchObject({ state: 'missing', reason: expect.stringMatching(/status 3/) });
    await expect.poll(() => isAlive(Number(readFileSync(pidFile, 'utf8'))), { timeout: 2_000 }).toBe(false);
  });

  it('splits output into lines, strips CR, cuts long lines and stops keeping lines past the cap', async () => {
    const ctx = context();
    const outcome = await cmdSut(`printf 'a\\r\\nb'; printf '%0200d\\n' 0; i=0; while [ $i -lt 30 ]; do echo line-$i; i=$((i+1)); done`, { maxOutputLines: 10, maxLineLength: 50 }).run(ctx);
    const extra = outcome.extra as unknown as CmdRunExtra;
    expect(extra.stdout.slice(0, 3)).toEqual(['a', `b${'0'.repeat(49)}`, 'line-0']);
    expect(extra.stdout).toHaveLength(10);
    expect(extra.droppedLines).toBeGreaterThan(20);
    expect(ctx.lines.at(-1)).toMatch(/more lines of client output were dropped/);
  });

  it('reports a command that cannot run as missing, with the shell\'s status', async () => {
    const outcome = await cmdSut('/nonexistent/client --flag').run(context());
    expect(outcome.report).toMatchObject({ state: 'missing', reason: expect.stringMatching(/status 127 .*command not found\?/) });
  });
});

/** Running, not merely a zombie waiting to be reaped (which a container's PID 1 may take its time over). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
