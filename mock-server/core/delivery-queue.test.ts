import { describe, expect, it } from 'vitest';
import type { Clock, TimerHandle } from '../../protocol/clock.ts';
import { DeliveryQueue } from './delivery-queue.ts';
import { TimerGroup } from './timers.ts';

/** A clock whose timers due at the same moment fire last-set-first, as separate real timers may. */
function perverseClock(): Clock & { advance(to: number): void } {
  let now = 0;
  let id = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout: (fn, ms) => { timers.set(++id, { at: now + ms, fn }); return { id } as unknown as TimerHandle; },
    clearTimeout: (h) => { timers.delete((h as unknown as { id: number }).id); },
    advance(to) {
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= to).sort((a, b) => a[1].at - b[1].at || b[0] - a[0]);
        if (due.length === 0) break;
        const [key, t] = due[0]!;
        timers.delete(key);
        now = t.at;
        t.fn();
      }
      now = to;
    },
  };
}

describe('DeliveryQueue', () => {
  it('delivers in due-time order, and in queue order for equal due times, whatever order the timers fire in', () => {
    const clock = perverseClock();
    const queue = new DeliveryQueue(() => clock.now(), new TimerGroup(clock));
    const seen: string[] = [];
    queue.push(100, () => seen.push('final transcript'));
    queue.push(100, () => seen.push('handle'));
    queue.push(50, () => seen.push('early'));
    queue.push(100, () => seen.push('close'));
    clock.advance(99);
    expect(seen).toEqual(['early']);
    clock.advance(100);
    expect(seen).toEqual(['early', 'final transcript', 'handle', 'close']);
  });

  it('stops delivering once its timers are disposed', () => {
    const clock = perverseClock();
    const timers = new TimerGroup(clock);
    const queue = new DeliveryQueue(() => clock.now(), timers);
    const seen: string[] = [];
    queue.push(10, () => seen.push('a'));
    timers.dispose();
    clock.advance(20);
    expect(seen).toEqual([]);
  });
});
