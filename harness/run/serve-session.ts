/**
 * `serve`: the mock server alone, for a client a person drives by hand (a browser, a phone, an
 * app under a debugger), judged the way Autobahn's fuzzing server judges the clients that
 * connect to it — from what it saw on the wire. One scenario (a catalog id or a scenario file),
 * one conversation: the verdict comes when the conversation is over (conversation_end, or every
 * turn answered, and every connection closed) or when the person stops the server (Ctrl-C).
 *
 * A client driven by hand writes no result file (docs/sut-contract.md §4), so its result is
 * taken as the server saw it: the turns answered, the reconnects made, the context lost or not.
 * What only the client's own claim can show — a loss it kept silent, a turn count of its own —
 * is therefore not judged here; `run` with `--sut cmd:` judges that.
 */
import { resolve } from 'node:path';
import { scaledClock } from '../../protocol/clock.ts';
import type { Protocol, SutResult } from '../../protocol/sut-result.ts';
import { startWsServer, type JournalEvent } from '../../mock-server/index.ts';
import { analyseRun, type RunAnalysis } from '../analysis/run-analysis.ts';
import { UsageError } from '../errors.ts';
import { judge, type Judgement } from '../judge/judge.ts';
import { AXES, passes } from '../judge/verdict.ts';
import { mockServerFor } from '../sandbox/mock-server.ts';
import { catalogFiles, isScenarioFilePath, loadFiles } from '../scenario/loader.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { ClientReport } from '../sut/system-under-test.ts';

/**
 * The scenario `--scenario` names: a catalog id, a scenario file (its base scenario, or the
 * only one it holds), or `FILE#ID` for one variant of a file.
 */
export function resolveServeScenario(spec: string, cwd: string, protocol: Protocol): Scenario {
  const hash = spec.lastIndexOf('#');
  const [path, wanted] = hash > 0 ? [spec.slice(0, hash), spec.slice(hash + 1)] : [spec, undefined];
  let scenario: Scenario;
  if (isScenarioFilePath(path)) {
    const loaded = loadFiles([resolve(cwd, path)]).map((l) => l.scenario);
    const found = wanted === undefined ? (loaded.length === 1 ? loaded[0] : loaded.find((s) => s.base === undefined)) : loaded.find((s) => s.id === wanted);
    if (!found) throw new UsageError(`${path} has no scenario "${wanted}"; it holds ${loaded.map((s) => s.id).join(', ')} (serve --scenario FILE#ID picks one)`);
    scenario = found;
  } else {
    const found = loadFiles(catalogFiles()).find((l) => l.scenario.id === spec);
    if (!found) throw new UsageError(`no scenario "${spec}" in the catalog, and not a scenario file (*.scenario.json or *.json) (see: resume-harness list)`);
    scenario = found.scenario;
  }
  if (!scenario.faces.includes(protocol)) throw new UsageError(`scenario ${scenario.id} belongs to ${scenario.faces.join(', ')}, not ${protocol} (see: resume-harness list)`);
  return scenario;
}

/** 127.0.0.0/8, ::1 and localhost: the addresses nothing outside this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare) || /^::ffff:127(\.\d{1,3}){3}$/.test(bare);
}

export interface ServeAddress {
  readonly httpUrl: string;
  readonly wsUrl: string;
  /** The share token (AI-voice) or API key (Gemini face) the mock accepts. */
  readonly credential: string;
}

export interface ServeSessionOptions {
  readonly scenario: Scenario;
  readonly protocol: Protocol;
  readonly seed?: number;
  /** Real seconds per protocol second; 1 for a person at the keyboard. */
  readonly timeScale: number;
  readonly port?: number;
  readonly host?: string;
  /** Resolves when the person stops the server (Ctrl-C): the verdict is given on what happened so far. */
  readonly until: Promise<void>;
  readonly out: (text: string) => void;
  readonly warn: (text: string) => void;
  /** Once the server listens (a test connects its client then). */
  readonly onListening?: (address: ServeAddress) => void;
  /** How often the journal is printed and the end looked for, in real ms (default 100). */
  readonly pollMs?: number;
}

export interface ServeOutcome {
  /** Why the session ended: the conversation was over, or the person stopped it. */
  readonly ended: 'conversation-over' | 'stopped';
  /** null when no client ever connected: there is nothing to judge. */
  readonly judgement: Judgement | null;
  readonly client: ClientReport | null;
  readonly journal: readonly JournalEvent[];
  /** 0 when the verdict passes (NON-STRICT passes) or nothing was judged; 1 when it fails; 3 when it is UNKNOWN (the CLI's codes). */
  readonly exitCode: 0 | 1 | 3;
}

/**
 * Over when no connection is open and the conversation has ended: the server sent
 * conversation_end (spec §3), or the client has had every turn of the scenario answered.
 */
export function conversationOver(journal: readonly JournalEvent[], analysis: () => RunAnalysis, maxTurns: number): boolean {
  const open = new Set<number>();
  let opened = false;
  let ended = false;
  for (const event of journal) {
    if (event.kind === 'open') { open.add(event.conn); opened = true; }
    else if (event.kind === 'close') open.delete(event.conn);
    else if (event.kind === 'conversation-end') ended = true;
  }
  if (!opened || open.size > 0) return false;
  if (ended) return true;
  try {
    return analysis().facts.answeredTurns >= maxTurns;
  } catch {
    return false;
  }
}

/** The result a hand-driven client would have reported, as the server saw it (see the header). */
export function resultSeenByServer(analysis: RunAnalysis, maxTurns: number): SutResult {
  const facts = analysis.facts;
  const lost = facts.lostSlots.length > 0 || facts.newSessionAfterTurns;
  return {
    status: facts.answeredTurns >= maxTurns && !lost ? 'completed' : 'failed',
    turns: facts.answeredTurns,
    reconnects: Math.max(0, analysis.timeline.attempts.length - 1),
    contextLost: lost,
  };
}

export async function serveSession(options: ServeSessionOptions): Promise<ServeOutcome> {
  const { scenario, protocol } = options;
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) {
    options.warn(`resume-harness: warning: --host ${host} is not a loopback address: anyone who can reach this machine can open sessions, and the ${protocol === 'gemini-live' ? 'API key' : 'share token'} below travels unencrypted. Use it only on a network you trust.\n`);
  }
  const clock = scaledClock(options.timeScale);
  const server = mockServerFor(scenario, clock, options.seed, protocol);
  let running: Awaited<ReturnType<typeof startWsServer>>;
  try {
    running = await startWsServer(server.face, { port: options.port ?? 0, host });
  } catch (error) {
    server.dispose();
    throw error;
  }
  const address: ServeAddress = { httpUrl: running.httpUrl, wsUrl: running.wsUrl, credential: server.credential };
  const where =
    protocol === 'gemini-live'
      ? [
          // sut-contract §6: what @google/genai reads; any Gemini Live app can be pointed here.
          `  GOOGLE_GEMINI_BASE_URL=${running.httpUrl}`,
          `  GEMINI_API_KEY=${server.credential}`,
          `  wss → ${running.wsUrl}?key=… (v1, v1beta and v1alpha paths, ?key= or x-goog-api-key)`,
        ]
      : [
          `  RESUME_HARNESS_HTTP_URL=${running.httpUrl}`,
          `  RESUME_HARNESS_WS_URL=${running.wsUrl}`,
          `  RESUME_HARNESS_SHARE_TOKEN=${server.credential}`,
          `  POST ${running.httpUrl}/api/sales-agent/${server.credential}/session`,
        ];
  options.out(
    [
      `resume-harness: serving scenario ${scenario.id} on the ${protocol} face (time scale ${options.timeScale})`,
      ...where,
      `  one conversation of ${scenario.conversation.maxTurns} turns is judged when it is over (conversation_end, or every turn answered, and every connection closed) or on Ctrl-C`,
      '  journal events follow (handles and tokens redacted)',
      '',
    ].join('\n'),
  );
  options.onListening?.(address);

  const analysisNow = (): RunAnalysis => analyseRun(server.journal.events, clock.now(), { freshConnectionStartsSession: protocol === 'gemini-live' });
  let printed = 0;
  const flush = (): void => {
    const events = server.journal.events;
    // The journal never holds a secret (frames are redacted as they are recorded).
    for (; printed < events.length; printed++) options.out(`${JSON.stringify(events[printed])}\n`);
  };
  let pump: NodeJS.Timeout | undefined;
  const over = new Promise<'conversation-over'>((resolveOver) => {
    pump = setInterval(() => {
      flush();
      if (conversationOver(server.journal.events, analysisNow, scenario.conversation.maxTurns)) resolveOver('conversation-over');
    }, options.pollMs ?? 100);
  });
  try {
    const ended = await Promise.race([over, options.until.then(() => 'stopped' as const)]);
    clearInterval(pump);
    flush();
    const journal = [...server.journal.events];
    if (!journal.some((e) => e.kind === 'open' || e.kind === 'http-session' || e.kind === 'upgrade-rejected')) {
      options.out(`\nresume-harness: ${ended === 'stopped' ? 'stopped' : 'over'}: no client came; nothing to judge.\n`);
      return { ended, judgement: null, client: null, journal, exitCode: 0 };
    }
    const analysis = analyseRun(journal, clock.now(), { freshConnectionStartsSession: protocol === 'gemini-live' });
    let client: ClientReport;
    try {
      client = { state: 'reported', result: resultSeenByServer(analysis, scenario.conversation.maxTurns) };
    } catch (error) {
      client = { state: 'invalid', reason: `the journal could not be read as a conversation: ${(error as Error).message}` };
    }
    // No client output reaches the harness: the secrets axis has nothing to read (OK, "printed nothing").
    const judgement = judge({ scenario, protocol, analysis, client, output: [], secrets: server.secrets() });
    const exitCode = passes(judgement.overall, false) ? 0 : judgement.overall === 'UNKNOWN' ? 3 : 1;
    options.out(
      [
        '',
        `resume-harness: ${ended === 'stopped' ? 'stopped by hand' : 'the conversation is over'}: ${scenario.id} → ${judgement.overall}`,
        ...AXES.map((axis) => `  ${axis.padEnd(10)} ${judgement.axes[axis].verdict.padEnd(14)} ${judgement.axes[axis].reason}`),
        `  (judged from the server's side: a client driven by hand reports no result, so its turn count and contextLost are taken as the server saw them)`,
        '',
      ].join('\n'),
    );
    return { ended, judgement, client, journal, exitCode };
  } finally {
    clearInterval(pump);
    server.dispose();
    await running.close();
  }
}
