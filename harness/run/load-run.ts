/**
 * `resume-harness load`: N conversations of the reference client at once against one server,
 * over real sockets on 127.0.0.1, on the scenario's script (by default `flapping`: connections
 * cut and resumed, and expiry notices). Against the mock (to measure the harness) each
 * conversation is also judged on its own events of the mock's journal; against a server under
 * test (`--server`, to load-test its resume path) the clients speak AI-voice to it and the mock
 * Gemini face stands upstream, and the figures come from the clients. `shard` runs one slice:
 * conversation i belongs to shard (i mod n) + 1, with the same seed whichever shard runs it, so
 * the shards of one run are the conversations of the unsharded run.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scaledClock } from '../../protocol/clock.ts';
import { WS_PATH } from '../../protocol/messages.ts';
import type { Protocol } from '../../protocol/sut-result.ts';
import { AiVoiceServer, GeminiLiveServer, startWsServer, type RunningServer } from '../../mock-server/index.ts';
import { splitByConversation } from '../analysis/conversation-split.ts';
import { analyseRun } from '../analysis/run-analysis.ts';
import { judge } from '../judge/judge.ts';
import { stopInterception } from '../sandbox/msw-interception.ts';
import type { Scenario } from '../scenario/schema.ts';
import { serverEnv, type ServerRecord } from '../server/server-under-test.ts';
import { builtinSut } from '../sut/builtin-sut.ts';
import { geminiBuiltinSut } from '../sut/gemini-builtin-sut.ts';
import type { SutRunOutcome } from '../sut/system-under-test.ts';
import { resumeFigures, summarize, type ClientEvent, type ConversationLoad, type LoadSummary } from './load-metrics.ts';
import { freePort, SERVER_RUN_AGENT, shareTokenFor, type ServerRunOptions } from './server-run.ts';

export interface LoadOptions {
  /** Conversations of the whole run (all shards). */
  readonly sessions: number;
  readonly protocol: Protocol;
  readonly scenario: Scenario;
  /** Real seconds per protocol second. */
  readonly timeScale: number;
  readonly seed: number;
  /** 1-based shard of `count`. */
  readonly shard?: { readonly index: number; readonly count: number };
  readonly server?: ServerRunOptions;
  readonly progress?: (line: string) => void;
  /**
   * Real ms over which the conversations start, evenly (k6's ramp-up). 0: all at once, so their
   * expiries fall in the same instant too (a thundering herd of resumes; that may be the point).
   */
  readonly rampMs?: number;
  /** Keep each conversation's wire texts (the mock's journal, both directions): bench:load replays them through a bare echo. */
  readonly keepWire?: boolean;
}

export interface LoadRun {
  readonly summary: LoadSummary;
  readonly conversations: ConversationLoad[];
  /** The harness could not carry the run out (a server under test never ready). */
  readonly harnessError?: string;
  /** With a server under test: what happened to it. */
  readonly server?: ServerRecord;
  /** With `keepWire`, against the mock: each conversation's session calls, connections and text frames in journal order. */
  readonly wire?: ReplayEvent[][];
  /** Every secret of the run (tokens, keys, handles), for redacting what reaches a person. */
  readonly secrets?: string[];
  /** CPU (user + system, µs) of the process while the conversations ran: clients, server, journal; not the judging after. */
  readonly conversationCpuUs?: number;
}

/**
 * What bench:load replays through a bare relay: on the mock's clock (protocol ms), a session
 * call, a connection opened, and each text frame that went on the wire (`in`: client → server).
 */
export type ReplayEvent =
  | { readonly kind: 'session'; readonly t: number }
  | { readonly kind: 'open'; readonly t: number; readonly conn: number }
  | { readonly kind: 'in' | 'out'; readonly t: number; readonly conn: number; readonly text: string };

/** The conversations of one shard: indices i with i mod n = index − 1. */
export function shardIndices(sessions: number, shard: { index: number; count: number } = { index: 1, count: 1 }): number[] {
  return Array.from({ length: sessions }, (_, i) => i).filter((i) => i % shard.count === shard.index - 1);
}

interface ClientRun {
  readonly index: number;
  readonly outcome: SutRunOutcome;
  readonly output: string[];
  readonly events: ClientEvent[];
  readonly key: string;
  /** performance.now() when the client started: its clock's zero, in real ms. */
  readonly startedAt: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadRun> {
  stopInterception();
  const started = performance.now();
  const indices = shardIndices(options.sessions, options.shard);
  const shardName = options.shard ? `${options.shard.index}/${options.shard.count}` : '1/1';
  const rss = rssSampler();
  const base = { protocol: options.server ? 'ai-voice' : options.protocol, scenario: options.scenario.id, timeScale: options.timeScale, shards: [shardName] };
  try {
    if (options.server) return await loadServer(options, indices, base, rss, started);
    return await loadMock(options, indices, base, rss, started);
  } finally {
    rss.stop();
  }
}

type Base = { protocol: string; scenario: string; timeScale: number; shards: string[] };

async function loadMock(options: LoadOptions, indices: number[], base: Base, rss: RssSampler, started: number): Promise<LoadRun> {
  const { scenario, timeScale, protocol } = options;
  const clock = scaledClock(timeScale);
  // Gemini: one API key per conversation (a key is one conversation on that face); AI-voice: one share token, a session each.
  const keys = new Map(indices.map((i) => [i, protocol === 'gemini-live' ? `load_${i}_${shareTokenFor(options.seed, `load-${i}`).slice(6)}` : '']));
  const server = protocol === 'gemini-live'
    ? new GeminiLiveServer({ clock, seed: options.seed, script: scenario.server, tenants: [...keys.values()] })
    : new AiVoiceServer({ clock, seed: options.seed, script: scenario.server });
  const credential = protocol === 'gemini-live' ? undefined : (server as AiVoiceServer).shareToken;
  const running = await startWsServer(server);
  let runs: ClientRun[];
  let cpuUs: number;
  try {
    ({ runs, cpuUs } = await runClients(options, indices, (i) => ({ httpUrl: running.httpUrl, wsUrl: running.wsUrl, shareToken: credential ?? keys.get(i)! })));
  } finally {
    server.dispose();
    await running.close();
  }
  const protocolMs = clock.now();
  const split = splitByConversation(server.journal.events);
  const conversations = runs.map((run) => {
    const conversation = protocol === 'gemini-live'
      ? server.conversations.find((c) => c.shareToken === run.key)
      : server.conversations.find((c) => run.outcome.report.state === 'reported' && c.id === run.outcome.report.result.conversationId);
    let verdict = 'UNKNOWN';
    if (conversation) {
      const analysis = analyseRun(split.get(conversation.id) ?? [], protocolMs, { freshConnectionStartsSession: protocol === 'gemini-live' });
      // This conversation's secrets only: the credential, its session token, its handles.
      const secrets = [run.key || credential!, conversation.sessionToken, ...conversation.issued.map((h) => h.value)];
      verdict = judge({ scenario, protocol, analysis, client: run.outcome.report, output: run.output, secrets }).overall;
    }
    return conversationLoad(run, scenario, timeScale, verdict);
  });
  const summary = summarize({ ...base, target: 'mock', heldAtOnce: heldAtOnce(runs, timeScale), peakRssBytes: rss.peak(), wallMs: performance.now() - started }, conversations);
  const conversationCpuUs = cpuUs;
  if (!options.keepWire) return { summary, conversations, conversationCpuUs };
  const wire = [...split.values()].map((events) => events.flatMap((e): ReplayEvent[] => {
    if (e.kind === 'http-session') return [{ kind: 'session', t: e.t }];
    if (e.kind === 'open') return [{ kind: 'open', t: e.t, conn: e.conn }];
    // A dropped frame-out never reached the wire; binary frames have no text to replay.
    if (e.kind === 'frame-in' && e.text !== undefined) return [{ kind: 'in', t: e.t, conn: e.conn, text: e.text }];
    if (e.kind === 'frame-out' && e.text !== undefined && e.dropped !== true) return [{ kind: 'out', t: e.t, conn: e.conn, text: e.text }];
    return [];
  }));
  return { summary, conversations, wire, conversationCpuUs };
}

async function loadServer(options: LoadOptions, indices: number[], base: Base, rss: RssSampler, started: number): Promise<LoadRun> {
  const { scenario, timeScale } = options;
  const serverOptions = options.server!;
  const clock = scaledClock(timeScale);
  // Upstream, the Gemini face reads each fresh session's kick-off as the greeting request (server-contract.md §2).
  const mock = new GeminiLiveServer({ clock, seed: options.seed, script: scenario.server, kickOff: 'greeting-request' });
  const upstream: RunningServer = await startWsServer(mock);
  const shareToken = shareTokenFor(options.seed);
  try {
    const port = await freePort();
    const env = serverEnv({ port, geminiBaseUrl: upstream.httpUrl, apiKey: mock.apiKey, agents: [{ shareToken, ...SERVER_RUN_AGENT }], timeScale });
    const instance = await serverOptions.server.start({ env, port, readyTimeoutMs: serverOptions.readyTimeoutMs ?? 30_000, stopGraceMs: serverOptions.stopGraceMs ?? 5_000 });
    const readiness = await instance.readiness;
    if (readiness.state !== 'ready') {
      const record = await instance.stop();
      const harnessError = `the server under test could not be load-tested: ${readiness.reason}`;
      return { summary: summarize({ ...base, target: serverOptions.server.id, heldAtOnce: 0, peakRssBytes: rss.peak(), wallMs: performance.now() - started }, []), conversations: [], harnessError, server: record };
    }
    let runs: ClientRun[];
    try {
      ({ runs } = await runClients({ ...options, protocol: 'ai-voice' }, indices, () => ({ httpUrl: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}${WS_PATH}`, shareToken })));
    } catch (error) {
      await instance.stop();
      throw error;
    }
    const record = await instance.stop();
    const conversations = runs.map((run) => conversationLoad(run, scenario, timeScale, null));
    return { summary: summarize({ ...base, target: serverOptions.server.id, heldAtOnce: heldAtOnce(runs, timeScale), peakRssBytes: rss.peak(), wallMs: performance.now() - started }, conversations), conversations, server: record, secrets: [...mock.secrets(), shareToken] };
  } finally {
    mock.dispose();
    await upstream.close();
  }
}

/**
 * Every conversation of the slice at once, each the reference client with its own seed and
 * folder; `cpuUs` is the process's CPU while they ran (the folders' removal after is not counted).
 */
async function runClients(options: LoadOptions, indices: number[], endpoints: (i: number) => { httpUrl: string; wsUrl: string; shareToken: string }): Promise<{ runs: ClientRun[]; cpuUs: number }> {
  const { scenario, timeScale, protocol } = options;
  const workRoot = mkdtempSync(join(tmpdir(), 'resume-harness-load-'));
  // A conversation that cannot finish must not hold the run for the scenario's four-hour limit:
  // three times a generous estimate of it (a minute, and 20 protocol s a turn) will do.
  const wallLimitMs = Math.min(scenario.limit, 3 * (60 + 20 * scenario.conversation.maxTurns)) * 1000 * timeScale + 30_000;
  let done = 0;
  const cpuBefore = process.cpuUsage();
  const report = setInterval(() => options.progress?.(`load: ${done}/${indices.length} conversations done`), 5_000);
  try {
    const runs = await Promise.all(indices.map(async (index, position) => {
      const delay = ((options.rampMs ?? 0) * position) / indices.length;
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      const sut = protocol === 'gemini-live' ? geminiBuiltinSut() : builtinSut();
      const workDir = join(workRoot, `c${index}`);
      mkdirSync(workDir);
      const output: string[] = [];
      const { httpUrl, wsUrl, shareToken } = endpoints(index);
      let timer: NodeJS.Timeout | undefined;
      const limit = new Promise<SutRunOutcome>((resolve) => {
        timer = setTimeout(() => resolve({ report: { state: 'hung', reason: `no result after ${(wallLimitMs / 1000).toFixed(1)} s of real time` } }), wallLimitMs);
      });
      const startedAt = performance.now();
      const outcome = await Promise.race([
        sut.run({ protocol, httpUrl, wsUrl, shareToken, maxTurns: scenario.conversation.maxTurns, seed: options.seed + index, mode: 'network', timeScale, workDir, wallLimitMs, output: (line) => output.push(line) }),
        limit,
      ]);
      clearTimeout(timer);
      done += 1;
      const events = Array.isArray(outcome.extra?.events) ? (outcome.extra.events as ClientEvent[]) : [];
      return { index, outcome, output, events, key: protocol === 'gemini-live' ? shareToken : '', startedAt };
    }));
    const cpu = process.cpuUsage(cpuBefore);
    return { runs, cpuUs: cpu.user + cpu.system };
  } finally {
    clearInterval(report);
    rmSync(workRoot, { recursive: true, force: true });
  }
}

function conversationLoad(run: ClientRun, scenario: Scenario, timeScale: number, verdict: string | null): ConversationLoad {
  const maxTurns = scenario.conversation.maxTurns;
  const report = run.outcome.report;
  const result = report.state === 'reported' ? report.result : null;
  const resumes = resumeFigures(run.events);
  return {
    index: run.index,
    status: result?.status ?? report.state,
    turns: result?.turns ?? 0,
    maxTurns,
    lostTurns: Math.max(0, maxTurns - (result?.turns ?? 0)),
    reconnects: result?.reconnects ?? 0,
    contextLost: result?.contextLost ?? true,
    resumeLatenciesMs: resumes.latenciesMs.map((ms) => ms * timeScale),
    failedResumes: resumes.failed,
    verdict,
  };
}

/**
 * Conversations whose client had a connection open at the same moment, at most: from each
 * client's first `open` to its last `close` (or its end), on the real clock (each client's
 * protocol clock starts when it does).
 */
function heldAtOnce(runs: readonly ClientRun[], timeScale: number): number {
  const edges: Array<[number, number]> = [];
  for (const run of runs) {
    const first = run.events.find((e) => e.kind === 'open');
    const last = [...run.events].reverse().find((e) => e.kind === 'close' || e.kind === 'closed' || e.kind === 'run-end');
    if (first && last && last.t >= first.t) edges.push([run.startedAt + first.t * timeScale, 1], [run.startedAt + last.t * timeScale, -1]);
  }
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, delta] of edges) {
    now += delta;
    most = Math.max(most, now);
  }
  return most;
}

interface RssSampler {
  peak(): number;
  stop(): void;
}

/**
 * The peak RSS of the run. The kernel keeps the process's peak (getrusage's ru_maxrss): when it
 * grew during the run, the run set it, and it is exact. Otherwise the run stayed below an earlier
 * peak, and samples (once a second) stand in. Sampling every 100 ms was ~2 % of the harness's CPU
 * per message in bench:load's profile (each sample reads /proc), and could miss a peak between two.
 */
function rssSampler(): RssSampler {
  const maxRss = (): number => process.resourceUsage().maxRSS * 1024;
  const peakBefore = maxRss();
  let sampled = process.memoryUsage.rss();
  const timer = setInterval(() => { sampled = Math.max(sampled, process.memoryUsage.rss()); }, 1000);
  timer.unref();
  return {
    peak: () => {
      const kernel = maxRss();
      return Math.max(sampled, process.memoryUsage.rss(), kernel > peakBefore ? kernel : 0);
    },
    stop: () => clearInterval(timer),
  };
}
