/**
 * The reference Gemini Live client against the mock Gemini face over real sockets, on a
 * scaled clock (1 protocol second = 10 ms) shared by client and server. Verdicts come from
 * the server's journal.
 */
import { beforeAll, afterEach, describe, expect, it } from 'vitest';
import { scaledClock, type Clock } from '../../protocol/clock.ts';
import { GeminiLiveServer, startWsServer, type JournalEvent, type RunningServer, type ServerScriptInput } from '../../mock-server/index.ts';
import { loadSdk } from './gemini-session.ts';
import { GeminiProspect, type GeminiProspectOptions } from './gemini-prospect.ts';
import { GEMINI_MUTANTS } from './gemini-mutants.ts';
import type { SimulatorResult } from '../simulator-types.ts';


// The SDK's first import takes long enough to eat scaled protocol time: load it before any clock starts.
beforeAll(() => loadSdk('node'));
const SCALE = 0.01;
const running: RunningServer[] = [];

afterEach(async () => {
  for (const r of running.splice(0)) await r.close();
});

interface Run {
  result: SimulatorResult;
  server: GeminiLiveServer;
  events: JournalEvent[];
  of<K extends JournalEvent['kind']>(kind: K): Extract<JournalEvent, { kind: K }>[];
  logs: string[];
}

async function start(script: ServerScriptInput, seed = 11): Promise<{ server: GeminiLiveServer; running: RunningServer; clock: Clock }> {
  const clock = scaledClock(SCALE);
  const server = new GeminiLiveServer({ clock, seed, script });
  const r = await startWsServer(server);
  running.push(r);
  return { server, running: r, clock };
}

function view(server: GeminiLiveServer, result: SimulatorResult, logs: string[]): Run {
  const events = server.journal.events;
  return { result, server, events, of: (kind) => server.journal.of(kind), logs };
}

function options(server: GeminiLiveServer, r: RunningServer, clock: Clock, logs: string[], extra: Partial<GeminiProspectOptions> = {}): GeminiProspectOptions {
  return { baseUrl: r.httpUrl, apiKey: server.apiKey, maxTurns: 6, seed: 11, clock, thinkTimeMs: [100, 200], logger: (line) => logs.push(line), ...extra };
}

async function runReference(script: ServerScriptInput, extra: Partial<GeminiProspectOptions> = {}): Promise<Run> {
  const { server, running: r, clock } = await start(script);
  const logs: string[] = [];
  const result = await new GeminiProspect(options(server, r, clock, logs, extra)).run();
  return view(server, result, logs);
}

async function runMutant(id: string, script: ServerScriptInput, extra: Partial<GeminiProspectOptions> = {}): Promise<Run> {
  const mutant = GEMINI_MUTANTS.find((m) => m.id === id)!;
  const { server, running: r, clock } = await start(script);
  const logs: string[] = [];
  const result = await mutant.create(options(server, r, clock, logs, extra)).run();
  return view(server, result, logs);
}

/** Every answered prospect turn was answered once, with the context of all before it. */
function expectContextIntact(run: Run, maxTurns = 6): void {
  const prospectTurns = run.of('prospect-turn').filter((e) => e.duplicate === undefined);
  const answeredIds = new Set(run.of('agent-turn').filter((e) => !e.greeting).map((e) => e.answers));
  for (const e of run.of('open')) if (e.ordinal > 1) expect(e.resume, `connection ${e.ordinal}`).toBe('resumed');
  // The context grows by one turn per answered message, never lost, never doubled. A message
  // re-sent after a resume counts where it was answered: its last sending.
  const lastSent = new Map(prospectTurns.map((e) => [e.textId, e]));
  const answered = [...lastSent.values()].filter((e) => answeredIds.has(e.textId));
  expect(answered.map((e) => e.contextTurns)).toEqual(Array.from({ length: maxTurns }, (_, i) => i));
  expect(run.of('history')).toEqual([]);
}

describe('GeminiProspect (reference) on the Gemini face', () => {
  it('completes with context intact across goAway rotations', async () => {
    const run = await runReference({ expiry: { lifetime: 12, timeLeft: 6 } });
    if (process.env.GEMINI_DEBUG) console.log(run.logs.join("\n"));
    expect(run.result).toMatchObject({ status: 'completed', turns: 6, contextLost: false });
    expect(run.result.reconnects).toBeGreaterThanOrEqual(1);
    expect(run.of('expiring').length).toBeGreaterThanOrEqual(1);
    // Every connection that got a goAway was left by the client before the deadline.
    const closes = run.of('close');
    for (const expiring of run.of('expiring')) {
      const close = closes.find((c) => c.conn === expiring.conn)!;
      expect(close.by).toBe('client');
      expect(close.t).toBeLessThan(expiring.deadline);
    }
    expectContextIntact(run);
    expect(closes.at(-1)!.by).toBe('client');
  });

  it('completes with context intact after an abnormal close (drop, 1006), re-sending nothing twice', async () => {
    const run = await runReference({ expiry: { enabled: false }, faults: [{ when: { turn: 2, phase: 'after-handle' }, do: { drop: {} } }] });
    expect(run.result).toMatchObject({ status: 'completed', turns: 6, contextLost: false, reconnects: 1 });
    expect(run.of('close').filter((c) => c.by !== 'client')).toHaveLength(1);
    expectContextIntact(run);
  });

  it('asks again the answered message its newest handle missed (drop between an answer and its handle)', async () => {
    const run = await runReference({ expiry: { enabled: false }, faults: [{ when: { turn: 2, phase: 'after-final' }, do: { drop: {} } }] });
    expect(run.result).toMatchObject({ status: 'completed', turns: 6, contextLost: false, reconnects: 1 });
    const [first, resumed] = run.of('open');
    expect(resumed).toMatchObject({ resume: 'resumed', contextTurns: 1, conversationTurns: 2 });
    // Message 2 was answered on the first connection, but the handle predates it: asked once more, and only once.
    const second = run.of('prospect-turn').filter((e) => e.conn === first!.conn)[1]!;
    expect(run.of('prospect-turn').filter((e) => e.textId === second.textId).map((e) => [e.conn, e.contextTurns])).toEqual([[first!.conn, 1], [resumed!.conn, 1]]);
    expectContextIntact(run);
  });

  it('gives an outage before the first answer the whole attempt budget: the first connect is no attempt of it', async () => {
    // The first connection drops before it answers message 1, and the next two upgrades are
    // refused: the third attempt of the outage resumes. Spec §6.4 counts attempts per outage
    // (default 3), and the judge counts them from the close (reconnect.gave-up-resumable).
    const run = await runReference({
      expiry: { enabled: false },
      faults: [{ when: { turn: 1, phase: 'after-prospect' }, connection: 1, do: [{ outage: { attempts: 2, status: 503 } }, { drop: {} }] }],
    });
    expect(run.result).toMatchObject({ status: 'completed', turns: 6, contextLost: false, reconnects: 1 });
    expect(run.of('upgrade-rejected').map((e) => e.status)).toEqual([503, 503]);
    expect(run.of('open').map((e) => e.resume)).toEqual(['none', 'resumed']);
  });

  it('re-sends the in-flight turn exactly once after a mid-turn 1011', async () => {
    const run = await runReference({ expiry: { enabled: false }, faults: [{ when: { turn: 3, phase: 'mid-turn' }, do: { close: { code: 1011, reason: 'Internal error occurred.' } } }] });
    expect(run.result).toMatchObject({ status: 'completed', turns: 6, contextLost: false, reconnects: 1 });
    const [first, second] = run.of('open');
    const sentOnFirst = run.of('prospect-turn').filter((e) => e.conn === first!.conn);
    const inFlight = sentOnFirst.at(-1)!.textId;
    // Sent once on the first connection, once more on the second, never again.
    expect(run.of('prospect-turn').filter((e) => e.textId === inFlight).map((e) => e.conn)).toEqual([first!.conn, second!.conn]);
    expectContextIntact(run);
  });

  it('rotates mid-turn on its own clock when the goAway deadline falls inside a long turn', async () => {
    const run = await runReference({
      agent: { chunks: 6, chunkGap: 1.5 },
      expiry: { enabled: false },
      faults: [{ when: { turn: 3, phase: 'mid-turn' }, do: { expire: { timeLeft: 3, closeCode: 1011, closeReason: 'Deadline expired before operation could complete.' } } }],
    });
    expect(run.result).toMatchObject({ status: 'completed', turns: 6, contextLost: false });
    const expiring = run.of('expiring')[0]!;
    const close = run.of('close').find((c) => c.conn === expiring.conn)!;
    expect(close.by).toBe('client');
    expect(close.t).toBeLessThan(expiring.deadline);
    expectContextIntact(run);
  });

  it('a rejected handle ends the run failed with contextLost (fallback fail), without hanging', async () => {
    const run = await runReference({ expiry: { enabled: false }, validation: { rejectAll: true }, faults: [{ when: { turn: 2, phase: 'after-handle' }, do: { drop: {} } }] });
    expect(run.result).toMatchObject({ status: 'failed', turns: 2, contextLost: true });
    const opens = run.of('open');
    expect(opens.map((o) => o.resume)).toEqual(['none', 'rejected']);
    expect(run.of('close').find((c) => c.conn === opens[1]!.conn)).toMatchObject({ code: 1008, by: 'server' });
  });

  it('a rejected handle is never presented again: fallback new-session completes fresh, reporting contextLost', async () => {
    const run = await runReference(
      { expiry: { enabled: false }, validation: { rejectAll: true }, faults: [{ when: { turn: 2, phase: 'after-handle' }, do: { drop: {} } }] },
      { policy: { fallback: 'new-session' } },
    );
    expect(run.result).toMatchObject({ status: 'completed', turns: 6, contextLost: true });
    const opens = run.of('open');
    expect(opens.map((o) => o.resume)).toEqual(['none', 'rejected', 'none']);
    expect(run.of('history')).toEqual([]);
  });
});

describe('Gemini mutants on the Gemini face: the journal shows each bug', () => {
  const dropAtTurn2 = { expiry: { enabled: false }, faults: [{ when: { turn: 2, phase: 'after-final' as const }, do: { drop: {} } }] };

  it('g1 does not reconnect after an abnormal close', async () => {
    const run = await runMutant('g1-no-reconnect-after-abnormal-close', dropAtTurn2);
    expect(run.result).toMatchObject({ status: 'failed', turns: 2 });
    expect(run.of('open')).toHaveLength(1);
  });

  it('g2 replays history into the resumed context (history alreadyHeld > 0)', async () => {
    const run = await runMutant('g2-replays-history-on-resume', dropAtTurn2);
    const history = run.of('history');
    expect(history.length).toBeGreaterThan(0);
    expect(history[0]!.alreadyHeld).toBeGreaterThan(0);
  });

  it('g3 loses the handle that comes with setupComplete: a reconnect before the first answer is fresh', async () => {
    const script = { expiry: { enabled: false }, faults: [{ when: { turn: 1, phase: 'after-prospect' as const }, do: { drop: {} } }] };
    const reference = await runReference(script);
    expect(reference.of('open').map((o) => o.resume)).toEqual(['none', 'resumed']);
    const run = await runMutant('g3-loses-handle-after-setup', script);
    expect(run.of('handle-issued').filter((h) => h.t < run.of('open')[1]!.t).length).toBeGreaterThan(0);
    expect(run.of('open').map((o) => o.resume)).toEqual(['none', 'none']);
  });

  it('g4 hangs on a rejected handle (connect() never settles); the reference ends', async () => {
    const script = { expiry: { enabled: false }, validation: { rejectAll: true }, faults: [{ when: { turn: 2, phase: 'after-handle' as const }, do: { drop: {} } }] };
    const { server, running: r, clock } = await start(script);
    const logs: string[] = [];
    const mutant = GEMINI_MUTANTS.find((m) => m.id === 'g4-waits-on-connect-forever')!;
    const running = mutant.create(options(server, r, clock, logs)).run();
    // 120 protocol seconds: far beyond the reference's connect timeout (10 s) and backoff.
    const outcome = await Promise.race([running.then(() => 'ended'), new Promise<string>((resolve) => clock.setTimeout(() => resolve('hung'), 120_000))]);
    expect(outcome).toBe('hung');
    const opens = server.journal.of('open');
    expect(opens.map((o) => o.resume)).toEqual(['none', 'rejected']);
    expect(server.journal.of('close').at(-1)).toMatchObject({ code: 1008, by: 'server' });
  });

  it('g5 presents a stale handle: the resumed context lacks answered turns', async () => {
    const run = await runMutant('g5-presents-stale-handle', dropAtTurn2);
    const resumed = run.of('open')[1]!;
    expect(resumed.resume).toBe('resumed');
    expect(resumed.contextTurns).toBeLessThan(resumed.conversationTurns);
  });

  it('g6 ignores goAway: stays past the deadline and is closed 1008 by the server', async () => {
    const run = await runMutant('g6-ignores-goaway', { expiry: { lifetime: 12, timeLeft: 6 } });
    const expiring = run.of('expiring')[0]!;
    const close = run.of('close').find((c) => c.conn === expiring.conn)!;
    expect(close).toMatchObject({ code: 1008, by: 'server' });
    expect(close.t).toBeGreaterThanOrEqual(expiring.deadline);
  });

  it('g7 keeps the empty handle of a resumable:false update and presents it: the reconnect is fresh', async () => {
    const script = { expiry: { enabled: false }, faults: [{ when: { turn: 2, phase: 'mid-turn' as const }, do: { drop: {} } }] };
    const run = await runMutant('g7-keeps-not-resumable-handle', script);
    const reconnect = run.of('open')[1]!;
    expect(reconnect.resume).toBe('none');
    expect(reconnect.contextTurns).toBe(0);
    expect(reconnect.conversationTurns).toBeGreaterThan(0);
    const setup = run.of('frame-in').find((f) => f.conn === reconnect.conn && f.type === 'setup')!;
    expect(setup.text).toMatch(/"handle":\s*""/);
    expect(run.result.contextLost).toBe(false);
  });

  it('g8 never re-sends the in-flight turn after a resume: its message goes unanswered', async () => {
    const script = { expiry: { enabled: false }, faults: [{ when: { turn: 3, phase: 'mid-turn' as const }, do: { close: { code: 1011, reason: 'Internal error occurred.' } } }] };
    const run = await runMutant('g8-never-resends-in-flight', script);
    const answered = new Set(run.of('agent-turn').map((e) => e.answers));
    const unanswered = run.of('prospect-turn').filter((e) => !answered.has(e.textId));
    expect(unanswered).toHaveLength(1);
    expect(run.of('prospect-turn').filter((e) => e.textId === unanswered[0]!.textId)).toHaveLength(1);
  });
});
