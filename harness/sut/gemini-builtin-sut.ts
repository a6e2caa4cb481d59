/**
 * The reference Gemini Live client (simulator/gemini/) and its mutants as systems under test,
 * for `--protocol gemini-live`. In virtual mode the client uses the SDK's web build, whose
 * WebSocket is the msw-patched global, on the faked timers; over the network, the SDK's node
 * build (the `ws` package) and a scaled clock.
 */
import { globalClock, scaledClock } from '../../protocol/clock.ts';
import { GeminiProspect, type GeminiMutant, type GeminiProspectOptions } from '../../simulator/index.ts';
import { outcomeOf } from './builtin-sut.ts';
import { Fence } from './run-fence.ts';
import type { SutRunContext, SutRunOutcome, SystemUnderTest } from './system-under-test.ts';

type GeminiFactory = (options: GeminiProspectOptions) => { run(): Promise<unknown> };

/**
 * Every run fenced on its clock and logger once it is over (run-fence.ts): a client abandoned
 * at the scenario's limit never acts again; its sockets belong to the SDK, and die with the
 * run's mock server.
 */
function geminiClientSut(id: string, create: GeminiFactory): SystemUnderTest {
  return {
    id,
    kind: 'builtin',
    modes: ['virtual', 'network'],
    protocols: ['gemini-live'],
    run: (ctx: SutRunContext): Promise<SutRunOutcome> => Fence.around(ctx, (fence) => {
      const network = ctx.mode === 'network';
      const clock = network ? scaledClock(ctx.timeScale) : globalClock;
      const options: GeminiProspectOptions = {
        baseUrl: ctx.httpUrl,
        apiKey: ctx.shareToken,
        maxTurns: ctx.maxTurns,
        seed: ctx.seed,
        clock: fence.clock(clock),
        sdk: network ? 'node' : 'web',
        logger: fence.logger(ctx.output),
      };
      return outcomeOf(() => create(options).run(), 'the Gemini client');
    }),
  };
}

export const geminiBuiltinSut = (): SystemUnderTest => geminiClientSut('builtin', (o) => new GeminiProspect(o));

/** A Gemini mutant, fenced as every run of the Gemini client is. */
export function geminiMutantSut(mutant: GeminiMutant): SystemUnderTest {
  return geminiClientSut(`mutant:${mutant.id}`, (o) => mutant.create(o));
}
