/**
 * serve for a client driven by hand: which scenario `--scenario` names (catalog id, file,
 * FILE#ID), when a conversation is over, and the verdict given then or when the person stops
 * the server — with the reference simulator and a broken one standing in for the person's
 * client over real sockets on 127.0.0.1 (scaled time: no wall-clock waits in the test itself).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { scaledClock } from '../../protocol/clock.ts';
import type { JournalEvent } from '../../mock-server/index.ts';
import { findMutant, ProspectSimulator } from '../../simulator/index.ts';
import { analyseRun } from '../analysis/run-analysis.ts';
import { UsageError } from '../errors.ts';
import { conversationOver, isLoopbackHost, resolveServeScenario, serveSession, type ServeAddress } from './serve-session.ts';

const dir = mkdtempSync(join(tmpdir(), 'serve-session-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCENARIO_FILE = join(dir, 'drop-after-first-answer.scenario.json');
writeFileSync(SCENARIO_FILE, JSON.stringify({
  id: 'drop-after-first-answer',
  title: 'The connection drops right after the first answer',
  description: 'd', expectation: 'e', why: 'w', group: 'connection-faults', provenance: ['F14'],
  conversation: { maxTurns: 4 },
  server: { expiry: { enabled: false }, faults: [{ when: { turn: 1, phase: 'after-final' }, do: { drop: {} } }] },
  expect: { outcome: 'completes' },
  variants: [{ id: 'drop-after-first-answer.twice', title: 'Two drops', conversation: { maxTurns: 6 } }],
}));

describe('resolveServeScenario', () => {
  it('takes a catalog id, a scenario file (its base) and FILE#ID (a variant)', () => {
    expect(resolveServeScenario('goaway.early-close', dir, 'ai-voice').id).toBe('goaway.early-close');
    expect(resolveServeScenario(SCENARIO_FILE, '/', 'ai-voice')).toMatchObject({ id: 'drop-after-first-answer', conversation: { maxTurns: 4 } });
    expect(resolveServeScenario('drop-after-first-answer.scenario.json', dir, 'ai-voice').id).toBe('drop-after-first-answer');
    expect(resolveServeScenario(`${SCENARIO_FILE}#drop-after-first-answer.twice`, '/', 'ai-voice')).toMatchObject({ id: 'drop-after-first-answer.twice', conversation: { maxTurns: 6 } });
  });

  it('names what is wrong: an unknown id, a variant the file lacks, an invalid file, the other face', () => {
    expect(() => resolveServeScenario('goaway.eraly-close', dir, 'ai-voice')).toThrow(UsageError);
    expect(() => resolveServeScenario('goaway.eraly-close', dir, 'ai-voice')).toThrow(/no scenario "goaway.eraly-close" in the catalog/);
    expect(() => resolveServeScenario(`${SCENARIO_FILE}#nope`, '/', 'ai-voice')).toThrow(/has no scenario "nope"; it holds drop-after-first-answer, drop-after-first-answer.twice/);
    const broken = join(dir, 'broken.scenario.json');
    writeFileSync(broken, JSON.stringify({ id: 'broken', title: 't', description: 'd', expectation: 'e', why: 'w', group: 'nowhere', provenance: ['F1'], expect: { outcome: 'completes' } }));
    expect(() => resolveServeScenario(broken, '/', 'ai-voice')).toThrow(/broken\.scenario\.json: group/);
    expect(() => resolveServeScenario('invalid-handle', dir, 'gemini-live')).toThrow(/invalid-handle belongs to ai-voice, not gemini-live/);
  });
});

describe('isLoopbackHost', () => {
  it.each([['127.0.0.1', true], ['127.3.2.1', true], ['localhost', true], ['::1', true], ['[::1]', true], ['::ffff:127.0.0.1', true], ['0.0.0.0', false], ['192.168.1.20', false], ['::', false], ['example.internal', false], ['128.0.0.1', false]])('%s → %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});

describe('conversationOver', () => {
  const open = (conn: number, t: number): JournalEvent => ({ kind: 'open', t, conn, ordinal: conn, conversationId: 'c1', presented: null, handle: null, resume: 'none', contextTurns: 0, contextIds: [], conversationTurns: 0, latestIssued: null, openConnections: [] });
  const close = (conn: number, t: number): JournalEvent => ({ kind: 'close', t, conn, code: 1000, reason: '', by: 'client' });
  const end: JournalEvent = { kind: 'conversation-end', t: 5, conn: 1, reason: 'done' };
  const over = (journal: JournalEvent[]) => conversationOver(journal, () => analyseRun(journal, 10), 3);

  it('is over after conversation_end once every connection has closed, not before', () => {
    expect(over([open(1, 0), end])).toBe(false);
    expect(over([open(1, 0), end, close(1, 6)])).toBe(true);
  });

  it('is not over with no connection yet, with one still open, or with turns left to answer', () => {
    expect(over([])).toBe(false);
    expect(over([open(1, 0), close(1, 2), open(2, 3)])).toBe(false);
    expect(over([open(1, 0), close(1, 2)])).toBe(false);
  });
});

/** Serves a scenario and runs a simulated client against it, the way a person's client would connect. */
/**
 * `stopAfterClient`: the person presses Ctrl-C once their client is done. Otherwise the session
 * must end by itself; should it not (a client that did not finish under a loaded machine), a
 * bound stops it 10 real seconds after the client ended, so the test fails on what happened
 * (the session 'stopped', the client's result in the message) rather than on a time-out.
 */
async function serveWith(scenarioId: string, client: (address: ServeAddress) => Promise<unknown>, stopAfterClient: boolean, timeScale = 0.005) {
  let text = '';
  let warnings = '';
  let stop: () => void = () => undefined;
  const until = new Promise<void>((resolve) => { stop = resolve; });
  let clientDone: Promise<unknown> = Promise.resolve();
  const session = serveSession({
    scenario: resolveServeScenario(scenarioId, process.cwd(), 'ai-voice'),
    protocol: 'ai-voice', seed: 5, timeScale, host: 'localhost', until, pollMs: 20,
    out: (s) => { text += s; },
    warn: (s) => { warnings += s; },
    onListening: (address) => {
      clientDone = client(address).then((r) => {
        if (stopAfterClient) stop();
        else setTimeout(stop, 10_000).unref();
        return r;
      });
    },
  });
  const outcome = await session;
  stop();
  return { outcome, text, warnings, clientResult: await clientDone };
}

const simulator = (address: ServeAddress, maxTurns: number, create?: (o: ConstructorParameters<typeof ProspectSimulator>[0]) => { run(): Promise<unknown> }, timeScale = 0.005) => {
  const options = { httpUrl: address.httpUrl, wsUrl: address.wsUrl, shareToken: address.credential, maxTurns, seed: 5, clock: scaledClock(timeScale), WebSocket: WebSocket as never };
  return (create ? create(options) : new ProspectSimulator(options)).run();
};

describe('serveSession', () => {
  it('judges a conversation when it is over, by itself: the reference client resumes through an early close and passes', async () => {
    // A time scale of 0.02: a gap of a few real milliseconds on a loaded machine stays a fraction of a protocol second.
    const { outcome, text, warnings, clientResult } = await serveWith('goaway.early-close', (a) => simulator(a, 12, undefined, 0.02), false, 0.02);
    expect(clientResult).toMatchObject({ status: 'completed', turns: 12 });
    expect(outcome.ended, JSON.stringify(clientResult)).toBe('conversation-over');
    expect(outcome.judgement?.overall).toBe('OK');
    expect(outcome.exitCode).toBe(0);
    expect(outcome.client).toMatchObject({ state: 'reported', result: { status: 'completed', turns: 12, contextLost: false } });
    expect((outcome.client as { result: { reconnects: number } }).result.reconnects).toBeGreaterThanOrEqual(1);
    expect(text).toContain('the conversation is over: goaway.early-close → OK');
    expect(text).toMatch(/\n {2}reconnect {2}OK {13}\d+ reconnect attempt/);
    expect(warnings).toBe('');
    // The URLs printed are the loopback ones the client used, and no journal line holds the token.
    expect(text).toMatch(/RESUME_HARNESS_WS_URL=ws:\/\/(localhost|127\.0\.0\.1):\d+\/ws\/ai-voice/);
    const token = /RESUME_HARNESS_SHARE_TOKEN=(\S+)/.exec(text)![1]!;
    expect(text.split('\n').filter((l) => l.startsWith('{')).join('\n')).not.toContain(token);
  }, 60_000);

  it('gives the verdict when stopped by hand: a client that never re-sends the in-flight message fails', async () => {
    const mutant = findMutant('t7-no-resend')!;
    const { outcome, text } = await serveWith('in-flight-lost', (a) => simulator(a, 8, (o) => mutant.create(o)), true);
    expect(outcome.ended).toBe('stopped');
    expect(outcome.judgement?.overall).toBe('FAILED');
    expect(outcome.exitCode).toBe(1);
    expect(outcome.judgement?.axes.turns.verdict).toBe('FAILED');
    expect(text).toContain('stopped by hand: in-flight-lost → FAILED');
    expect(text).toContain("judged from the server's side");
  }, 60_000);

  it('warns before it binds a host that is not loopback (192.0.2.1, a documentation address no interface here has: nothing is bound)', async () => {
    let warnings = '';
    const serving = serveSession({
      scenario: resolveServeScenario('goaway', process.cwd(), 'ai-voice'), protocol: 'ai-voice', timeScale: 1, host: '192.0.2.1', until: Promise.resolve(),
      out: () => undefined, warn: (s) => { warnings += s; },
    });
    await expect(serving).rejects.toThrow(/EADDRNOTAVAIL|192\.0\.2\.1/);
    expect(warnings).toMatch(/--host 192\.0\.2\.1 is not a loopback address: anyone who can reach this machine can open sessions/);
  });

  it('stopped before any client came: nothing to judge, exit 0', async () => {
    const { outcome, text } = await serveWith('goaway', async () => undefined, true);
    expect(outcome).toMatchObject({ ended: 'stopped', judgement: null, exitCode: 0 });
    expect(text).toContain('no client came; nothing to judge');
  });
});
