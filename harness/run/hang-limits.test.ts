/**
 * The no-progress watch: quiet means nothing new for the whole limit; a starved harness (a late
 * poll) does not count its own gap as the client's silence. Time is a fake clock driven by hand.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadCatalog } from '../scenario/loader.ts';
import { expectedDurationS, WALL_LIMIT_FACTOR } from '../scenario/expected-duration.ts';
import { networkWallLimitMs, quietWallMs, watchForNoProgress } from './hang-limits.ts';

describe('watchForNoProgress', () => {
  beforeEach(() => { vi.useFakeTimers(); });
  afterEach(() => { vi.useRealTimers(); });

  it('says the client hangs once nothing happened for the quiet limit, and not before', async () => {
    let events = 1;
    const watch = watchForNoProgress(() => events, 2000, () => Date.now());
    let said: string | null = null;
    void watch.stalled.then((why) => { said = why; });
    await vi.advanceTimersByTimeAsync(1500);
    events = 2; // progress: the count starts again
    await vi.advanceTimersByTimeAsync(1900);
    expect(said).toBeNull();
    await vi.advanceTimersByTimeAsync(200);
    expect(said).toMatch(/nothing happened on the server for 2\.0 s of real time .*the client hangs/);
  });

  it('does not count a gap the harness itself was starved through', async () => {
    let now = 0;
    const watch = watchForNoProgress(() => 1, 2000, () => now);
    let said: string | null = null;
    void watch.stalled.then((why) => { said = why; });
    // Each poll comes 1.5 s late, as on a starved event loop: no quiet period is ever counted.
    for (let i = 0; i < 10; i++) { now += 1600; await vi.advanceTimersByTimeAsync(100); }
    expect(said).toBeNull();
    watch.stop();
  });

  it('gives a client longer to make first contact (a process starting on a loaded machine), then says so', async () => {
    const watch = watchForNoProgress(() => 0, 2000, () => Date.now(), 8000);
    let said: string | null = null;
    void watch.stalled.then((why) => { said = why; });
    await vi.advanceTimersByTimeAsync(7900);
    expect(said).toBeNull();
    await vi.advanceTimersByTimeAsync(200);
    expect(said).toMatch(/the client made no contact with the server in 8\.0 s of real time: it hangs/);
  });
});

describe('the network limits', () => {
  const catalog = loadCatalog().map((l) => l.scenario);

  it('a quiet limit of at least 2 s, 120 protocol s', () => {
    expect(quietWallMs(0.005)).toBe(2000);
    expect(quietWallMs(0.05)).toBe(6000);
  });

  it('a wall limit of twice the expected duration, scaled, plus the slack — never more than the scenario\'s own limit', () => {
    for (const s of catalog) {
      expect(networkWallLimitMs(s, 0.005, 0)).toBe(Math.min(s.limit, WALL_LIMIT_FACTOR * expectedDurationS(s)) * 1000 * 0.005);
    }
    const goaway = catalog.find((s) => s.id === 'goaway')!;
    expect(networkWallLimitMs(goaway, 0.005)).toBeLessThan(goaway.limit * 1000 * 0.005);
  });
});
