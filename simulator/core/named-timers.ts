/**
 * The simulator's pending waits, by name, on the injected clock. One name holds at most one timer,
 * so re-arming a wait can never leave a stale duplicate behind, and `clearAll` at the end of a run
 * guarantees nothing fires afterwards.
 */
import type { Clock, TimerHandle } from '../../protocol/clock.ts';

/** Node fires longer timers at once (32-bit overflow); no wait of the simulator is meant to be that long. */
const MAX_TIMER_MS = 2_147_483_647;

export type TimerName = 'http' | 'think' | 'reconnect' | 'inactivity' | 'resume-confirm' | 'rotation' | 'boundary-hold' | 'end';

export class NamedTimers {
  private readonly timers = new Map<TimerName, TimerHandle>();

  constructor(private readonly clock: Clock) {}

  set(name: TimerName, ms: number, fn: () => void): void {
    this.clear(name);
    const handle = this.clock.setTimeout(() => {
      if (this.timers.get(name) !== handle) return;
      this.timers.delete(name);
      fn();
    }, Math.min(MAX_TIMER_MS, Math.max(0, ms)));
    this.timers.set(name, handle);
  }

  clear(name: TimerName): void {
    const handle = this.timers.get(name);
    if (handle === undefined) return;
    this.timers.delete(name);
    this.clock.clearTimeout(handle);
  }

  has(name: TimerName): boolean {
    return this.timers.has(name);
  }

  clearAll(): void {
    for (const name of [...this.timers.keys()]) this.clear(name);
  }
}
