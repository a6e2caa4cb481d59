/**
 * The reference Gemini Live client (simulator/gemini/) and its mutants as systems under test,
 * for `--protocol gemini-live`. In virtual mode the client uses the SDK's web build, whose
 * WebSocket is the msw-patched global, on the faked timers; over the network, the SDK's node
 * build (the `ws` package) and a scaled clock.
 */
import { globalClock, scaledClock } from '../../protocol/clock.ts';
import { GeminiProspect, type GeminiMutant, type GeminiProspectOptions } from '../../simulator/index.ts';
import { outcomeOf } from './builtin-sut.ts';
import { Fence } from './fenced-mutant.ts';
import type { SutRunContext, SutRunOutcome, SystemUnderTest } from './system-under-test.ts';

type GeminiFactory = (options: GeminiProspectOptions) => { run(): Promise<unknown> };

function geminiClientSut(id: string, create: GeminiFactory): SystemUnderTest {
  return {
    id,
    kind: 'builtin',
    modes: ['virtual', 'network'],
    protocols: ['gemini-live'],
    async run(ctx: SutRunContext): Promise<SutRunOutcome> {
      const network = ctx.mode === 'network';
      const options: GeminiProspectOptions = {
        baseUrl: ctx.httpUrl,
        apiKey: ctx.shareToken,
        maxTurns: ctx.maxTurns,
        seed: ctx.seed,
        clock: network ? scaledClock(ctx.timeScale) : globalClock,
        sdk: network ? 'node' : 'web',
        logger: ctx.output,
      };
      return outcomeOf(() => create(options).run(), 'the Gemini client');
    },
  };
}

export const geminiBuiltinSut = (): SystemUnderTest => geminiClientSut('builtin', (o) => new GeminiProspect(o));

/**
 * A Gemini mutant, fenced on its clock and logger once its run is over (fenced-mutant.ts); its
 * sockets belong to the SDK, and die with the run's mock server.
 */
export function geminiMutantSut(mutant: GeminiMutant): SystemUnderTest {
  const id = `mutant:${mutant.id}`;
  return {
    ...geminiClientSut(id, (o) => mutant.create(o)),
    run: (ctx) => Fence.around(ctx, (fence) => geminiClientSut(id, (options) => mutant.create({ ...options, clock: fence.clock(options.clock ?? globalClock), logger: fence.logger(options.logger) })).run(ctx)),
  };
}
