/**
 * Clients that misbehave get a verdict with a reason — never a harness crash or hang. Each
 * fixture (test/sut/fixtures/clients) is a tiny `cmd:` client doing one bad thing, run
 * against the real server like any other client.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runScenario, type ScenarioRun } from '../../harness/run/run-scenario.ts';
import { loadCatalog } from '../../harness/scenario/loader.ts';
import type { Scenario } from '../../harness/scenario/schema.ts';
import { cmdSut, type CmdRunExtra } from '../../harness/sut/cmd-sut.ts';

const FIXTURES = resolve(import.meta.dirname, 'fixtures/clients');
const dir = mkdtempSync(join(tmpdir(), 'misbehaving-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = loadCatalog().find((l) => l.scenario.id === 'invalid-handle')!.scenario;
/** 60 protocol seconds at 0.01: a client has 0.6 s plus 2 s of slack to exit. */
const scenario: Scenario = { ...base, limit: 60 };
const TIME_SCALE = 0.01;
const WALL_LIMIT_MS = 60 * 1000 * TIME_SCALE + 2_000;

async function run(fixture: string, env: Record<string, string> = {}): Promise<ScenarioRun & { extra: CmdRunExtra }> {
  const sut = cmdSut(`node ${join(FIXTURES, fixture)}`, { env });
  const result = await runScenario(scenario, sut, { mode: 'network', seed: 1, timeScale: TIME_SCALE, wallSlackMs: 2_000 });
  // Promptly: within the limit, and a little time for killing and cleaning up.
  expect(result.wallMs).toBeLessThan(WALL_LIMIT_MS + 2_000);
  expect(result.harnessError).toBeUndefined();
  return { ...result, extra: result.clientExtra as unknown as CmdRunExtra };
}

describe('misbehaving cmd: clients', () => {
  it('a client that hangs is killed with its whole process group at the limit: hung', async () => {
    const pidFile = join(dir, 'grandchild.pid');
    const r = await run('hangs.mjs', { FIXTURE_PID_FILE: pidFile });
    expect(r.client).toMatchObject({ state: 'hung', reason: expect.stringMatching(/no exit after \d+\.\d s of real time .*the process group was killed/) });
    expect(r.extra).toMatchObject({ timedOut: true, signal: 'SIGKILL', stdout: ['connecting… (not really)'] });
    expect(r.judgement.overall).toBe('FAILED');
    expect(r.judgement.axes.reconnect.reason).toMatch(/never ended/);
    await expect.poll(() => isAlive(Number(readFileSync(pidFile, 'utf8'))), { timeout: 2_000 }).toBe(false);
  });

  it('a client that crashes without a result: missing, with its exit status and its error', async () => {
    const r = await run('crashes.mjs');
    expect(r.client).toMatchObject({ state: 'missing', reason: expect.stringMatching(/exited with status 1 without writing its result file \(RESUME_HARNESS_RESULT\); stderr: "Error: boom: the client fell over"/) });
    expect(r.extra.exitCode).toBe(1);
    expect(r.output).toContain('starting');
    expect(r.judgement.overall).toBe('FAILED');
    expect(r.judgement.axes.context.reason).toMatch(/No client result .*missing/);
  });

  it('a client that never connects yet claims completion: the journal contradicts it', async () => {
    const r = await run('never-connects.mjs');
    expect(r.client).toMatchObject({ state: 'reported', result: { status: 'completed' } });
    expect(r.journal.some((e) => e.kind === 'open')).toBe(false);
    expect(r.judgement.axes.turns).toEqual({ verdict: 'FAILED', reason: `The client reported completion, but only 0 of ${scenario.conversation.maxTurns} prospect turns reached the agent.` });
  });

  it('a garbled result file: invalid, with the parse error', async () => {
    const r = await run('garbled-result.mjs');
    expect(r.client).toMatchObject({ state: 'invalid', reason: expect.stringMatching(/result file is not JSON/) });
    expect(r.judgement.overall).toBe('FAILED');
  });

  it('a client that floods the server with frames: FAILED on what the journal shows', async () => {
    const r = await run('floods.mjs');
    expect(r.client.state).toBe('reported');
    // Far beyond the flood budget of the protocol axis (3 × (turns + connections + 5)).
    const budget = 3 * (scenario.conversation.maxTurns + 1 + 5);
    expect(r.journal.filter((e) => e.kind === 'frame-in').length).toBeGreaterThan(10 * budget);
    expect(r.judgement.overall).toBe('FAILED');
    const reasons = [r.judgement.axes.protocol, r.judgement.axes.turns].filter((a) => a.verdict === 'FAILED').map((a) => a.reason).join(' ');
    expect(reasons).toMatch(/Flood: the client sent \d+ frames|Duplicate prospect message/);
  });

  it('a client that sends garbage frames: FAILED on protocol, naming the first bad frame', async () => {
    const r = await run('sends-garbage.mjs');
    expect(r.judgement.axes.protocol).toMatchObject({ verdict: 'FAILED', reason: expect.stringMatching(/sent 4 frames that the protocol does not allow; the first on connection 1: /) });
  });

  it('a client that floods its own output: kept within bounds, the rest counted', async () => {
    const r = await run('floods-output.mjs');
    expect(r.client).toMatchObject({ state: 'missing' });
    expect(r.extra.stdout.length + r.extra.stderr.length).toBeLessThanOrEqual(20_000);
    expect(r.extra.droppedLines).toBeGreaterThan(40_000);
    expect(r.extra.stderr[0]).toHaveLength(4_096);
    expect(r.output.at(-1)).toMatch(/more lines of client output were dropped/);
  });

  it('a client that prints a secret: NON-STRICT on secrets (spec §5.1 SHOULD NOT; judge-rules secrets.leaked), from its captured output', async () => {
    const r = await run('leaks-token.mjs');
    expect(r.client).toMatchObject({ state: 'reported', result: { status: 'failed' } });
    expect(r.judgement.axes.secrets).toMatchObject({ verdict: 'NON-STRICT', reason: expect.stringMatching(/output line 1 contains a full share token/) });
  });
});

/** Running, not merely a zombie waiting to be reaped. */
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
