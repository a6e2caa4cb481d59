/**
 * Builds the per-scenario report object from a judged run. Pure and deterministic: the
 * same seed gives the same object, except under `wall`.
 */
import { passes } from '../judge/verdict.ts';
import type { ScenarioRun, ServerRun } from '../run/run-scenario.ts';
import type { ClientReport } from '../sut/system-under-test.ts';
import { scriptedFaults } from './fault-script.ts';
import { redactDeep } from './redaction.ts';
import { runFacts } from './run-facts.ts';
import { REPORT_VERSION, type ReportComparison, type ReportServerSection, type ScenarioReport } from './scenario-report-schema.ts';

export function buildScenarioReport(run: ScenarioRun, strict: boolean): ScenarioReport {
  const { scenario } = run;
  const facts = runFacts(run.journal, run.analysis, scenario.conversation.maxTurns);
  const client = clientSide(run.client);
  const report: ScenarioReport = {
    ...header(run, strict),
    faults: { scripted: scriptedFaults(scenario.server), happened: facts.happened, windows: facts.windows },
    connections: facts.connections,
    attempts: facts.attempts,
    turns: {
      expected: scenario.conversation.maxTurns,
      serverAnswered: facts.server.turnsAnswered,
      clientCounted: client.turns,
      perConnection: facts.perConnection,
      events: facts.turnEvents,
    },
    losses: facts.losses,
    comparison: {
      client,
      server: facts.server,
      agree: {
        turns: client.turns === null ? null : client.turns === facts.server.turnsAnswered,
        reconnects: client.reconnects === null ? null : client.reconnects === facts.server.reconnects,
        contextLost: client.contextLost === null ? null : client.contextLost === lostContext(facts.losses, facts.server),
      },
    },
    wire: facts.wire,
    events: facts.events,
    client: { report: { ...run.client }, extra: { ...run.clientExtra }, output: [...run.output] },
    ...footer(run),
  };
  return redactDeep(report, run.secrets);
}

/**
 * The report of a run whose details could not be rendered (a bug here, or a journal we do not
 * understand): the verdict and what is cheap to say survive, so the scenario keeps a report.
 */
export function minimalScenarioReport(run: ScenarioRun, strict: boolean, error: unknown): ScenarioReport {
  const client = clientSide(run.client);
  const report: ScenarioReport = {
    ...header(run, strict),
    faults: { scripted: scriptedFaults(run.scenario.server), happened: [], windows: [] },
    connections: [],
    attempts: [],
    turns: { expected: run.scenario.conversation.maxTurns, serverAnswered: 0, clientCounted: client.turns, perConnection: [], events: [] },
    losses: [],
    comparison: {
      client,
      server: { turnsAnswered: 0, connections: 0, reconnects: 0, resumed: 0, rejected: 0, conversations: 0, conversationEnded: false, finalContextTurns: 0, lostSlots: [] },
      agree: { turns: null, reconnects: null, contextLost: null },
    },
    wire: [],
    events: run.journal.filter((e) => e.kind !== 'frame-in' && e.kind !== 'frame-out').map((e) => ({ ...e })),
    client: { report: { ...run.client }, extra: {}, output: [...run.output] },
    ...footer(run),
    reportError: `the report could not be built in full: ${error instanceof Error ? error.message : String(error)}`,
  };
  return redactDeep(report, run.secrets);
}

function header(run: ScenarioRun, strict: boolean): Pick<ScenarioReport, 'reportVersion' | 'scenario' | 'base' | 'title' | 'description' | 'expectation' | 'why' | 'group' | 'severity' | 'provenance' | 'expect' | 'seed' | 'scenarioSeed' | 'protocol' | 'mode' | 'timeScale' | 'strict' | 'sut' | 'verdict' | 'server'> {
  const s = run.scenario;
  return {
    reportVersion: REPORT_VERSION,
    scenario: s.id,
    base: s.base ?? null,
    title: s.title,
    description: s.description,
    expectation: s.expectation,
    why: s.why,
    group: s.group,
    severity: s.severity,
    provenance: [...s.provenance],
    expect: {
      outcome: s.expect.outcome,
      maxAttemptsPerOutage: s.expect.maxAttemptsPerOutage,
      minRetryGapS: s.expect.minRetryGap,
      stallAfterS: s.expect.stallAfter,
      maxTurns: s.conversation.maxTurns,
      limitS: s.limit,
    },
    seed: run.seed,
    scenarioSeed: run.scenarioSeed,
    protocol: run.protocol,
    mode: run.mode,
    timeScale: run.timeScale,
    strict,
    sut: { id: run.sut.id, kind: run.sut.kind },
    verdict: {
      overall: run.judgement.overall,
      passed: passes(run.judgement.overall, strict),
      axes: { ...run.judgement.axes },
    },
    ...(run.server ? { server: serverSection(run.server) } : {}),
  };
}

/** The server under test, without its wall-clock figures (they go under `wall`). */
function serverSection(server: ServerRun): ReportServerSection {
  return {
    id: server.id,
    kind: server.kind,
    client: server.client,
    upstream: server.upstream,
    shareToken: server.shareToken,
    state: server.state,
    reason: server.reason,
    exitCode: server.exitCode,
    signal: server.signal,
    stoppedWith: server.stoppedWith,
    verdict: server.judgement.verdict,
    lifecycle: { ...server.judgement.lifecycle },
    secrets: { ...server.judgement.secrets },
    axes: { ...server.judgement.axes },
    wire: server.wire.map((event) => ({ ...event })),
    probes: server.probes.map((probe) => ({ ...probe })),
    stdout: [...server.stdout],
    stderr: [...server.stderr],
    droppedLines: server.droppedLines,
    details: { ...server.details },
  };
}

function footer(run: ScenarioRun): Pick<ScenarioReport, 'durations' | 'harnessError' | 'reportError' | 'wall'> {
  return {
    durations: { protocolMs: run.protocolMs },
    harnessError: run.harnessError ?? null,
    reportError: null,
    // The writer fills in the run id and the date; nothing else in the report is wall-clock.
    wall: {
      wallMs: run.wallMs,
      runId: null,
      reportedAt: null,
      ...(run.server ? { server: { readyMs: run.server.readyMs, stopMs: run.server.stopMs, containerStartMs: run.server.containerStartMs ?? null } } : {}),
    },
  };
}

function clientSide(client: ClientReport): ReportComparison['client'] {
  if (client.state !== 'reported') {
    return { state: client.state, status: null, turns: null, reconnects: null, contextLost: null, reason: client.reason };
  }
  const r = client.result;
  const reason = typeof r.reason === 'string' ? r.reason : null;
  return { state: 'reported', status: r.status, turns: r.turns, reconnects: r.reconnects, contextLost: r.contextLost, reason };
}

/** The server's view of "context lost": the conversation never completed whole. */
function lostContext(losses: ScenarioReport['losses'], server: ReportComparison['server']): boolean {
  return losses.some((l) => l.kind === 'context' || l.kind === 'new-session' || l.kind === 'unfinished') || server.lostSlots.length > 0;
}
