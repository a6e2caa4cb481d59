/**
 * The seed plan's logic, ported literally, shows each of its traps on the wire — and the
 * harness catches it (a FAILED verdict) on the scenarios built for them.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../harness/run/run-scenario.ts';
import { loadCatalog } from '../../harness/scenario/loader.ts';
import { Scenario } from '../../harness/scenario/schema.ts';
import { parseSut } from '../../harness/sut/parse-sut.ts';

const catalog = loadCatalog().map((l) => l.scenario);
const scenario = (id: string): Scenario => catalog.find((s) => s.id === id)!;
const seedPlan = parseSut('seed-plan');
const run = (s: Scenario, seed = 1) => runScenario(s, seedPlan, { mode: 'virtual', seed, timeScale: 1 });

describe('the seed plan, ported', () => {
  it('skips the reconnect on 1000 — the code the server closes with at expiry — and is FAILED on goaway', async () => {
    const r = await run(scenario('goaway'));
    expect(r.judgement.overall).toBe('FAILED');
    expect(r.judgement.axes.reconnect.reason).toMatch(/^Never reconnected after connection 1 closed \(1000 "session expired" by server/);
    expect(r.judgement.axes.expiry.reason).toMatch(/^Waited for the server/);
    expect(r.client).toMatchObject({ state: 'reported', result: { status: 'failed', reconnects: 0, contextLost: false } });
    // Its logs show 20-character handle previews, never a whole handle.
    expect(r.output.some((l) => l.includes('Handle preview: rh_'))).toBe(true);
    expect(r.judgement.axes.secrets.verdict).toBe('OK');
  });

  it('waits a fixed 2 s before every attempt, the first included', async () => {
    const r = await run(scenario('flapping.endless'));
    const drop = r.journal.find((e) => e.kind === 'close')!.t;
    const attempts = r.journal.filter((e) => e.kind === 'open' && e.ordinal > 1).map((e) => e.t);
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(attempts[0]! - drop).toBe(2000);
    expect(r.judgement.axes.reconnect).toMatchObject({ verdict: 'NON-STRICT', reason: expect.stringMatching(/did not back off: gaps 2\.0 s, 2\.0 s/) });
  });

  it('takes an open socket with the "expiring" flag clear for a resume, and talks on into a fresh session', async () => {
    const r = await run(scenario('invalid-handle'));
    expect(r.judgement.axes.context).toMatchObject({ verdict: 'FAILED', reason: expect.stringMatching(/rolled back|lost silently/) });
    expect(r.journal.some((e) => e.kind === 'open' && e.ordinal === 2 && e.resume === 'rejected')).toBe(true);
    expect(r.journal.some((e) => e.kind === 'resumed-sent')).toBe(false);
  });

  it('resets its counter on every "success", so an accept-then-close server keeps it looping until the limit', async () => {
    const r = await run({ ...scenario('flapping.endless-accept-then-close'), limit: 600 });
    expect(r.client).toMatchObject({ state: 'hung', reason: expect.stringMatching(/limit of 600 protocol seconds/) });
    expect(r.journal.filter((e) => e.kind === 'open').length).toBeGreaterThan(50);
    expect(r.judgement.axes.reconnect.verdict).toBe('FAILED');
  });

  it('trusts every frame: a malformed handle update crashes it, and the harness reports a client that died', async () => {
    const malformed = Scenario.parse({
      id: 'malformed-handle-update',
      title: 'A handle update whose handle is a number',
      description: 'After the greeting the server sends session_resumption_update with a numeric handle.',
      expectation: 'A client ignores what it cannot read.',
      why: 'The seed plan calls message.handle.substring().',
      group: 'malformed-input',
      provenance: ['spec §2'],
      conversation: { maxTurns: 3 },
      server: { faults: [{ when: { turn: 0, phase: 'after-handle' }, do: { send: { type: 'session_resumption_update', handle: 12345, resumable: true } } }] },
      expect: { outcome: 'completes' },
    });
    const r = await run(malformed);
    expect(r.client).toEqual({ state: 'missing', reason: expect.stringMatching(/^the simulator threw: .*substring is not a function/) });
    expect(r.judgement.overall).toBe('FAILED');
  });
});
