/**
 * Protocol time (spec §8). Everything that waits takes a Clock, so the same code runs on
 * a virtual clock, on the wall clock, or on the wall clock scaled down.
 * All values are protocol milliseconds.
 */
export type TimerHandle = { readonly __timer: unique symbol } | object;

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/**
 * The global timers, looked up at call time rather than captured at import time, so that
 * fake timers installed later (vitest, @sinonjs/fake-timers) drive code that uses this clock.
 */
export const globalClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, Math.max(0, ms)) as unknown as TimerHandle,
  clearTimeout: (handle) => globalThis.clearTimeout(handle as Parameters<typeof globalThis.clearTimeout>[0]),
};

/**
 * Protocol time running `1 / scale` times faster than the base clock: with scale 0.01, one
 * protocol second lasts 10 real milliseconds. `now()` starts at 0 when the clock is made.
 */
export function scaledClock(scale: number, base: Clock = globalClock): Clock {
  if (!(scale > 0)) throw new RangeError(`time scale must be > 0, got ${scale}`);
  const origin = base.now();
  return {
    now: () => (base.now() - origin) / scale,
    setTimeout: (fn, ms) => base.setTimeout(fn, ms * scale),
    clearTimeout: (handle) => base.clearTimeout(handle),
  };
}

/** A clock whose `now()` starts at 0 when made; timers unchanged. */
export function relativeClock(base: Clock = globalClock): Clock {
  return scaledClock(1, base);
}

export const seconds = (s: number): number => s * 1000;
