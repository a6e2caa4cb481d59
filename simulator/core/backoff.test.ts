import { describe, expect, it } from 'vitest';
import { createRng } from '../../protocol/rng.ts';
import { backoffDelayMs, nominalBackoffMs } from './backoff.ts';

const policy = { baseDelayMs: 2000, maxDelayMs: 30000, jitter: 0.2 };

describe('backoff', () => {
  it('makes the first attempt of an outage immediately', () => {
    expect(nominalBackoffMs(1, policy)).toBe(0);
    expect(backoffDelayMs(1, policy, createRng(1))).toBe(0);
  });

  it('doubles from the base delay for each further attempt', () => {
    expect([2, 3, 4, 5].map((n) => nominalBackoffMs(n, policy))).toEqual([2000, 4000, 8000, 16000]);
  });

  it('never exceeds the maximum, not even with jitter or huge attempt numbers', () => {
    const rng = createRng(5);
    expect(nominalBackoffMs(6, policy)).toBe(30000);
    expect(nominalBackoffMs(5000, policy)).toBe(30000);
    for (let i = 0; i < 200; i++) expect(backoffDelayMs(7, policy, rng)).toBeLessThanOrEqual(30000);
  });

  it('spreads each delay within ±jitter of the nominal value, and actually spreads it', () => {
    const rng = createRng(11);
    const draws = Array.from({ length: 300 }, () => backoffDelayMs(3, policy, rng));
    for (const d of draws) {
      expect(d).toBeGreaterThanOrEqual(3200);
      expect(d).toBeLessThanOrEqual(4800);
    }
    expect(Math.min(...draws)).toBeLessThan(3500);
    expect(Math.max(...draws)).toBeGreaterThan(4500);
  });

  it('keeps growing between consecutive attempts despite jitter', () => {
    const rng = createRng(3);
    for (let i = 0; i < 100; i++) {
      expect(backoffDelayMs(3, policy, rng)).toBeGreaterThan(backoffDelayMs(2, policy, rng));
    }
  });

  it('is reproducible from the seed', () => {
    const a = createRng(99);
    const b = createRng(99);
    const seqA = [2, 3, 4, 2, 3].map((n) => backoffDelayMs(n, policy, a));
    const seqB = [2, 3, 4, 2, 3].map((n) => backoffDelayMs(n, policy, b));
    expect(seqB).toEqual(seqA);
  });

  it('without jitter is exactly the nominal delay', () => {
    expect(backoffDelayMs(4, { ...policy, jitter: 0 }, createRng(1))).toBe(8000);
  });

  it('refuses attempt numbers below 1', () => {
    expect(() => nominalBackoffMs(0, policy)).toThrow(RangeError);
  });
});
