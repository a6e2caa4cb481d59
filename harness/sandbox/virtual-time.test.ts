import { describe, expect, it } from 'vitest';
import { runInVirtualTime } from './virtual-time.ts';

/** A client that never finishes: it re-arms a timer forever, 100 protocol ms apart. */
function endlessPoller(fired: number[]): Promise<never> {
  const tick = (): void => {
    fired.push(Date.now());
    setTimeout(tick, 100);
  };
  setTimeout(tick, 100);
  return new Promise<never>(() => {});
}

describe('runInVirtualTime stops a run that never ends by counting, not by the wall clock', () => {
  it('stops at exactly the step limit, at the same protocol time on every run', async () => {
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const fired: number[] = [];
      const outcome = await runInVirtualTime(() => endlessPoller(fired), { limitMs: 10 ** 9, stepLimit: 250 });
      runs.push({ outcome, fired: fired.length });
    }
    expect(runs[0]).toEqual({ outcome: { state: 'step-limit', steps: 250, virtualMs: 25_000 }, fired: 250 });
    expect(runs[1]).toEqual(runs[0]);
  });

  it('the protocol limit still wins when it comes first', async () => {
    const outcome = await runInVirtualTime(() => endlessPoller([]), { limitMs: 1_000, stepLimit: 250 });
    expect(outcome).toEqual({ state: 'time-limit', virtualMs: 1_100 });
  });

  it('a run that finishes in fewer firings is not affected', async () => {
    const outcome = await runInVirtualTime(() => new Promise<string>((resolve) => setTimeout(() => resolve('done'), 5_000)), { limitMs: 10_000 });
    expect(outcome).toEqual({ state: 'settled', value: 'done', virtualMs: 5_000 });
  });
});
