/**
 * A fence around an in-process client's run: the reference, at any pace, and every mutant. A
 * client the harness abandons (a hang is what several mutants are for, and any run can end at
 * the scenario's limit) can still get a socket event afterwards — the run's server disposing
 * of its connections — and go on: in virtual time reconnecting on real timers into the mock
 * server of whatever run comes next, corrupting that run's journal (a pace-detection run of
 * `t9-no-half-open-detection` on `toxic-timeout` did, and changed another run's verdict with
 * the machine's load); over the network keeping timers alive that hold the harness's process
 * open. Fenced, it can do nothing once its run is over: its timers never fire, it opens no
 * socket and makes no request.
 *
 * A run is over when its result is in, or the harness stopped waiting (the wall limit, over
 * the network); in virtual time also as soon as the run's fake `Date` is gone — fake-timers
 * installs a new one per run and takes it away at the end.
 */
import type { Clock, TimerHandle } from '../../protocol/clock.ts';
import { globalClock } from '../../protocol/clock.ts';
import type { SimulatorOptions, WebSocketCtor } from '../../simulator/index.ts';
import { virtualTimeActive } from '../sandbox/virtual-time.ts';
import { RunOverError } from '../errors.ts';
import type { SutRunContext, SutRunOutcome } from './system-under-test.ts';

export class Fence {
  private closed = false;
  private readonly runDate: DateConstructor | null;

  constructor() {
    this.runDate = virtualTimeActive() ? globalThis.Date : null;
  }

  get over(): boolean {
    if (!this.closed && this.runDate !== null && (globalThis.Date !== this.runDate || !virtualTimeActive())) this.closed = true;
    return this.closed;
  }

  close(): void {
    this.closed = true;
  }

  /**
   * Runs one run of `ctx` behind a new fence: `run` gets it to fence what it builds; the
   * fence closes when the run is over, when the harness aborts the run's stop signal (the end
   * of a virtual run, before its server goes; a hang over the network), and over the network
   * also at the wall limit, for callers that pass no signal.
   */
  static async around(ctx: SutRunContext, run: (fence: Fence) => Promise<SutRunOutcome>): Promise<SutRunOutcome> {
    const fence = new Fence();
    const close = (): void => fence.close();
    if (ctx.stop?.aborted) fence.close();
    else ctx.stop?.addEventListener('abort', close, { once: true });
    const limit = ctx.mode === 'network' ? setTimeout(close, ctx.wallLimitMs) : null;
    limit?.unref();
    try {
      return await run(fence);
    } finally {
      if (limit) clearTimeout(limit);
      ctx.stop?.removeEventListener('abort', close);
      fence.close();
    }
  }

  /** `clock`, whose timers never fire once the run is over. */
  clock(clock: Clock): Clock {
    return {
      now: () => clock.now(),
      setTimeout: (fn, ms) => (this.over ? ({} as TimerHandle) : clock.setTimeout(() => { if (!this.over) fn(); }, ms)),
      clearTimeout: (handle) => {
        if (!this.over) clock.clearTimeout(handle);
      },
    };
  }

  /** `logger`, silent once the run is over. */
  logger(logger: ((line: string) => void) | undefined): ((line: string) => void) | undefined {
    if (!logger) return undefined;
    return (line) => {
      if (!this.over) logger(line);
    };
  }

  /** The options with clock, WebSocket, fetch and logger dead once the run is over. */
  apply(options: SimulatorOptions): SimulatorOptions {
    const fenced: SimulatorOptions = { ...options, clock: this.clock(options.clock ?? globalClock) };
    const Base = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketCtor }).WebSocket;
    if (Base) {
      const fence = this;
      fenced.WebSocket = function FencedWebSocket(url: string) {
        if (fence.over) throw new RunOverError();
        return new Base(url);
      } as unknown as WebSocketCtor;
    }
    const fetchFn = options.fetch ?? globalThis.fetch;
    if (fetchFn) fenced.fetch = ((...args: Parameters<typeof fetch>) => (this.over ? Promise.reject(new RunOverError()) : fetchFn(...args))) as typeof fetch;
    const logger = this.logger(options.logger);
    if (logger) fenced.logger = logger;
    return fenced;
  }
}
