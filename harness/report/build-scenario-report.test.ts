import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../protocol/redact.ts';
import { buildScenarioReport, minimalScenarioReport } from './build-scenario-report.ts';
import { ScenarioReportSchema } from './scenario-report-schema.ts';
import { HANDLE_SECRET, SECRETS, syntheticRun, TOKEN_SECRET } from './testing/synthetic-run.ts';

describe('buildScenarioReport', () => {
  const run = syntheticRun();
  const report = buildScenarioReport(run, false);

  it('validates against the report schema', () => {
    expect(() => ScenarioReportSchema.parse(report)).not.toThrow();
  });

  it('carries the scenario, the run parameters and the verdict per axis', () => {
    expect(report).toMatchObject({
      scenario: 'synthetic.drop', title: 'A drop with a turn in flight', group: 'connection-faults', severity: 'major', provenance: ['unit test'],
      seed: 42, scenarioSeed: 7, mode: 'virtual', strict: false, sut: { id: 'builtin', kind: 'builtin' },
      expect: { outcome: 'completes', maxTurns: 5 },
      verdict: { overall: 'FAILED', passed: false, axes: { reconnect: { verdict: 'FAILED', reason: 'reconnect reason.' }, context: { verdict: 'OK' } } },
      durations: { protocolMs: 12_000 },
      harnessError: null,
      reportError: null,
    });
  });

  it('puts the fault timeline as scripted next to what happened', () => {
    expect(report.faults.scripted.rules).toEqual([
      { rule: 0, note: 'drop it', when: 'at 6 s', actions: ['drop (no close frame)', 'outage: next 1 attempts refused with HTTP 503'], connection: null, after: 0, times: 1, toxicity: 1 },
    ]);
    expect(report.faults.scripted.expiry.summary).toContain('session_expiring (timeLeft 60 s) at 540 s');
    expect(report.faults.happened.filter((h) => h.kind === 'fault').map((h) => h.t)).toEqual([6000, 6000]);
    expect(report.faults.windows.length).toBe(3);
  });

  it('sets the client\'s result next to the server\'s view', () => {
    expect(report.comparison.client).toMatchObject({ state: 'reported', status: 'failed', turns: 1, reconnects: 1, contextLost: true });
    expect(report.comparison.server).toMatchObject({ turnsAnswered: 1, reconnects: 2 });
    expect(report.comparison.agree).toEqual({ turns: true, reconnects: false, contextLost: true });
    expect(report.turns).toMatchObject({ expected: 5, serverAnswered: 1, clientCounted: 1 });
    expect(report.turns.perConnection).toEqual([{ conn: 1, ordinal: 1, prospect: 2, agent: 1 }, { conn: 2, ordinal: 2, prospect: 0, agent: 0 }]);
  });

  it('redacts every secret in the client\'s output, result and post-mortem data, keeping the fingerprint', () => {
    const text = JSON.stringify(report);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expect(report.client.output[0]).toBe(`[sim t=0] connect sessionToken=${fingerprint(TOKEN_SECRET)}`);
    expect(report.comparison.client.reason).toBe(`gave up; handle was ${fingerprint(HANDLE_SECRET)}`);
    expect(JSON.stringify(report.client.extra)).toContain(fingerprint(TOKEN_SECRET));
  });

  it('keeps every wall-clock value under `wall` and nowhere else', () => {
    const a = buildScenarioReport(syntheticRun({ wallMs: 1 }), false);
    const b = buildScenarioReport(syntheticRun({ wallMs: 999 }), false);
    const { wall: wallA, ...restA } = a;
    const { wall: wallB, ...restB } = b;
    expect(JSON.stringify(restA)).toBe(JSON.stringify(restB));
    expect([wallA.wallMs, wallB.wallMs]).toEqual([1, 999]);
  });

  it('grades NON-STRICT as a pass unless strict', () => {
    const nonStrict = syntheticRun({ judgement: { overall: 'NON-STRICT', axes: syntheticRun().judgement.axes } });
    expect(buildScenarioReport(nonStrict, false).verdict.passed).toBe(true);
    expect(buildScenarioReport(nonStrict, true).verdict.passed).toBe(false);
  });

  it('reports a harness error with what was recorded', () => {
    const crashed = buildScenarioReport(syntheticRun({ harnessError: 'harness error: boom', client: { state: 'missing', reason: 'boom' }, journal: [] }), false);
    expect(ScenarioReportSchema.parse(crashed).harnessError).toBe('harness error: boom');
    expect(crashed.comparison.client).toEqual({ state: 'missing', status: null, turns: null, reconnects: null, contextLost: null, reason: 'boom' });
    expect(crashed.comparison.agree).toEqual({ turns: null, reconnects: null, contextLost: null });
  });
});

describe('minimalScenarioReport', () => {
  it('keeps the verdict and says why the rest is missing', () => {
    const report = minimalScenarioReport(syntheticRun(), true, new Error('cannot read the journal'));
    expect(ScenarioReportSchema.parse(report).reportError).toBe('the report could not be built in full: cannot read the journal');
    expect(report.verdict.overall).toBe('FAILED');
    expect(JSON.stringify(report)).not.toContain(HANDLE_SECRET);
  });
});
