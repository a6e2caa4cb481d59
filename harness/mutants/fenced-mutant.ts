/**
 * A fence around an in-process mutant in virtual time. A mutant that never ends (a hang is
 * what several of them are for) is abandoned when its run's fake clock goes; but a socket
 * event delivered afterwards still reaches it, and it would go on — reconnecting on real
 * timers, into the mock server of whatever run comes next, and corrupt that run's journal.
 * Fenced, it can do nothing once its own virtual run is over: its timers never fire, it can
 * open no socket and make no request.
 *
 * The fence is the run's fake `Date`: fake-timers installs a new one per run and takes it away
 * at the end, so "the global Date is still the one I started with" is exactly "my run is on".
 * In network mode nothing is fenced: each run has a server of its own, closed at its end.
 */
import type { Clock, TimerHandle } from '../../protocol/clock.ts';
import { globalClock } from '../../protocol/clock.ts';
import type { SimulatorOptions, WebSocketCtor } from '../../simulator/prospect-simulator.ts';
import { virtualTimeActive } from '../run/virtual-time.ts';
import type { Mutant } from './gallery.ts';

export class RunOverError extends Error {
  readonly code = 'RUN_OVER';
  constructor() {
    super('this virtual-time run is over');
    this.name = 'RunOverError';
  }
}

/** The options with clock, WebSocket and fetch dead once the current virtual run is over. */
export function fenceOptions(options: SimulatorOptions): SimulatorOptions {
  if (!virtualTimeActive()) return options;
  const runDate = globalThis.Date;
  const over = (): boolean => globalThis.Date !== runDate || !virtualTimeActive();
  const clock: Clock = options.clock ?? globalClock;
  const fencedClock: Clock = {
    now: () => clock.now(),
    setTimeout: (fn, ms) => (over() ? ({} as TimerHandle) : clock.setTimeout(() => { if (!over()) fn(); }, ms)),
    clearTimeout: (handle) => {
      if (!over()) clock.clearTimeout(handle);
    },
  };
  const fenced: SimulatorOptions = { ...options, clock: fencedClock };
  const Base = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketCtor }).WebSocket;
  if (Base) {
    fenced.WebSocket = function FencedWebSocket(url: string) {
      if (over()) throw new RunOverError();
      return new Base(url);
    } as unknown as WebSocketCtor;
  }
  const fetchFn = options.fetch ?? globalThis.fetch;
  if (fetchFn) fenced.fetch = ((...args: Parameters<typeof fetch>) => (over() ? Promise.reject(new RunOverError()) : fetchFn(...args))) as typeof fetch;
  if (options.logger) {
    const logger = options.logger;
    fenced.logger = (line) => {
      if (!over()) logger(line);
    };
  }
  return fenced;
}

/** The same mutant, fenced. */
export function fenced(mutant: Mutant): Mutant {
  return { ...mutant, create: (options) => mutant.create(fenceOptions(options)) };
}
