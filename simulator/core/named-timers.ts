/**
 * The simulator's pending waits, by name, on the injected clock. One name holds at most one timer,
 * so re-arming a wait can never leave a stale duplicate behind, and `clearAll` at the end of a run
 * guarantees nothing fires afterwards.
 */
import type { Clock, TimerHandle } from '../../protocol/clock.ts';

/** Node fires longer timers at once (32-bit overflow); no wait of the simulator is meant to be that long. */
const MAX_TIMER_MS = 2_147_483_647;

export type TimerName = 'http' | 'think' | 'reconnect' | 'inactivity' | 'resume-confirm' | 'rotation' | 'boundary-hold' | 'end';

interface Pending {
  handle: TimerHandle | null;
  /** When the clock timer behind `handle` is due (protocol ms). */
  readonly due: number;
  /** When `fn` is due: later than `due` once the wait was postponed. */
  deadline: number;
  fn: () => void;
}

const clamp = (ms: number): number => Math.min(MAX_TIMER_MS, Math.max(0, ms));

export class NamedTimers {
  private readonly timers = new Map<TimerName, Pending>();

  constructor(private readonly clock: Clock) {}

  set(name: TimerName, ms: number, fn: () => void): void {
    this.clear(name);
    const wait = clamp(ms);
    const due = this.clock.now() + wait;
    this.arm(name, wait, due, fn);
  }

  /**
   * `set`, for a wait that is pushed back again and again (the silence watch, re-armed by every
   * frame: T9): a pending wait of this name that would end no later is given the new deadline
   * and `fn` instead of a new clock timer; when its timer comes due before the deadline, it
   * waits out the rest. `fn` runs at the same protocol moment as after a `set` (the deadline),
   * with one clock timer per postponement that outlives the old deadline instead of a
   * clearTimeout and a setTimeout per frame. A deadline earlier than the pending one re-arms.
   */
  postpone(name: TimerName, ms: number, fn: () => void): void {
    const pending = this.timers.get(name);
    if (pending !== undefined) {
      const deadline = this.clock.now() + clamp(ms);
      if (deadline >= pending.due) {
        pending.deadline = deadline;
        pending.fn = fn;
        return;
      }
    }
    this.set(name, ms, fn);
  }

  private arm(name: TimerName, wait: number, due: number, fn: () => void): void {
    const pending: Pending = { handle: null, due, deadline: due, fn };
    pending.handle = this.clock.setTimeout(() => {
      if (this.timers.get(name) !== pending) return;
      const now = this.clock.now();
      if (pending.deadline > pending.due && now < pending.deadline) {
        // Postponed since armed: the rest of the wait, due at the deadline itself.
        this.arm(name, pending.deadline - now, pending.deadline, pending.fn);
        return;
      }
      this.timers.delete(name);
      pending.fn();
    }, wait);
    this.timers.set(name, pending);
  }

  clear(name: TimerName): void {
    const pending = this.timers.get(name);
    if (pending === undefined) return;
    this.timers.delete(name);
    if (pending.handle !== null) this.clock.clearTimeout(pending.handle);
  }

  has(name: TimerName): boolean {
    return this.timers.has(name);
  }

  clearAll(): void {
    for (const name of [...this.timers.keys()]) this.clear(name);
  }
}
