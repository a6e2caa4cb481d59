/**
 * The whole catalog but malformed-input, on the mock Gemini face in virtual time: the SDK's
 * web build on msw's WebSocket, fake timers driving client and server on one timeline
 * (deterministic: the same seed gives the same run on any machine). The reference must reach
 * every scenario's expected outcome with clean journal checks; each mutant but g3 must be
 * caught by some scenario.
 *
 * malformed-input is left out: a server frame that is not JSON makes @google/genai 2.32.0's
 * unawaited `handleWebSocketMessage` reject (an unhandled rejection, which vitest reports as
 * an error); the client itself completes those scenarios.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalClock } from '../../protocol/clock.ts';
import { GeminiLiveServer, VIRTUAL_ORIGIN } from '../../mock-server/index.ts';
import type { AiVoiceServer } from '../../mock-server/index.ts';
import { interceptFor, releaseInterception, stopInterception } from '../../harness/sandbox/msw-interception.ts';
import { runInVirtualTime } from '../../harness/sandbox/virtual-time.ts';
import { loadCatalog, type LoadedScenario } from '../../harness/scenario/loader.ts';
import { loadSdk } from './gemini-session.ts';
import { GeminiProspect, type GeminiProspectOptions } from './gemini-prospect.ts';
import { GEMINI_MUTANTS } from './gemini-mutants.ts';
import { checkJournal } from './testing/journal-checks.ts';

const scenarios = loadCatalog().filter((s) => s.scenario.group !== 'malformed-input');
/** 4001 "unauthorised" becomes Gemini's retryable 1011 on this wire (gemini-codec.ts): nothing to give up on. */
const INEXPRESSIBLE = new Set(['flapping.unauthorised']);
const PASSING: Record<'completes' | 'reports-loss' | 'gives-up', string[]> = {
  completes: ['completes'],
  'reports-loss': ['completes', 'completes-with-loss', 'gives-up-with-loss'],
  'gives-up': ['completes', 'gives-up', 'gives-up-with-loss'],
};

beforeAll(() => loadSdk('web'));
afterAll(() => stopInterception());

interface Played {
  readonly id: string;
  readonly got: string;
  readonly outcomeOk: boolean;
  readonly problems: Record<string, string>;
}

async function play({ scenario }: LoadedScenario, create: (o: GeminiProspectOptions) => GeminiProspect): Promise<Played> {
  let server: GeminiLiveServer | null = null;
  const outcome = await runInVirtualTime(
    async () => {
      server = new GeminiLiveServer({ clock: globalClock, seed: 3, script: scenario.server });
      // The interception routes to any face; its signature names the AI-voice one.
      await interceptFor(server as unknown as AiVoiceServer);
      return create({ baseUrl: VIRTUAL_ORIGIN, apiKey: server.apiKey, maxTurns: scenario.conversation.maxTurns, seed: 3, sdk: 'web', clock: globalClock }).run();
    },
    { limitMs: scenario.limit * 1000, beforeUninstall: () => server?.dispose() },
  );
  releaseInterception();
  const journal = (server as GeminiLiveServer | null)!.journal;
  const value = outcome.state === 'settled' ? outcome.value : null;
  const got = value === null ? outcome.state : value.status === 'completed' ? (value.contextLost ? 'completes-with-loss' : 'completes') : value.contextLost ? 'gives-up-with-loss' : 'gives-up';
  const { problems } = checkJournal(journal.events, value !== null, value?.status === 'completed');
  return { id: scenario.id, got, outcomeOk: INEXPRESSIBLE.has(scenario.id) || PASSING[scenario.expect.outcome].includes(got), problems };
}

const caught = (p: Played): boolean => !p.outcomeOk || Object.keys(p.problems).length > 0;

describe('the catalog in virtual time on the Gemini face (web SDK over msw)', () => {
  it(`the reference passes all ${scenarios.length} scenarios`, async () => {
    const failures: string[] = [];
    for (const loaded of scenarios) {
      const p = await play(loaded, (o) => new GeminiProspect(o));
      if (caught(p)) failures.push(`${p.id}: expected ${loaded.scenario.expect.outcome}, got ${p.got} ${JSON.stringify(p.problems)}`);
    }
    expect(failures).toEqual([]);
  });

  it.each(GEMINI_MUTANTS.filter((m) => m.id !== 'g3').map((m) => [m.id, m] as const))('%s is caught by the catalog', async (_id, mutant) => {
    const catchers: string[] = [];
    for (const loaded of scenarios) {
      const p = await play(loaded, (o) => mutant.create(o));
      if (caught(p)) catchers.push(p.id);
    }
    if (process.env.GEMINI_DEBUG) console.log(`${mutant.id}: caught by ${catchers.length}/${scenarios.length}: ${catchers.join(', ')}`);
    expect(catchers.length).toBeGreaterThan(0);
  });
});
