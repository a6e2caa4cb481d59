/**
 * The expected duration of a scenario never exceeds its own limit: a fault rule that fires every
 * few seconds without cutting anything (heartbeats) is no string of outages.
 */
import { describe, expect, it } from 'vitest';
import { expectedDurationS, OUTAGE_ALLOWANCE_S } from './expected-duration.ts';
import { loadCatalog } from './loader.ts';

describe('expectedDurationS', () => {
  const catalog = loadCatalog().map((l) => l.scenario);

  it('is at most the scenario\'s limit for every catalog scenario', () => {
    const over = catalog.filter((s) => expectedDurationS(s) > s.limit).map((s) => `${s.id}: ${expectedDurationS(s)} s > ${s.limit} s`);
    expect(over).toEqual([]);
  });

  it('caps the heartbeats of handshake-hangs.frames-while-hung at its 600 s limit, where their firings alone would count as outages', () => {
    const hung = catalog.find((s) => s.id === 'handshake-hangs.frames-while-hung')!;
    const firings = hung.server.faults.reduce((sum, rule) => sum + Math.min(rule.times, 'every' in rule.when ? rule.when.count : 3), 0);
    expect(firings * OUTAGE_ALLOWANCE_S).toBeGreaterThan(hung.limit);
    expect(expectedDurationS(hung)).toBe(hung.limit);
  });

  it('leaves a scenario well inside its limit as worked out', () => {
    const session = catalog.find((s) => s.id === 'two-hour-session')!;
    expect(expectedDurationS(session)).toBeLessThan(session.limit);
    expect(expectedDurationS(session)).toBeGreaterThan(7200);
  });
});
