/** The reference Prospect Simulator as the system under test. */
import { WebSocket as WsWebSocket } from 'ws';
import { globalClock, scaledClock } from '../../protocol/clock.ts';
import { SutResult } from '../../protocol/sut-result.ts';
import { join } from 'node:path';
import { ProspectSimulator, type Pace, type SimulatorOptions } from '../../simulator/index.ts';
import { Fence } from './run-fence.ts';
import type { SutRunContext, SutRunOutcome, SystemUnderTest } from './system-under-test.ts';

export type SimulatorFactory = (options: SimulatorOptions) => { run(): Promise<unknown> };

/**
 * In virtual mode the simulator takes the process globals (msw-patched `WebSocket` and
 * `fetch`, faked timers); over the network, the `ws` client and a scaled clock. Every run is
 * fenced (run-fence.ts): the reference too, at every pace, since any run can end at the
 * scenario's limit with the client still reconnecting.
 */
export function simulatorSut(id: string, create: SimulatorFactory = (o) => new ProspectSimulator(o)): SystemUnderTest {
  return {
    id,
    kind: 'builtin',
    modes: ['virtual', 'network'],
    protocols: ['ai-voice'],
    async run(ctx: SutRunContext): Promise<SutRunOutcome> {
      const network = ctx.mode === 'network';
      const options: SimulatorOptions = {
        httpUrl: ctx.httpUrl,
        wsUrl: ctx.wsUrl,
        shareToken: ctx.shareToken,
        maxTurns: ctx.maxTurns,
        seed: ctx.seed,
        clock: network ? scaledClock(ctx.timeScale) : globalClock,
        WebSocket: (network ? WsWebSocket : globalThis.WebSocket) as unknown as NonNullable<SimulatorOptions['WebSocket']>,
        fetch: globalThis.fetch,
        logger: ctx.output,
        stateFile: join(ctx.workDir, 'post-mortem.json'),
      };
      return Fence.around(ctx, (fence) => outcomeOf(() => create(fence.apply(options)).run(), 'the simulator'));
    },
  };
}

/**
 * What an in-process reference client's run comes to: its result checked against
 * sut-contract §4 (its event log kept aside), or why there is none.
 */
export async function outcomeOf(run: () => Promise<unknown>, who: string): Promise<SutRunOutcome> {
  try {
    const { events, ...rest } = (await run()) as Record<string, unknown>;
    const parsed = SutResult.safeParse(rest);
    if (!parsed.success) return { report: { state: 'invalid', reason: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') }, extra: { events } };
    return { report: { state: 'reported', result: parsed.data }, extra: { events } };
  } catch (error) {
    return { report: { state: 'missing', reason: `${who} threw: ${(error as Error).message}` } };
  }
}

export const builtinSut = (): SystemUnderTest => simulatorSut('builtin');

/**
 * A simulator-based client (the reference, or a mutant's `create`) at another pace (simulator
 * core/pace.ts): how the catalog is checked to reach its faults whatever the client's pace.
 */
export function pacedSut(pace: Pace, id = 'builtin', create: SimulatorFactory = (o) => new ProspectSimulator(o)): SystemUnderTest {
  return simulatorSut(pace === 'natural' ? id : `${id}@${pace}`, (options) => create({ ...options, pace }));
}
