/**
 * Runs one scenario against one system under test, in virtual or network mode, and
 * judges it. Never throws: a harness error becomes an UNKNOWN judgement with the reason.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { globalClock, scaledClock } from '../../protocol/clock.ts';
import { SutResult, type Protocol } from '../../protocol/sut-result.ts';
import { startWsServer, virtualEndpoints, type JournalEvent } from '../../mock-server/index.ts';
import { analyseRun, type RunAnalysis } from '../analysis/run-analysis.ts';
import { harnessError, judge, type Judgement } from '../judge/judge.ts';
import { judgeServer, type ServerJudgement } from '../judge/server-section.ts';
import { overallOf, type Verdict } from '../judge/verdict.ts';
import { startLagMonitor, type LagReading, type LagReport } from './scheduling-lag.ts';
import { discountStarvation, type Starvation } from './starvation.ts';
import { fingerprint } from '../../protocol/redact.ts';
import type { ServerRecord } from '../server/server-under-test.ts';
import type { WireEvent } from '../server/wire-log.ts';
import type { ProbeOutcome } from '../server/server-probes.ts';
import { runThroughServer, SERVER_RUN_AGENT, type ServerRunOptions } from './server-run.ts';
import { foldServerHistory } from '../judge/server/server-history.ts';
import { relayLagOf } from '../judge/server/relay-lag.ts';
import { mockServerFor } from '../sandbox/mock-server.ts';
import { interceptFor, releaseInterception, stopInterception } from '../sandbox/msw-interception.ts';
import { runInVirtualTime } from '../sandbox/virtual-time.ts';
import type { Scenario } from '../scenario/schema.ts';
import { expectedDurationS, WALL_LIMIT_FACTOR } from '../scenario/expected-duration.ts';
import { networkWallLimitMs, quietWallMs, watchForNoProgress } from './hang-limits.ts';
import type { ClientReport, Mode, SutRunOutcome, SystemUnderTest } from '../sut/system-under-test.ts';

export interface RunOptions {
  readonly mode: Mode;
  readonly seed: number;
  /** Real seconds per protocol second, network mode. */
  readonly timeScale: number;
  /** Extra real milliseconds a network run may take beyond its scaled limit. */
  readonly wallSlackMs?: number;
  /** The wire of the run (`--protocol`); default ai-voice. */
  readonly protocol?: Protocol;
  /**
   * A server under test in the middle (`--server`, server-contract.md): the client speaks
   * AI-voice to it, it speaks Gemini Live to the mock. Network mode only.
   */
  readonly server?: ServerRunOptions;
  /**
   * Network mode: when the harness's own scheduling lag overturned a FAILED verdict (starvation.ts),
   * run the scenario once more at the safe time scale (default true). The retry does not retry.
   */
  readonly retryOnStarvation?: boolean;
}

/** What happened to the server under test, and what is judged of it besides the six axes. */
export interface ServerRun extends ServerRecord {
  /** The client's wire to the server, and the server's wire to the mock upstream. */
  readonly client: 'ai-voice';
  readonly upstream: 'gemini-live';
  /** The fingerprint of the agent's share token (RESUME_HARNESS_AGENTS). */
  readonly shareToken: string;
  readonly judgement: ServerJudgement;
  /** The client side of its wire, redacted (the recording proxy's log). */
  readonly wire: readonly WireEvent[];
  /** What the harness's probes did. */
  readonly probes: readonly ProbeOutcome[];
}

export interface ScenarioRun {
  readonly scenario: Scenario;
  readonly sut: SystemUnderTest;
  readonly protocol: Protocol;
  readonly mode: Mode;
  /** The run's seed: what `--seed` takes to replay it. */
  readonly seed: number;
  /** The seed this scenario actually ran with, derived from the run's seed and its id. */
  readonly scenarioSeed: number;
  readonly timeScale: number;
  readonly judgement: Judgement;
  readonly client: ClientReport;
  readonly clientExtra: Record<string, unknown>;
  readonly output: string[];
  readonly journal: JournalEvent[];
  /** The journal's timeline and conversation facts, worked out once: the judge and the reports read them. */
  readonly analysis: RunAnalysis;
  readonly secrets: string[];
  readonly protocolMs: number;
  readonly wallMs: number;
  /** Set when the harness itself failed, or could not judge (a server under test never ready). */
  readonly harnessError?: string;
  /** With `--server`: the server under test. The journal is then the Gemini face's, and `protocol` gemini-live. */
  readonly server?: ServerRun;
  /** Network mode: the harness's own scheduling lag during the run (scheduling-lag.ts). */
  readonly schedulingLag?: LagReport;
  /** Verdicts the lag overturned to UNKNOWN; `retriedAt`: the scale the run was repeated at (this run is the retry's). */
  readonly starvation?: Starvation & { readonly retriedAt?: number; readonly firstOverall?: Verdict };
}

/** A per-scenario seed derived from the run seed and the id: scenarios do not share randomness. */
export function scenarioSeed(runSeed: number, id: string): number {
  let h = (runSeed ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export async function runScenario(scenario: Scenario, sut: SystemUnderTest, options: RunOptions): Promise<ScenarioRun> {
  const wallStart = performance.now();
  const seed = scenarioSeed(options.seed, scenario.id);
  const workDir = mkdtempSync(join(tmpdir(), 'resume-harness-'));
  const output: string[] = [];
  const protocol = options.protocol ?? 'ai-voice';
  const base = { scenario, sut, protocol, mode: options.mode, seed: options.seed, scenarioSeed: seed, timeScale: options.timeScale, output };
  // A run the harness itself could not carry out: UNKNOWN, with an empty journal.
  const harnessFailure = (reason: string): ScenarioRun => ({ ...base, judgement: harnessError(reason), client: { state: 'missing', reason }, clientExtra: {}, journal: [], analysis: analyseRun([], 0), secrets: [], protocolMs: 0, wallMs: performance.now() - wallStart, harnessError: reason });
  try {
    if (!sut.modes.includes(options.mode)) {
      const reason = `${sut.id} cannot run in ${options.mode} mode (supports: ${sut.modes.join(', ')})`;
      return harnessFailure(reason);
    }
    if (sut.protocols && !sut.protocols.includes(protocol)) return harnessFailure(`${sut.id} speaks ${sut.protocols.join(', ')}, not ${protocol}`);
    if (options.server) return await runWithServer(scenario, sut, seed, options, options.server, workDir, output, base, harnessFailure, wallStart);
    if (!scenario.faces.includes(protocol)) return harnessFailure(`scenario ${scenario.id} belongs to ${scenario.faces.join(', ')}: its meaning does not exist on ${protocol}`);
    const run = options.mode === 'virtual' ? await runVirtual(scenario, sut, seed, protocol, workDir, output) : await runNetwork(scenario, sut, seed, protocol, options, workDir, output);
    // Whatever an adapter says was reported must be a result of sut-contract §4; anything else is the client's finding, not a crash.
    if (run.outcome.report.state === 'reported') {
      const checked = SutResult.safeParse(run.outcome.report.result);
      if (!checked.success) run.outcome = { ...run.outcome, report: { state: 'invalid', reason: `not a result of sut-contract §4: ${checked.error.issues.map((i) => `${i.path.join('.') || 'result'}: ${i.message}`).join('; ')}` } };
    }
    const analysis = analyseRun(run.journal, run.protocolMs, { freshConnectionStartsSession: protocol === 'gemini-live' });
    let judgement = run.harnessError
      ? harnessError(run.harnessError)
      : judge({ scenario, protocol, analysis, client: run.outcome.report, output, secrets: run.secrets, mode: options.mode });
    let starvation: Starvation | null = null;
    if (run.lag && !run.harnessError) ({ judgement, starvation } = discountStarvation(judgement, run.lag.report, options.timeScale, scenario, run.lag.timeline));
    // Once, at the scale that would have been safe: the verdict of a run the harness could time.
    // Not when a FAILED that does not rest on timing stands anyway (a client that never ended).
    // And only when the retry fits a minute of wall time: a two-hour scenario at a slow scale would not.
    const retryWallMs = networkWallLimitMs(scenario, starvation?.safeScale ?? options.timeScale, 0) / WALL_LIMIT_FACTOR;
    if (starvation && judgement.overall !== 'FAILED' && options.retryOnStarvation !== false && starvation.safeScale > options.timeScale && retryWallMs <= STARVATION_RETRY_WALL_MS) {
      rmSync(workDir, { recursive: true, force: true });
      const retry = await runScenario(scenario, sut, { ...options, timeScale: starvation.safeScale, retryOnStarvation: false });
      return { ...retry, starvation: { ...(retry.starvation ?? starvation), retriedAt: starvation.safeScale, firstOverall: judgement.overall } };
    }
    return {
      ...base,
      judgement,
      client: run.outcome.report,
      clientExtra: run.outcome.extra ?? {},
      journal: run.journal,
      analysis,
      secrets: run.secrets,
      protocolMs: run.protocolMs,
      wallMs: performance.now() - wallStart,
      ...(run.harnessError ? { harnessError: run.harnessError } : {}),
      ...(run.lag ? { schedulingLag: run.lag.report } : {}),
      ...(starvation ? { starvation } : {}),
    };
  } catch (error) {
    const reason = `harness error: ${(error as Error).stack ?? String(error)}`;
    return harnessFailure(reason);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Real ms a client stopped for hanging has to say how it ended (a process adapter kills its group). */
const STOP_GRACE_MS = 3000;

/** The longest a retry at a safe time scale may be expected to take, in real ms (its expected protocol duration, scaled). */
const STARVATION_RETRY_WALL_MS = 60_000;

/** Real ms within which a server in front opens its fallback session after a refused resume (timeline.ts). */
const SERVER_FALLBACK_REAL_MS = 250;

/**
 * Real ms a server under test is given to react to one event — relay a frame, close a client
 * whose upstream ended, close an upstream whose client left — before a server axis holds it
 * against it: one event-loop turn of a healthy server is well under a millisecond, so half a
 * second leaves room for a loaded machine without hiding a server that never reacts.
 */
const SERVER_REACTION_REAL_MS = 500;

/**
 * The run with a server under test (server-run.ts): judged on the six axes from the Gemini
 * face's journal — the conversation's context and turns as the model saw them — plus the
 * server's own section, whose verdict joins the overall one (a server that could not be judged
 * makes the run UNKNOWN, never a pass).
 */
async function runWithServer(
  scenario: Scenario,
  sut: SystemUnderTest,
  seed: number,
  options: RunOptions,
  server: ServerRunOptions,
  workDir: string,
  output: string[],
  base: Omit<ScenarioRun, 'judgement' | 'client' | 'clientExtra' | 'journal' | 'analysis' | 'secrets' | 'protocolMs' | 'wallMs' | 'protocol'> & { protocol: Protocol },
  harnessFailure: (reason: string) => ScenarioRun,
  wallStart: number,
): Promise<ScenarioRun> {
  if (options.mode !== 'network') return harnessFailure(`--server ${server.server.id} runs only in network mode: the server is a real process or container on 127.0.0.1`);
  if (!scenario.faces.includes('gemini-live')) return harnessFailure(`scenario ${scenario.id} belongs to ${scenario.faces.join(', ')}: a server under test has the Gemini Live face upstream, where its meaning does not exist`);
  if (scenario.notThroughServer !== undefined) return harnessFailure(`scenario ${scenario.id} is not run through a server: ${scenario.notThroughServer}`);
  if (sut.protocols && !sut.protocols.includes('ai-voice')) return harnessFailure(`${sut.id} speaks ${sut.protocols.join(', ')}: in front of a server under test the client speaks ai-voice`);
  const raw = await runThroughServer({ scenario, sut, seed, timeScale: options.timeScale, ...(options.wallSlackMs !== undefined ? { wallSlackMs: options.wallSlackMs } : {}), workDir, output }, server);
  let outcome = raw.outcome;
  if (outcome.report.state === 'reported') {
    const checked = SutResult.safeParse(outcome.report.result);
    if (!checked.success) outcome = { ...outcome, report: { state: 'invalid', reason: `not a result of sut-contract §4: ${checked.error.issues.map((i) => `${i.path.join('.') || 'result'}: ${i.message}`).join('; ')}` } };
  }
  const isolation = raw.probes.find((p) => p.probe === 'isolation');
  const history = foldServerHistory(raw.wire, raw.upstreamJournal, raw.recordedAt, isolation?.texts);
  // Which client connection caused each upstream, from the recording proxy: a server's fallback upstream belongs to the
  // client's attempt that caused it. Without a wire log (never ready), the timing window: 250 real ms, in protocol time.
  const clientConnectionOf = new Map(history.upstreams.filter((u) => u.cause !== null).map((u) => [u.conn, u.cause!.wc]));
  const analysis = analyseRun(raw.journal, raw.protocolMs, { freshConnectionStartsSession: true, ...(clientConnectionOf.size > 0 ? { clientConnectionOf } : { serverFallbackWindowMs: SERVER_FALLBACK_REAL_MS / options.timeScale }) });
  const wire = raw.harnessError ? undefined : { history, probes: raw.probes, agent: SERVER_RUN_AGENT, reactionMs: SERVER_REACTION_REAL_MS / options.timeScale };
  const serverJudgement = judgeServer(raw.server, raw.secrets, wire);
  let axes = raw.harnessError
    ? harnessError(raw.harnessError)
    : judge({ scenario, protocol: 'gemini-live', analysis, client: outcome.report, output, secrets: raw.secrets, relayLagMs: relayLagOf(history) });
  // A starved harness is no failure here either; no retry: the server would start again (starvation.ts).
  let starvation: Starvation | null = null;
  if (raw.lag && !raw.harnessError) ({ judgement: axes, starvation } = discountStarvation(axes, raw.lag.report, options.timeScale, scenario, raw.lag.timeline));
  const judgement: Judgement = { overall: overallOf([axes.overall, serverJudgement.verdict]), axes: axes.axes };
  return {
    ...base,
    protocol: 'gemini-live',
    judgement,
    client: outcome.report,
    clientExtra: outcome.extra ?? {},
    journal: raw.journal,
    analysis,
    secrets: raw.secrets,
    protocolMs: raw.protocolMs,
    wallMs: performance.now() - wallStart,
    ...(raw.harnessError ? { harnessError: raw.harnessError } : {}),
    ...(raw.lag ? { schedulingLag: raw.lag.report } : {}),
    ...(starvation ? { starvation } : {}),
    server: { ...raw.server, client: 'ai-voice', upstream: 'gemini-live', shareToken: fingerprint(raw.shareToken), judgement: serverJudgement, wire: raw.wire, probes: raw.probes },
  };
}

interface RawRun {
  outcome: SutRunOutcome;
  journal: JournalEvent[];
  secrets: string[];
  protocolMs: number;
  harnessError?: string;
  /** Network mode: the harness's scheduling lag while the client ran, and where in the run it fell. */
  lag?: LagReading;
}

async function runVirtual(scenario: Scenario, sut: SystemUnderTest, seed: number, protocol: Protocol, workDir: string, output: string[]): Promise<RawRun> {
  const server = mockServerFor(scenario, globalClock, seed, protocol);
  const endpoints = virtualEndpoints();
  await interceptFor(server.face);
  let snapshot: { journal: JournalEvent[]; at: number } | null = null;
  // Aborted while the fake clock is still in place: a client the run abandons (a module, a
  // command) hears that its run is over before the server's disposal hands it a close to act on.
  const stop = new AbortController();
  try {
    const outcome = await runInVirtualTime(
      () => sut.run({ protocol, httpUrl: endpoints.httpUrl, wsUrl: protocol === 'ai-voice' ? endpoints.wsUrl : `${endpoints.httpUrl.replace(/^http/, 'ws')}${server.face.wsPath}`, shareToken: server.credential, maxTurns: scenario.conversation.maxTurns, seed, mode: 'virtual', timeScale: 1, workDir, wallLimitMs: 60_000, output: (line) => output.push(line), stop: stop.signal }),
      {
        limitMs: scenario.limit * 1000,
        beforeUninstall: () => {
          stop.abort(new Error('resume-harness: the virtual-time run ended'));
          // The journal as the client left it: shutting the server down afterwards adds no facts.
          snapshot = { journal: [...server.journal.events], at: globalClock.now() };
          server.dispose();
        },
      },
    );
    const taken = snapshot as { journal: JournalEvent[]; at: number } | null;
    const journal = taken?.journal ?? [...server.journal.events];
    const protocolMs = outcome.virtualMs;
    const secrets = server.secrets();
    switch (outcome.state) {
      case 'settled':
        return { outcome: outcome.value, journal, secrets, protocolMs };
      case 'rejected':
        return { outcome: { report: { state: 'missing', reason: `the client threw: ${String((outcome.error as Error)?.message ?? outcome.error)}` } }, journal, secrets, protocolMs };
      case 'deadlock':
        return { outcome: { report: { state: 'hung', reason: `waiting on nothing at ${(protocolMs / 1000).toFixed(1)} s: no timer, no message, no result` } }, journal, secrets, protocolMs };
      case 'time-limit':
        return { outcome: { report: { state: 'hung', reason: `no result after the scenario's limit of ${scenario.limit} protocol seconds` } }, journal, secrets, protocolMs };
      case 'step-limit':
        return { outcome: { report: { state: 'hung', reason: `no result after ${outcome.steps} timer firings, at ${(protocolMs / 1000).toFixed(1)} protocol s: the harness's bound on one virtual run (a reconnect loop?)` } }, journal, secrets, protocolMs };
      case 'wall-limit':
        return { outcome: { report: { state: 'hung', reason: 'no result after 300 s of real time (real work that never ended?)' } }, journal, secrets, protocolMs };
    }
  } finally {
    releaseInterception();
  }
}

async function runNetwork(scenario: Scenario, sut: SystemUnderTest, seed: number, protocol: Protocol, options: RunOptions, workDir: string, output: string[]): Promise<RawRun> {
  // Real sockets need the real globals: an earlier virtual run's msw interception must go.
  stopInterception();
  const clock = scaledClock(options.timeScale);
  const server = mockServerFor(scenario, clock, seed, protocol);
  const running = await startWsServer(server.face);
  const wallLimitMs = networkWallLimitMs(scenario, options.timeScale, options.wallSlackMs);
  const quiet = watchForNoProgress(() => server.journal.events.length, quietWallMs(options.timeScale));
  const lagMonitor = startLagMonitor({ now: () => clock.now(), timeScale: options.timeScale });
  let lag: LagReading | undefined;
  try {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<SutRunOutcome>((resolve) => {
      timer = setTimeout(() => resolve({ report: { state: 'hung', reason: `no result after ${(wallLimitMs / 1000).toFixed(1)} s of real time (${WALL_LIMIT_FACTOR} × the scenario's expected ${expectedDurationS(scenario)} protocol s, scaled)` } }), wallLimitMs);
    });
    const stop = new AbortController();
    const client = sut.run({ protocol, httpUrl: running.httpUrl, wsUrl: running.wsUrl, shareToken: server.credential, maxTurns: scenario.conversation.maxTurns, seed, mode: 'network', timeScale: options.timeScale, workDir, wallLimitMs, output: (line) => output.push(line), stop: stop.signal });
    const quietly = Symbol('quiet');
    const first = await Promise.race([client, limit, quiet.stalled.then((why) => ({ [quietly]: why }))]);
    let outcome: SutRunOutcome;
    if (quietly in first) {
      // Stop the client (an adapter kills its process) and take what it says, briefly: a client that hangs.
      const why = first[quietly];
      stop.abort(new Error(`resume-harness: ${why}`));
      let grace: NodeJS.Timeout | undefined;
      const stopped = await Promise.race([client, new Promise<null>((resolve) => { grace = setTimeout(() => resolve(null), STOP_GRACE_MS); })]);
      clearTimeout(grace);
      outcome = stopped && stopped.report.state === 'hung'
        ? { ...stopped, report: { state: 'hung', reason: `${why}; ${stopped.report.reason}` } }
        : { ...(stopped ?? {}), report: { state: 'hung', reason: why } };
    } else {
      outcome = first;
    }
    quiet.stop();
    clearTimeout(timer);
    lag = lagMonitor.stop();
    const protocolMs = clock.now();
    const journal = [...server.journal.events];
    return { outcome, journal, secrets: server.secrets(), protocolMs, lag };
  } finally {
    if (lag === undefined) lagMonitor.stop();
    quiet.stop();
    server.dispose();
    await running.close();
  }
}
