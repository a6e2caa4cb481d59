/**
 * A small hand-written run whose every fact is known, for the unit tests of the report
 * modules: one fresh connection that answers a turn, gets session_expiring and is dropped with
 * a turn in flight; a refused attempt; a second connection whose handle is silently rejected
 * (context lost); the client gives up. Secrets appear in the client's output, result and
 * post-mortem data, as a careless client would print them.
 */
import type { JournalEvent } from '../../../mock-server/index.ts';
import { analyseRun } from '../../analysis/run-analysis.ts';
import type { Judgement } from '../../judge/judge.ts';
import { AXES, type Axis, type AxisVerdict, type Verdict } from '../../judge/verdict.ts';
import type { ScenarioRun } from '../../run/run-scenario.ts';
import { Scenario } from '../../scenario/schema.ts';
import type { SystemUnderTest } from '../../sut/system-under-test.ts';
import { buildScenarioReport } from '../build-scenario-report.ts';
import { SutFolders } from '../report-paths.ts';
import type { ReportEntry, RunContext } from '../reporters/reporter.ts';

export const HANDLE_SECRET = 'hNdL-0123456789abcdefghijklmnopqrstuv';
export const TOKEN_SECRET = 'tOkEn-9876543210zyxwvutsrqponm';
export const SECRETS = [HANDLE_SECRET, TOKEN_SECRET];
/** The fingerprints the server's journal carries instead. */
export const H1 = '‹aaaa0001›';
export const H2 = '‹aaaa0002›';

export const syntheticScenario = (): Scenario => Scenario.parse({
  id: 'synthetic.drop',
  title: 'A drop with a turn in flight',
  description: 'Connection 1 is dropped after session_expiring; the resume is silently rejected.',
  expectation: 'The client resumes with the newest handle and re-sends the lost message.',
  why: 'Unit fixture.',
  group: 'connection-faults',
  provenance: ['unit test'],
  conversation: { maxTurns: 5 },
  server: { faults: [{ note: 'drop it', when: { at: 6 }, do: [{ drop: {} }, { outage: { attempts: 1, status: 503 } }] }] },
  expect: { outcome: 'completes' },
});

export const fakeSut = (id = 'builtin'): SystemUnderTest => ({
  id,
  kind: id === 'builtin' ? 'builtin' : 'module',
  modes: ['virtual'],
  run: () => Promise.reject(new Error('not runnable: a fixture')),
});

export function syntheticJournal(): JournalEvent[] {
  const handle = (id: string, seq: number, turns: number, t: number) => ({ id, seq, turns, issuedOnConnection: 1, issuedAt: t });
  return [
    { kind: 'http-session', t: 0, status: 201, conversationId: 'conv_1', sessionToken: '‹70c0e000›' },
    { kind: 'open', t: 0, conn: 1, ordinal: 1, conversationId: 'conv_1', presented: null, handle: null, resume: 'none', contextTurns: 0, contextIds: [], conversationTurns: 0, latestIssued: null, openConnections: [] },
    { kind: 'frame-out', t: 500, conn: 1, text: '{"type":"transcript","role":"agent","text":"Hello","final":true}', bytes: 60, binary: false, type: 'transcript' },
    { kind: 'agent-turn', t: 500, conn: 1, turn: 0, greeting: true },
    { kind: 'frame-out', t: 500, conn: 1, text: `{"type":"session_resumption_update","handle":"${H1}","resumable":true}`, bytes: 90, binary: false, type: 'session_resumption_update' },
    { kind: 'handle-issued', t: 500, conn: 1, handle: handle(H1, 1, 0, 500), reason: 'turn' },
    { kind: 'frame-in', t: 1000, conn: 1, text: '{"type":"prospect_message","text":"one"}', bytes: 40, binary: false, decoded: 'valid', type: 'prospect_message' },
    { kind: 'prospect-turn', t: 1000, conn: 1, turn: 1, contextTurns: 0, textId: '‹11111111›' },
    { kind: 'agent-turn', t: 3000, conn: 1, turn: 1, greeting: false, answers: '‹11111111›' },
    { kind: 'handle-issued', t: 3000, conn: 1, handle: handle(H2, 2, 1, 3000), reason: 'turn' },
    { kind: 'frame-in', t: 4000, conn: 1, text: '{"type":"prospect_message","text":"two"}', bytes: 40, binary: false, decoded: 'valid', type: 'prospect_message' },
    { kind: 'prospect-turn', t: 4000, conn: 1, turn: 2, contextTurns: 1, textId: '‹22222222›' },
    { kind: 'expiring', t: 5000, conn: 1, timeLeft: 3, deadline: 8000, hasHandle: true },
    { kind: 'fault', t: 6000, conn: 1, rule: 0, action: 'drop' },
    { kind: 'close', t: 6000, conn: 1, code: 1006, reason: '', by: 'server', cause: 'fault: drop' },
    { kind: 'fault', t: 6000, conn: 1, rule: 0, action: 'outage', detail: 'next 1 attempts fail' },
    { kind: 'upgrade-rejected', t: 6500, status: 503, reason: 'fault: outage', conversationId: 'conv_1', attempt: 2, handle: H2 },
    { kind: 'open', t: 9000, conn: 2, ordinal: 2, conversationId: 'conv_1', presented: H2, handle: handle(H2, 2, 1, 3000), resume: 'rejected', rejection: 'silent-fresh', rejectReason: 'forced', contextTurns: 0, contextIds: [], conversationTurns: 1, latestIssued: handle(H2, 2, 1, 3000), openConnections: [] },
    { kind: 'agent-turn', t: 9500, conn: 2, turn: 0, greeting: true },
    { kind: 'frame-in', t: 9800, conn: 2, text: '{"type":"end"}', bytes: 14, binary: false, decoded: 'unknown-type', problem: 'unknown type "end"' },
    { kind: 'close', t: 10000, conn: 2, code: 1000, reason: 'context lost', by: 'client' },
  ];
}

export function judgementOf(verdicts: Partial<Record<Axis, Verdict>> = {}): Judgement {
  const axes = Object.fromEntries(AXES.map((a): [Axis, AxisVerdict] => [a, { verdict: verdicts[a] ?? 'OK', reason: `${a} reason.` }])) as Record<Axis, AxisVerdict>;
  const values = AXES.map((a) => axes[a].verdict);
  const overall: Verdict = values.includes('FAILED') ? 'FAILED' : values.includes('UNKNOWN') ? 'UNKNOWN' : values.includes('NON-STRICT') ? 'NON-STRICT' : 'OK';
  return { overall, axes };
}

/** The run's analysis follows the journal and protocol time of the overrides, as run/ works it out. */
export function syntheticRun(overrides: Partial<ScenarioRun> = {}): ScenarioRun {
  const run: Omit<ScenarioRun, 'analysis'> & { analysis?: ScenarioRun['analysis'] } = {
    scenario: syntheticScenario(),
    sut: fakeSut(),
    protocol: 'ai-voice',
    mode: 'virtual',
    seed: 42,
    scenarioSeed: 7,
    timeScale: 1,
    judgement: judgementOf({ reconnect: 'FAILED', turns: 'FAILED' }),
    client: { state: 'reported', result: { status: 'failed', turns: 1, reconnects: 1, contextLost: true, reason: `gave up; handle was ${HANDLE_SECRET}` } },
    clientExtra: { events: [{ t: 6000, kind: 'closed', token: TOKEN_SECRET }] },
    output: [`[sim t=0] connect sessionToken=${TOKEN_SECRET}`, `[sim t=3000] handle ${HANDLE_SECRET}`, 'plain line'],
    journal: syntheticJournal(),
    secrets: SECRETS,
    protocolMs: 12_000,
    wallMs: 3.5,
    ...overrides,
  };
  return { ...run, analysis: run.analysis ?? analyseRun(run.journal, run.protocolMs) };
}

/** A run context as the writer passes it to reporters. */
export const runContext = (overrides: Partial<RunContext> = {}): RunContext => ({
  runId: 'run-unit', seed: 42, mode: 'virtual', strict: false, timeScale: 1, formats: new Set(['json', 'md', 'junit', 'html']),
  wall: { startedAt: '2026-01-01T00:00:00.000Z', finishedAt: null }, ...overrides,
});

/** A reported scenario with the file names the writer would give it. */
export function entryOf(run: ScenarioRun, strict = false): ReportEntry {
  const folders = new SutFolders();
  return { report: buildScenarioReport(run, strict), files: { json: folders.fileOf(run.sut.id, run.scenario.id, 'json'), html: folders.fileOf(run.sut.id, run.scenario.id, 'html') } };
}

/** The synthetic run judged OK on every axis, under another scenario id. */
export function passingRun(id = 'synthetic.ok', sut = 'builtin'): ScenarioRun {
  return syntheticRun({ scenario: { ...syntheticScenario(), id, title: 'All good' }, sut: fakeSut(sut), judgement: judgementOf() });
}
