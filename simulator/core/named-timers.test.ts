import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../protocol/testing/manual-clock.ts';
import { NamedTimers } from './named-timers.ts';

/** When (protocol ms) `fn` ran, for a schedule of re-arms at the given times, with `set` or `postpone`. */
function firings(how: 'set' | 'postpone', armsAt: readonly number[], waits: readonly number[], until: number): Array<[number, number]> {
  const clock = new ManualClock();
  const timers = new NamedTimers(clock);
  const fired: Array<[number, number]> = [];
  let t = 0;
  armsAt.forEach((at, i) => {
    clock.tick(at - t);
    t = at;
    timers[how]('inactivity', waits[i]!, () => fired.push([clock.now(), i]));
  });
  clock.tick(until - t);
  return fired;
}

describe('NamedTimers.postpone (the silence watch, T9)', () => {
  it('fires at the last deadline, once, with the last function', () => {
    const clock = new ManualClock();
    const timers = new NamedTimers(clock);
    const fired: string[] = [];
    timers.postpone('inactivity', 1000, () => fired.push(`a@${clock.now()}`));
    clock.tick(600);
    timers.postpone('inactivity', 1000, () => fired.push(`b@${clock.now()}`));
    clock.tick(999);
    expect(fired).toEqual([]);
    expect(timers.has('inactivity')).toBe(true);
    clock.tick(1);
    expect(fired).toEqual(['b@1600']);
    expect(timers.has('inactivity')).toBe(false);
    clock.tick(5000);
    expect(fired).toEqual(['b@1600']);
  });

  it('re-arms when the new deadline is earlier, and clear cancels a postponed wait', () => {
    const clock = new ManualClock();
    const timers = new NamedTimers(clock);
    const fired: number[] = [];
    timers.postpone('inactivity', 1000, () => fired.push(clock.now()));
    clock.tick(100);
    timers.postpone('inactivity', 200, () => fired.push(clock.now()));
    clock.tick(1000);
    expect(fired).toEqual([300]);
    timers.postpone('inactivity', 500, () => fired.push(-1));
    clock.tick(400);
    timers.postpone('inactivity', 500, () => fired.push(-2));
    clock.tick(200);
    timers.clear('inactivity');
    clock.tick(5000);
    expect(fired).toEqual([300]);
    expect(clock.pending()).toBe(0);
  });

  it('fires when and what set would have, for any schedule of re-arms', () => {
    const schedule = fc.array(fc.tuple(fc.nat({ max: 3000 }), fc.nat({ max: 2000 })), { minLength: 1, maxLength: 12 });
    fc.assert(fc.property(schedule, (arms) => {
      const sorted = [...arms].sort((a, b) => a[0] - b[0]);
      const at = sorted.map(([t]) => t);
      const waits = sorted.map(([, w]) => w);
      expect(firings('postpone', at, waits, 10_000)).toEqual(firings('set', at, waits, 10_000));
    }), { numRuns: 300 });
  });
});
