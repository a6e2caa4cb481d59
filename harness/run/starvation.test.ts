/**
 * A starved harness is no failure: a FAILED verdict resting on timing finer than the run's own
 * lag becomes UNKNOWN with the lag and a safe scale; one that does not rest on timing stands.
 */
import { describe, expect, it } from 'vitest';
import { breach } from '../judge/judge-rules.ts';
import type { Judgement } from '../judge/judge.ts';
import { ok } from '../judge/verdict.ts';
import { Scenario } from '../scenario/schema.ts';
import { lagReportOf, lagWithin, safeScale, type LagTimeline } from './scheduling-lag.ts';
import { discountStarvation } from './starvation.ts';

const scenario = Scenario.parse({ id: 'unit', title: 't', description: 'd', expectation: 'e', why: 'w', group: 'timing', provenance: ['unit'], expect: { outcome: 'completes' } });
const judgementWith = (reconnect: ReturnType<typeof breach>, expiry = ok('fine')): Judgement => ({
  overall: 'FAILED',
  axes: { context: ok('x'), turns: ok('x'), reconnect, expiry, protocol: ok('x'), secrets: ok('x') },
});

describe('discountStarvation', () => {
  it('turns a timing FAILED UNKNOWN when the lag, in protocol time, exceeds what the rule tolerates, and names a safe scale', () => {
    // 60 real ms of lag at scale 0.005 is 12 protocol s: far more than the 2 s a deadline judgement tolerates.
    const lag = lagReportOf([1, 2, 60], 55, 10);
    const { judgement, starvation } = discountStarvation(judgementWith(ok('x'), breach('expiry.waited-for-server', 'Waited for the server.')), lag, 0.005, scenario);
    expect(judgement.axes.expiry.verdict).toBe('UNKNOWN');
    expect(judgement.axes.expiry.reason).toMatch(/^Not evidence: the harness was starved — its event loop lagged up to 60 real ms, 12\.0 protocol s at time scale 0\.005, more than the 2\.00 s this timing tolerates \(expiry\.waited-for-server\); a time scale of 0\.1 would be safe\. \(FAILED on what was seen: Waited for the server\.\)$/);
    expect(judgement.overall).toBe('UNKNOWN');
    expect(starvation).toEqual({ lagMs: 60, lagProtocolMs: 12_000, safeScale: 0.1, axes: ['expiry'] });
  });

  it('leaves it FAILED when the lag is within the tolerance', () => {
    const lag = lagReportOf([1, 2, 5], 4, 2);
    const { judgement, starvation } = discountStarvation(judgementWith(ok('x'), breach('expiry.waited-for-server', 'w')), lag, 0.005, scenario);
    expect(judgement.axes.expiry.verdict).toBe('FAILED');
    expect(starvation).toBeNull();
  });

  it('turns a timing NON-STRICT UNKNOWN as well: a late timer that stretched one retry gap makes a growing back-off look fixed', () => {
    const fixed = breach('reconnect.fixed-delay', 'Retries did not back off: gaps 14.5 s, 4.3 s.', { fromMs: 20_000, toMs: 40_000 });
    const lagged: LagTimeline = { timeScale: 0.05, late: [[25_000, 150]] };
    const { judgement, starvation } = discountStarvation({ ...judgementWith(fixed), overall: 'NON-STRICT' }, lagReportOf([150], 150, 150), 0.05, scenario, lagged);
    expect(judgement.axes.reconnect.verdict).toBe('UNKNOWN');
    expect(judgement.axes.reconnect.reason).toMatch(/\(reconnect\.fixed-delay\).*\(NON-STRICT on what was seen: Retries did not back off/);
    expect(judgement.overall).toBe('UNKNOWN');
    expect(starvation?.axes).toEqual(['reconnect']);
  });

  it('leaves a NON-STRICT that does not rest on timing standing, however starved', () => {
    const { judgement } = discountStarvation({ ...judgementWith(breach('turns.done-reported-failed', 'Every turn was answered.')), overall: 'NON-STRICT' }, lagReportOf([900], 900, 900), 0.005, scenario);
    expect(judgement.axes.reconnect.verdict).toBe('NON-STRICT');
  });

  it('leaves a FAILED that does not rest on timing standing, however starved', () => {
    const lag = lagReportOf([900], 900, 900);
    const { judgement } = discountStarvation(judgementWith(breach('reconnect.after-4001', 'Reconnected after 4001.')), lag, 0.005, scenario);
    expect(judgement.axes.reconnect.verdict).toBe('FAILED');
    expect(judgement.overall).toBe('FAILED');
  });
});

describe('discountStarvation with the lag placed in the run', () => {
  // At scale 0.005: a probe 200 real ms late at protocol 100 s covers the 41 protocol s before it (200 + 5 ms of probe period).
  const spikeAt100s: LagTimeline = { timeScale: 0.005, late: [[100_000, 200], [300_000, 2]] };
  const run = lagReportOf([200, 2], 200, 2);

  it('lets a FAILED stand when the only stall lies outside its evidence window, widened by the tolerance', () => {
    const verdict = breach('expiry.waited-for-server', 'Waited.', { fromMs: 200_000, toMs: 260_000 });
    const { judgement, starvation } = discountStarvation(judgementWith(ok('x'), verdict), run, 0.005, scenario, spikeAt100s);
    expect(judgement.axes.expiry.verdict).toBe('FAILED');
    expect(starvation).toBeNull();
  });

  it('overturns it when the stall overlaps the window, naming the window and the lag found there', () => {
    const verdict = breach('expiry.waited-for-server', 'Waited.', { fromMs: 80_000, toMs: 140_000 });
    const { judgement, starvation } = discountStarvation(judgementWith(ok('x'), verdict), run, 0.005, scenario, spikeAt100s);
    expect(judgement.axes.expiry.verdict).toBe('UNKNOWN');
    expect(judgement.axes.expiry.reason).toContain('lagged up to 205 real ms between 80.0 s and 140.0 s, where this verdict');
    expect(starvation?.lagMs).toBe(205);
  });

  it('counts the run\'s worst for a rule that does not locate its evidence', () => {
    const verdict = breach('turns.not-completed', 'Not completed.');
    const { judgement } = discountStarvation({ overall: 'FAILED', axes: { context: ok('x'), turns: verdict, reconnect: ok('x'), expiry: ok('x'), protocol: ok('x'), secrets: ok('x') } }, run, 0.005, scenario, spikeAt100s);
    expect(judgement.axes.turns.verdict).toBe('UNKNOWN');
  });
});

describe('lagWithin', () => {
  const timeline: LagTimeline = { timeScale: 0.01, late: [[10_000, 50], [20_000, 3]] };
  it('takes a stall that began inside the window though the probe saw it after, plus the probe period', () => {
    // 50 ms late at 10 s covers (50 + 5) / 0.01 = 5.5 protocol s before: from 4.5 s.
    expect(lagWithin(timeline, { fromMs: 0, toMs: 5_000 }, 0)).toBe(55);
    expect(lagWithin(timeline, { fromMs: 0, toMs: 4_000 }, 0)).toBe(5);
    expect(lagWithin(timeline, { fromMs: 12_000, toMs: 30_000 }, 0)).toBe(8);
    expect(lagWithin(timeline, { fromMs: 12_000, toMs: 30_000 }, 3_000)).toBe(55);
  });
});

describe('safeScale', () => {
  it('is the smallest 1-2-5 step at which the lag fits the tolerance, never below the floor', () => {
    expect(safeScale(1, 250)).toBe(0.005);
    expect(safeScale(10, 250)).toBe(0.05);
    expect(safeScale(120, 2000)).toBe(0.1);
    expect(safeScale(30, 2000)).toBe(0.02);
  });
});
