/**
 * Gemini Live clients that break the wire get the close Gemini would send, and a FAILED
 * protocol axis naming what they sent; the run itself completes and keeps its report, and
 * the next run is untouched. Each fixture (fixtures/) is a tiny `cmd:` client doing one bad
 * thing against the real Gemini face on 127.0.0.1.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario, type ScenarioRun } from '../../harness/run/run-scenario.ts';
import { cmdSut } from '../../harness/sut/cmd-sut.ts';
import { geminiBuiltinSut } from '../../harness/sut/gemini-builtin-sut.ts';
import { GeminiCloses } from '../../protocol/gemini-live/close-codes.ts';
import { CATALOG, networkTimeScale } from '../testing/catalog-support.ts';

const FIXTURES = resolve(import.meta.dirname, 'fixtures');
/** The broken clients end at once: 60 protocol seconds bound them. */
const scenario = { ...CATALOG.find((s) => s.id === 'goaway')!, limit: 60 };

function run(fixture: string): Promise<ScenarioRun> {
  return runScenario(scenario, cmdSut(`node ${resolve(FIXTURES, fixture)}`, { id: `cmd:${fixture}` }), { mode: 'network', seed: 1, timeScale: 0.01, wallSlackMs: 5_000, protocol: 'gemini-live' });
}

/** The server's close of the run's one connection, as the journal recorded it. */
const closeSeen = (r: ScenarioRun): unknown => {
  const close = r.journal.find((e) => e.kind === 'close');
  return close && { code: close.code, reason: close.reason, by: close.by };
};

describe('misbehaving Gemini Live clients', () => {
  it('a frame that is not JSON: closed 1007 "Request contains an invalid argument.", FAILED on protocol naming it', async () => {
    const r = await run('garbage-after-setup.mjs');
    expect(r.harnessError).toBeUndefined();
    expect(closeSeen(r)).toEqual({ code: 1007, reason: GeminiCloses.invalidArgument.reason, by: 'server' });
    expect(r.judgement.axes.protocol).toMatchObject({ verdict: 'FAILED', reason: expect.stringMatching(/1 frame that the protocol does not allow; the first on connection 1: .*JSON/) });
  });

  it('a first frame that is not setup: closed 1007 before any setupComplete, FAILED on protocol', async () => {
    const r = await run('wrong-first-frame.mjs');
    expect(closeSeen(r)).toEqual({ code: 1007, reason: GeminiCloses.invalidArgument.reason, by: 'server' });
    expect(r.journal.some((e) => e.kind === 'frame-out' && e.type === 'setupComplete')).toBe(false);
    expect(r.judgement.axes.protocol).toMatchObject({ verdict: 'FAILED', reason: expect.stringMatching(/the first frame must be setup, got clientContent/) });
  });

  it('a frame over the 1 MiB limit: closed 1009 by the WebSocket layer, FAILED on protocol with the reason', async () => {
    const r = await run('oversized-frame.mjs');
    expect(closeSeen(r)).toMatchObject({ code: 1009, by: 'server' });
    expect(r.judgement.axes.protocol).toMatchObject({ verdict: 'FAILED', reason: expect.stringMatching(/refused on connection 1, which was closed 1009: .*1009.*Max payload size exceeded/) });
  });

  it('a broken client loses nothing for the runs after it: the reference passes the same scenario next', async () => {
    await run('garbage-after-setup.mjs');
    const goaway = CATALOG.find((s) => s.id === 'goaway')!;
    const next = await runScenario(goaway, geminiBuiltinSut(), { mode: 'network', seed: 1, timeScale: networkTimeScale(goaway), wallSlackMs: 20_000, protocol: 'gemini-live' });
    expect(next.judgement.overall, JSON.stringify(next.judgement.axes)).toBe('OK');
  });
});
