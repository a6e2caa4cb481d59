/**
 * Virtual time for a whole run: the global timers and Date are faked, so any code that
 * uses them — the mock server, the reference simulator, a module under test — runs on one
 * timeline that the driver advances from deadline to deadline. msw's WebSocket transport
 * is microtask-only, so nothing real happens between deadlines and a run is deterministic.
 */
import * as FakeTimers from '@sinonjs/fake-timers';
import { HarnessError } from '../errors.ts';

type InstalledClock = ReturnType<typeof FakeTimers.install>;

// Captured before any fake is installed: the driver's own way to let real work settle.
const realSetImmediate = globalThis.setImmediate;
const realSetTimeout = globalThis.setTimeout;
const realNow = (): number => performance.now();

export type VirtualOutcome<T> =
  | { readonly state: 'settled'; readonly value: T; readonly virtualMs: number }
  | { readonly state: 'rejected'; readonly error: unknown; readonly virtualMs: number }
  | { readonly state: 'deadlock'; readonly virtualMs: number }
  | { readonly state: 'time-limit'; readonly virtualMs: number }
  | { readonly state: 'step-limit'; readonly virtualMs: number; readonly steps: number }
  | { readonly state: 'wall-limit'; readonly virtualMs: number };

/**
 * Timer firings after which a virtual run is stopped. A client that never finishes inside
 * its protocol limit can still take minutes of real time to get there (a reconnect loop that
 * opens a connection every two protocol seconds pays a real handshake each time); stopping
 * it on a real-time budget made its report depend on the machine's load. Firings are
 * counted, not timed, so the same seed stops at the same firing on any machine. The
 * reference's longest catalog run (two-hour-session) fires under a thousand.
 */
export const DEFAULT_STEP_LIMIT = 10_000;

export interface VirtualRunOptions {
  /** Runs on the virtual clock after the run, before the fake timers go (disposing servers). */
  beforeUninstall?: () => void;
  /** Protocol ms after which the run is stopped. */
  limitMs: number;
  /** Timer firings after which the run is stopped (DEFAULT_STEP_LIMIT). */
  stepLimit?: number;
  /** Real ms after which the run is stopped: a backstop only, for real work that never ends. */
  wallLimitMs?: number;
}

const TO_FAKE = ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'Date'] as const;

let active: InstalledClock | null = null;

/** Whether a virtual run is in progress (fake timers are process-wide: one at a time). */
export const virtualTimeActive = (): boolean => active !== null;

async function settleRealWork(rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => realSetImmediate(resolve));
}

export async function runInVirtualTime<T>(start: () => Promise<T>, options: VirtualRunOptions): Promise<VirtualOutcome<T>> {
  if (active) throw new HarnessError('SANDBOX_BUSY', 'a virtual-time run is already in progress');
  const clock = FakeTimers.install({ now: 0, toFake: [...TO_FAKE], loopLimit: 100_000 });
  active = clock;
  const wallStart = realNow();
  const wallLimit = options.wallLimitMs ?? 300_000;
  const stepLimit = options.stepLimit ?? DEFAULT_STEP_LIMIT;
  let steps = 0;
  type Finished = { state: 'settled'; value: T } | { state: 'rejected'; error: unknown };
  let outcome: Finished | null = null as Finished | null;
  try {
    start().then(
      (value) => { outcome = { state: 'settled', value }; },
      (error: unknown) => { outcome = { state: 'rejected', error }; },
    );
    for (;;) {
      await settleRealWork(1);
      const done: Finished | null = outcome;
      // A clock that jumped past the limit to a far timer did not finish in time, whatever came after.
      if (done !== null && clock.now > options.limitMs) return { state: 'time-limit', virtualMs: clock.now };
      if (done !== null) return done.state === 'settled' ? { state: 'settled', value: done.value, virtualMs: clock.now } : { state: 'rejected', error: done.error, virtualMs: clock.now };
      if (clock.now > options.limitMs) return { state: 'time-limit', virtualMs: clock.now };
      if (realNow() - wallStart > wallLimit) return { state: 'wall-limit', virtualMs: clock.now };
      if (clock.countTimers() === 0) {
        // Nothing scheduled and nothing settled: real I/O (a file being written) may still be
        // under way. Give it a bounded real moment, then call it a deadlock.
        for (let i = 0; i < 200 && outcome === null && clock.countTimers() === 0; i++) {
          // Poll the event loop first (a file write completes within a few turns), then back off.
          await new Promise<void>((resolve) => (i < 100 ? realSetImmediate(resolve) : realSetTimeout(resolve, 2)));
        }
        if (outcome !== null) continue;
        if (clock.countTimers() === 0) return { state: 'deadlock', virtualMs: clock.now };
      }
      if (steps >= stepLimit) return { state: 'step-limit', virtualMs: clock.now, steps };
      steps++;
      await clock.nextAsync();
    }
  } finally {
    try {
      options.beforeUninstall?.();
    } finally {
      clock.uninstall();
    }
    active = null;
  }
}
