/**
 * The one manual clock of the tests: time moves only when the test says so, timers fire in
 * order (due time, then creation), and `advance` lets pending promise callbacks run between
 * timers, so socket-driven code is tested without sleeping. `tick` is the synchronous form,
 * for code that never awaits (the mock server's core).
 */
import type { Clock, TimerHandle } from '../clock.ts';

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
}

/** Lets already-resolved promise chains (fake fetch, async helpers) run to completion. */
export async function flushAsync(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export class ManualClock implements Clock {
  private current = 0;
  private nextId = 0;
  private timers: Timer[] = [];

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: Timer = { id: ++this.nextId, at: this.current + Math.max(0, Number.isFinite(ms) ? ms : 0), fn };
    this.timers.push(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t !== handle);
  }

  pending(): number {
    return this.timers.length;
  }

  private takeNext(limit: number): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers) if (t.at <= limit && (!best || t.at < best.at || (t.at === best.at && t.id < best.id))) best = t;
    if (best) this.timers = this.timers.filter((t) => t !== best);
    return best;
  }

  /** Moves time forward by `ms`, firing every timer due on the way, synchronously. */
  tick(ms: number): void {
    const target = this.current + ms;
    for (let timer = this.takeNext(target); timer; timer = this.takeNext(target)) {
      this.current = Math.max(this.current, timer.at);
      timer.fn();
    }
    this.current = target;
  }

  /** Moves time forward by `ms`, firing every timer due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    await flushAsync();
    for (let timer = this.takeNext(target); timer; timer = this.takeNext(target)) {
      this.current = Math.max(this.current, timer.at);
      timer.fn();
      await flushAsync();
    }
    this.current = target;
    await flushAsync();
  }

  /**
   * Fires timers in order until `done()` holds, no timer is left, or `limitMs` of virtual time
   * has passed. Returns whether `done()` held.
   */
  async runUntil(done: () => boolean, limitMs = 3_600_000): Promise<boolean> {
    const limit = this.current + limitMs;
    await flushAsync();
    while (!done()) {
      const timer = this.takeNext(limit);
      if (!timer) break;
      this.current = Math.max(this.current, timer.at);
      timer.fn();
      await flushAsync();
    }
    return done();
  }

  /** Runs until the promise settles (or time/timers run out) and returns its value. */
  async settle<T>(promise: Promise<T>, limitMs = 3_600_000): Promise<T> {
    let settled = false;
    let value: T | undefined;
    let failure: unknown;
    let failed = false;
    promise.then(
      (v) => {
        settled = true;
        value = v;
      },
      (e: unknown) => {
        settled = true;
        failed = true;
        failure = e;
      },
    );
    await this.runUntil(() => settled, limitMs);
    if (!settled && this.pending() === 0) {
      // Nothing left on virtual time: only real I/O (a file being written) can still be pending.
      await Promise.race([promise.catch(() => undefined), new Promise<void>((resolve) => setTimeout(resolve, 5_000).unref())]);
    }
    if (!settled) throw new Error(`promise still pending after ${limitMs} ms of virtual time (${this.pending()} timers left)`);
    if (failed) throw failure;
    return value as T;
  }
}
