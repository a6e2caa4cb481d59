import { describe, expect, it, vi } from 'vitest';
import type { Clock } from '../../protocol/clock.ts';
import type { SimulatorOptions, WebSocketCtor } from '../../simulator/index.ts';
import { runInVirtualTime } from '../sandbox/virtual-time.ts';
import { RunOverError } from '../errors.ts';
import { Fence } from './run-fence.ts';

const fenceOptions = (o: SimulatorOptions): SimulatorOptions => new Fence().apply(o);

function options(): { options: SimulatorOptions; fired: Array<() => void>; clock: Clock; sockets: string[]; logged: string[]; fetched: number } {
  const fired: Array<() => void> = [];
  const sockets: string[] = [];
  const logged: string[] = [];
  const state = { fetched: 0 };
  const clock: Clock = { now: () => 0, setTimeout: vi.fn((fn: () => void) => { fired.push(fn); return {}; }), clearTimeout: vi.fn() };
  const WebSocket = function (url: string) { sockets.push(url); return {}; } as unknown as WebSocketCtor;
  const fetch = (async () => { state.fetched++; return new Response('{}'); }) as typeof globalThis.fetch;
  return {
    options: { httpUrl: 'http://h', wsUrl: 'ws://h', shareToken: 'share_x', maxTurns: 1, seed: 1, clock, WebSocket, fetch, logger: (l) => logged.push(l) },
    fired, clock, sockets, logged, get fetched() { return state.fetched; },
  };
}

describe('fenceOptions', () => {
  it('outside virtual time, is over only once closed (the run\'s result, or the harness\'s wall limit)', () => {
    const o = options();
    const fence = new Fence();
    const fenced = fence.apply(o.options);
    fenced.clock!.setTimeout(() => undefined, 10);
    new fenced.WebSocket!('ws://h/open');
    expect(o.sockets).toEqual(['ws://h/open']);
    fence.close();
    expect(() => new fenced.WebSocket!('ws://h/closed')).toThrow(RunOverError);
    fenced.clock!.setTimeout(() => undefined, 10);
    expect(o.clock.setTimeout).toHaveBeenCalledTimes(1);
  });

  it('lets the mutant act during its virtual run and leaves it inert afterwards', async () => {
    const o = options();
    let fenced: SimulatorOptions | null = null;
    const calls: string[] = [];
    const outcome = await runInVirtualTime(async () => {
      fenced = fenceOptions(o.options);
      fenced.clock!.setTimeout(() => calls.push('during'), 10);
      o.fired.shift()!();
      new fenced.WebSocket!('ws://h/during');
      await fenced.fetch!('http://h');
      fenced.logger!('during');
      // Scheduled now, due after the run is over.
      fenced.clock!.setTimeout(() => calls.push('late'), 10);
    }, { limitMs: 1000 });
    expect(outcome.state).toBe('settled');
    const f = fenced! as SimulatorOptions;
    expect(calls).toEqual(['during']);
    expect(o.sockets).toEqual(['ws://h/during']);
    expect(o.fetched).toBe(1);
    expect(o.logged).toEqual(['during']);

    // The run is over: a timer due now does nothing, new ones are not even scheduled.
    o.fired.shift()!();
    expect(calls).toEqual(['during']);
    const scheduled = (o.clock.setTimeout as ReturnType<typeof vi.fn>).mock.calls.length;
    f.clock!.setTimeout(() => calls.push('after'), 0);
    expect((o.clock.setTimeout as ReturnType<typeof vi.fn>).mock.calls.length).toBe(scheduled);
    expect(() => new f.WebSocket!('ws://h/after')).toThrow(RunOverError);
    await expect(f.fetch!('http://h')).rejects.toThrow(RunOverError);
    f.logger!('after');
    expect(o.logged).toEqual(['during']);
    expect(o.sockets).toEqual(['ws://h/during']);
  });

  it('is over as soon as another virtual run has started', async () => {
    const o = options();
    let fenced: SimulatorOptions | null = null;
    await runInVirtualTime(async () => {
      fenced = fenceOptions(o.options);
    }, { limitMs: 1000 });
    const next = await runInVirtualTime(async () => {
      new (fenced as SimulatorOptions).WebSocket!('ws://h/next-run');
    }, { limitMs: 1000 });
    expect(next).toMatchObject({ state: 'rejected', error: expect.any(RunOverError) });
    expect(o.sockets).toEqual([]);
  });
});
