/**
 * Scenarios of the catalog (expiry, resume-rejection, connection-faults) played by the mock
 * Gemini face, over real sockets on a scaled clock (1 protocol second = 5 ms). The harness's
 * judge is not run here: the outcome the scenario expects (completes / reports-loss /
 * gives-up, schema.ts Outcome) is read from the client's result, and a few journal checks
 * (testing/journal-checks.ts) stand in for the judge's axes the g-mutants break.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaledClock } from '../../protocol/clock.ts';
import { GeminiLiveServer, startWsServer } from '../../mock-server/index.ts';
import { loadCatalog, type LoadedScenario } from '../../harness/scenario/loader.ts';
import { loadSdk } from './gemini-session.ts';
import { GeminiProspect, type GeminiProspectOptions } from './gemini-prospect.ts';
import { GEMINI_MUTANTS } from './gemini-mutants.ts';
import { checkJournal } from './testing/journal-checks.ts';

const GROUPS = new Set(['expiry', 'resume-rejection', 'connection-faults']);
const SCALE = 0.005;
/** Protocol time after which a run counts as a hang (the scenarios' own limit is 4 h). */
const HANG_AFTER_MS = 900_000;
const only = process.env.GEMINI_SCENARIO;
const catalog = loadCatalog();
const scenarios = catalog.filter((s) => (only ? s.scenario.id === only : GROUPS.has(s.scenario.group)));
const table: string[] = [];
/**
 * Scenarios whose fault has no Gemini counterpart the face plays: AI-voice's 4001
 * "unauthorised" becomes Gemini's retryable 1011 on this wire (gemini-codec.ts closeFor), so
 * the client rightly reconnects and completes where the AI-voice client must give up.
 */
const INEXPRESSIBLE = new Set(['flapping.unauthorised']);

// The SDK's first import takes long enough to eat scaled protocol time: load it before any clock starts.
beforeAll(() => loadSdk('node'));
afterAll(() => {
  if (process.env.GEMINI_DEBUG) console.log(table.join('\n'));
});

type Got = 'completes' | 'completes-with-loss' | 'gives-up' | 'gives-up-with-loss' | 'hang';
const PASSING: Record<'completes' | 'reports-loss' | 'gives-up', Got[]> = {
  completes: ['completes'],
  'reports-loss': ['completes', 'completes-with-loss', 'gives-up-with-loss'],
  'gives-up': ['completes', 'gives-up', 'gives-up-with-loss'],
};

async function play({ scenario }: LoadedScenario, create: (o: GeminiProspectOptions) => { run(): Promise<{ status: string; contextLost: boolean; reconnects: number; reason?: string }> }) {
  const clock = scaledClock(SCALE);
  const server = new GeminiLiveServer({ clock, seed: 3, script: scenario.server });
  const running = await startWsServer(server);
  try {
    const client = create({
      baseUrl: running.httpUrl,
      apiKey: server.apiKey,
      maxTurns: scenario.conversation.maxTurns,
      seed: 3,
      clock,
      thinkTimeMs: [100, 200],
      ...(only ? { logger: (line: string) => table.push(line) } : {}),
    });
    const hangAfter = Math.min(scenario.limit * 1000, HANG_AFTER_MS);
    const outcome = await Promise.race([client.run(), new Promise<'hang'>((resolve) => clock.setTimeout(() => resolve('hang'), hangAfter))]);
    const got: Got = outcome === 'hang' ? 'hang' : outcome.status === 'completed' ? (outcome.contextLost ? 'completes-with-loss' : 'completes') : outcome.contextLost ? 'gives-up-with-loss' : 'gives-up';
    const verdict = checkJournal(server.journal.events, outcome !== 'hang', outcome !== 'hang' && outcome.status === 'completed');
    const outcomeOk = INEXPRESSIBLE.has(scenario.id) || PASSING[scenario.expect.outcome].includes(got);
    table.push(`${scenario.id.padEnd(40)} expected ${scenario.expect.outcome.padEnd(13)} got ${got}${outcome !== 'hang' && outcome.reason ? ` (${outcome.reason})` : ''} reconnects=${outcome === 'hang' ? '-' : outcome.reconnects} ${JSON.stringify(verdict.problems)}`);
    return { got, outcome, outcomeOk, problems: verdict.problems };
  } finally {
    await running.close();
  }
}

describe.concurrent('catalog scenarios on the Gemini face: the reference client', () => {
  it.each(scenarios.map((s) => [s.scenario.id, s] as const))('%s', async (_id, loaded) => {
    const { got, outcome, outcomeOk, problems } = await play(loaded, (o) => new GeminiProspect(o));
    expect(got).not.toBe('hang');
    expect(outcomeOk, `expected ${loaded.scenario.expect.outcome}, got ${got}`).toBe(true);
    expect(problems).toEqual({});
    if (outcome !== 'hang') expect(outcome.reconnects).toBeLessThanOrEqual(loaded.scenario.conversation.maxTurns + 5);
  });
});

/** For each mutant, a scenario of the catalog that catches it, and how (g3 escapes the catalog: gemini-prospect.test.ts). */
const CATCHERS: readonly [id: string, scenario: string, how: string][] = [
  ['g1', 'unexpected-close', 'outcome'],
  ['g2', 'unexpected-close', 'duplicated-context'],
  ['g4', 'handle-not-found', 'hang'],
  ['g5', 'unexpected-close', 'newest-handle'],
  ['g6', 'goaway-ignored.silent', 'goaway-overrun'],
  ['g7', 'expiry-mid-turn.hard-cap', 'newest-handle'],
  ['g8', 'unexpected-close', 'unanswered'],
];

describe.concurrent('catalog scenarios on the Gemini face: the g-mutants are caught', () => {
  it.each(CATCHERS)('%s by %s (%s)', async (id, scenarioId, how) => {
    const mutant = GEMINI_MUTANTS.find((m) => m.id === id)!;
    const loaded = catalog.find((s) => s.scenario.id === scenarioId)!;
    const { outcomeOk, problems } = await play(loaded, (o) => mutant.create(o));
    if (how === 'outcome') expect(outcomeOk).toBe(false);
    else expect(Object.keys(problems)).toContain(how);
  });
});
