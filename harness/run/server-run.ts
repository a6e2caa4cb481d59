/**
 * One scenario with a server under test in the middle (docs/server-contract.md): the harness
 * plays both of the server's neighbours. Upstream, the mock Gemini Live face plays the
 * scenario's script on a scaled clock and reads the server's kick-off as the greeting request;
 * downstream, the client system under test (by default the reference simulator) talks to the
 * server's HTTP and WebSocket endpoints with the agent's share token. The server is started
 * with the contract's environment, must accept a TCP connection within a bound, and is stopped
 * (SIGTERM, then SIGKILL) whatever happened. Network mode only.
 *
 * The six axes judge the conversation as the model saw it, from the Gemini face's journal; the
 * run's `server` section says what happened to the server and whether its output held a secret.
 */
import { createServer } from 'node:net';
import { scaledClock } from '../../protocol/clock.ts';
import { startLagMonitor, type LagReading } from './scheduling-lag.ts';
import { createRng } from '../../protocol/rng.ts';
import type { Clock } from '../../protocol/clock.ts';
import { startWsServer, type JournalEvent } from '../../mock-server/index.ts';
import { mockServerFor } from '../sandbox/mock-server.ts';
import { stopInterception } from '../sandbox/msw-interception.ts';
import type { Scenario } from '../scenario/schema.ts';
import { startRecordingProxy, type RecordingProxy } from '../server/recording-proxy.ts';
import { isolationProbe, tenantProbe, type ProbeOutcome } from '../server/server-probes.ts';
import { serverEnv, type ServerRecord, type ServerUnderTest } from '../server/server-under-test.ts';
import { WireLog, type WireEvent } from '../server/wire-log.ts';
import type { SutRunOutcome, SystemUnderTest } from '../sut/system-under-test.ts';

/** The agent shared under the run's share token (RESUME_HARNESS_AGENTS). */
export const SERVER_RUN_AGENT = {
  model: 'gemini-live-2.5-flash-preview',
  systemInstruction: 'You are Riley, a sales agent for Acme Solar. Greet the prospect, find out what they need, and keep answers short.',
} as const;

export interface ServerRunOptions {
  readonly server: ServerUnderTest;
  /** Real ms the server has to accept a TCP connection (default 30 s: a cold tsx start under load). */
  readonly readyTimeoutMs?: number;
  /** Real ms between SIGTERM and SIGKILL (default 5 s). */
  readonly stopGraceMs?: number;
  /** Real ms the upstream connections get to close once the client is done (default 2 s). */
  readonly settleMs?: number;
}

export interface ServerRawRun {
  readonly outcome: SutRunOutcome;
  /** The Gemini face's journal of the client's conversation: the conversation as the model saw it (the probes excluded). */
  readonly journal: JournalEvent[];
  /** The face's whole journal, the probes' upstream connections included: the server axes read it. */
  readonly upstreamJournal: JournalEvent[];
  /** The clock when the records were taken: what was still open then had not closed. */
  readonly recordedAt: number;
  /** The client side of the server's wire, as the recording proxy saw it (the probes' connections included). */
  readonly wire: WireEvent[];
  /** What the harness's own probes did after the client's conversation (tenant binding, isolation). */
  readonly probes: ProbeOutcome[];
  /** Everything the face issued (the API key, every handle) and the share token. */
  readonly secrets: string[];
  readonly protocolMs: number;
  readonly server: ServerRecord;
  /** The share token of the run's agent (a secret: reports show its fingerprint). */
  readonly shareToken: string;
  /** Set when the harness could not judge: the server never became ready, or exited at once. */
  readonly harnessError?: string;
  /** The harness's own scheduling lag while the client talked (from readiness to the client's end) and where it fell. */
  readonly lag?: LagReading;
}

export interface ServerRunInput {
  readonly scenario: Scenario;
  readonly sut: SystemUnderTest;
  readonly seed: number;
  readonly timeScale: number;
  readonly wallSlackMs?: number;
  readonly workDir: string;
  readonly output: string[];
}

export async function runThroughServer(input: ServerRunInput, options: ServerRunOptions): Promise<ServerRawRun> {
  const { scenario, sut, seed, timeScale, workDir, output } = input;
  // Real sockets need the real globals: an earlier virtual run's msw interception must go.
  stopInterception();
  const clock = scaledClock(timeScale);
  const mock = mockServerFor(scenario, clock, seed, 'gemini-live', { kickOff: 'greeting-request' });
  const running = await startWsServer(mock.face);
  const shareToken = shareTokenFor(seed);
  const foreignShareToken = shareTokenFor(seed, 'foreign');
  const secrets = (): string[] => [...mock.secrets(), shareToken, foreignShareToken];
  const wire = new WireLog();
  const proxies: RecordingProxy[] = [];
  try {
    const port = await freePort();
    const env = serverEnv({
      port,
      geminiBaseUrl: running.httpUrl,
      apiKey: mock.credential,
      // A second tenant, for the tenant-binding probe (server-contract.md §2: another share token's handle MUST be refused).
      agents: [{ shareToken, ...SERVER_RUN_AGENT }, { shareToken: foreignShareToken, ...SERVER_RUN_AGENT }],
      timeScale,
    });
    const instance = await options.server.start({ env, port, readyTimeoutMs: options.readyTimeoutMs ?? 30_000, stopGraceMs: options.stopGraceMs ?? 5_000 });
    let record: ServerRecord | undefined;
    try {
      const readiness = await instance.readiness;
      if (readiness.state !== 'ready') {
        record = await instance.stop();
        const reason = `the server under test could not be judged: ${readiness.reason}`;
        const events = [...mock.journal.events];
        return { outcome: { report: { state: 'missing', reason } }, journal: events, upstreamJournal: events, recordedAt: clock.now(), wire: [], probes: [], secrets: secrets(), protocolMs: clock.now(), server: record, shareToken, harnessError: reason };
      }
      const wallLimitMs = scenario.limit * 1000 * timeScale + (input.wallSlackMs ?? 15_000);
      // The client talks to the server through the recording proxy: the client side of the wire is judged too (server-contract.md §3).
      const proxy = await startRecordingProxy({ targetPort: port, log: wire, clock, party: 'client' });
      proxies.push(proxy);
      let timer: NodeJS.Timeout | undefined;
      const limit = new Promise<SutRunOutcome>((resolve) => {
        timer = setTimeout(() => resolve({ report: { state: 'hung', reason: `no result after ${(wallLimitMs / 1000).toFixed(1)} s of real time (the scenario's limit, scaled)` } }), wallLimitMs);
      });
      // Started once the server is ready: its start-up is not the conversation's timing (issue 12).
      const lagMonitor = startLagMonitor({ now: () => clock.now(), timeScale });
      let outcome: SutRunOutcome;
      let lag: LagReading;
      try {
        outcome = await Promise.race([
          sut.run({ protocol: 'ai-voice', httpUrl: proxy.httpUrl, wsUrl: proxy.wsUrl, shareToken, maxTurns: scenario.conversation.maxTurns, seed, mode: 'network', timeScale, workDir, wallLimitMs, output: (line) => output.push(line) }),
          limit,
        ]);
      } finally {
        clearTimeout(timer);
        // Stopped whatever happened: a monitor left running would probe every 5 ms for the rest of the process.
        lag = lagMonitor.stop();
      }
      // The client is done: the server closes the upstreams of its connections (server-contract.md §2). Wait for them, bounded.
      await proxy.settled(options.settleMs ?? 2_000);
      await upstreamsSettled(mock.journal.events, options.settleMs ?? 2_000);
      const protocolMs = clock.now();
      const journal = [...mock.journal.events];
      const probes = await runProbes({ port, wire, clock, timeScale, proxies, shareToken, foreignShareToken, handle: proxy.handlesReceived().at(-1) });
      await upstreamsSettled(mock.journal.events, options.settleMs ?? 2_000);
      const upstreamJournal = [...mock.journal.events];
      const recordedAt = clock.now();
      record = await instance.stop();
      return { outcome, journal, upstreamJournal, recordedAt, wire: [...wire.events], probes, secrets: secrets(), protocolMs, server: record, shareToken, lag };
    } finally {
      // Whatever happened (a throw included), the proxies end and the server is stopped: stop() is idempotent.
      await Promise.all(proxies.map((p) => p.close()));
      await instance.stop();
    }
  } finally {
    mock.dispose();
    await running.close();
  }
}

/** A share token of the run's own, derived from its seed (replayable, and never the face's key); `tenant` names another one. */
export function shareTokenFor(seed: number, tenant = 'main'): string {
  const rng = createRng(tenant === 'main' ? `share-token:${seed}` : `share-token:${tenant}:${seed}`);
  return `share_${Array.from({ length: 24 }, () => rng.int(0, 15).toString(16)).join('')}`;
}

interface ProbeInput {
  readonly port: number;
  readonly wire: WireLog;
  readonly clock: Clock;
  readonly timeScale: number;
  readonly proxies: RecordingProxy[];
  readonly shareToken: string;
  readonly foreignShareToken: string;
  /** The newest handle the client was given, raw (it never leaves memory). */
  readonly handle: string | undefined;
}

/**
 * After the client's conversation, what only the harness can try (server-contract.md §2): the
 * client's newest handle presented under the other share token, then two conversations of the
 * run's share token at once. Each through its own recording proxy, so the wire log names them.
 */
async function runProbes(input: ProbeInput): Promise<ProbeOutcome[]> {
  const { port, wire, clock, timeScale, proxies } = input;
  const tenantProxy = await startRecordingProxy({ targetPort: port, log: wire, clock, party: 'probe:tenant' });
  proxies.push(tenantProxy);
  const tenant = await tenantProbe({ proxy: tenantProxy, foreignShareToken: input.foreignShareToken, handle: input.handle, clock, timeScale });
  await tenantProxy.settled(2_000);
  const a = await startRecordingProxy({ targetPort: port, log: wire, clock, party: 'probe:isolation-a' });
  const b = await startRecordingProxy({ targetPort: port, log: wire, clock, party: 'probe:isolation-b' });
  proxies.push(a, b);
  const isolation = await isolationProbe({ a, b, shareToken: input.shareToken, clock, timeScale });
  await Promise.all([a.settled(2_000), b.settled(2_000)]);
  return [tenant, isolation];
}

/** A port free right now on 127.0.0.1, for RESUME_HARNESS_PORT. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => resolve());
  });
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no TCP address for the server under test');
  return address.port;
}

/** Until every connection the journal opened has closed, at most `ms` of real time. */
async function upstreamsSettled(events: readonly JournalEvent[], ms: number): Promise<void> {
  const end = performance.now() + ms;
  const open = (): boolean => {
    const closed = new Set(events.filter((e) => e.kind === 'close').map((e) => (e as { conn: number }).conn));
    return events.some((e) => e.kind === 'open' && !closed.has(e.conn));
  };
  while (open() && performance.now() < end) await new Promise((resolve) => setTimeout(resolve, 20));
}
