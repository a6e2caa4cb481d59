import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../report-writer.ts';
import { judgementOf, passingRun, syntheticRun } from '../testing/synthetic-run.ts';
import { sink } from '../testing/sink.ts';
import { annotation, escapeData, escapeProperty } from './github-actions-reporter.ts';
import { colourWanted, type RunEnd, type ScenarioOutcome } from './terminal-reporter.ts';
import { createTerminalReporter, TERMINAL_REPORTER_NAMES } from './terminal-reporters.ts';

const summary: RunSummary = { runDir: '/repo/reports/run-1', counts: { OK: 1, 'NON-STRICT': 1, INFORMATIONAL: 0, FAILED: 2, UNKNOWN: 1 }, passed: 2, failed: 3, total: 5, files: [] };
const outcomes: ScenarioOutcome[] = [
  { run: passingRun(), passed: true },
  { run: syntheticRun({ judgement: judgementOf({ expiry: 'NON-STRICT' }) }), passed: true, scenarioFile: '/repo/scenarios/x.scenario.json' },
  { run: syntheticRun({ judgement: judgementOf({ reconnect: 'FAILED' }) }), passed: false, scenarioFile: '/repo/scenarios/core/goaway.scenario.json', files: { json: '/repo/reports/run-1/synthetic.drop.json', html: null } },
  { run: syntheticRun({ judgement: judgementOf({ turns: 'FAILED' }) }), passed: false, baselined: 'turns: known' },
  { run: syntheticRun({ judgement: judgementOf({ context: 'UNKNOWN' }) }), passed: false },
];
const end: RunEnd = { summary, seed: 7, durationMs: 65_000, outcomes };

function play(name: (typeof TERMINAL_REPORTER_NAMES)[number]): { out: string; err: string } {
  const out = sink(false);
  const err = sink(false);
  const reporter = createTerminalReporter(name, { out, err, colour: false, cwd: '/repo' });
  reporter.info('resume-harness: 5 scenarios');
  for (const o of outcomes) {
    reporter.scenarioStarted(o.run.scenario.id, o.run.sut.id);
    reporter.scenarioDone(o);
  }
  reporter.finished(end);
  return { out: out.text(), err: err.text() };
}

describe('terminal reporters (--reporter)', () => {
  it('the registry holds default, dot, json and github-actions', () => {
    expect(TERMINAL_REPORTER_NAMES).toEqual(['default', 'dot', 'json', 'github-actions']);
  });

  it('dot: one mark per scenario, then every failure in full', () => {
    const { out } = play('dot');
    expect(out.split('\n')[1]).toBe('.nFbU');
    expect(out).toContain('Failed (2):');
    expect(out).toContain('Baselined (1), accepted by --baseline:');
    expect(out).toContain('2 failed (+1 baselined) in 65 s · seed 7');
  });

  it('json: stdout is one JSON document, notes go to stderr', () => {
    const { out, err } = play('json');
    expect(err).toBe('resume-harness: 5 scenarios\n');
    const doc = JSON.parse(out) as { passed: boolean; failed: number; baselined: number; seed: number; scenarios: Array<{ verdict: string; reason: string; report: string | null; baselined?: string }> };
    expect(doc).toMatchObject({ passed: false, failed: 2, baselined: 1, seed: 7, durationMs: 65_000, reports: 'reports/run-1' });
    expect(doc.scenarios.map((s) => s.verdict)).toEqual(['OK', 'NON-STRICT', 'FAILED', 'FAILED', 'UNKNOWN']);
    expect(doc.scenarios[2]).toMatchObject({ reason: 'reconnect: reconnect reason.', report: 'reports/run-1/synthetic.drop.json' });
    expect(doc.scenarios[3]).toMatchObject({ baselined: 'turns: known', reason: 'turns: turns reason.' });
  });

  it('github-actions: the plain log, then an ::error per failure pointing at its scenario file, ::warning for NON-STRICT and baselined', () => {
    const { out } = play('github-actions');
    expect(out).toContain('FAILED         synthetic.drop  reconnect: reconnect reason.\n');
    const commands = out.split('\n').filter((l) => l.startsWith('::'));
    expect(commands).toEqual([
      '::warning file=scenarios/x.scenario.json,title=synthetic.drop%3A NON-STRICT::expiry: expiry reason.',
      '::error file=scenarios/core/goaway.scenario.json,title=synthetic.drop%3A FAILED::reconnect: reconnect reason.%0Areport: reports/run-1/synthetic.drop.json',
      '::warning title=synthetic.drop%3A FAILED (baselined)::turns: turns reason. (baselined: turns: known)',
      '::error title=synthetic.drop%3A UNKNOWN::context: context reason.',
    ]);
    expect(annotation(outcomes[0]!, '/repo')).toBeNull();
  });

  it('escapes workflow-command data and properties', () => {
    expect(escapeData('50% done\r\nnext')).toBe('50%25 done%0D%0Anext');
    expect(escapeProperty('a:b,c')).toBe('a%3Ab%2Cc');
  });

  it('colour: FORCE_COLOR forces either way and wins over NO_COLOR; NO_COLOR turns it off; else a TTY has colour', () => {
    expect(colourWanted(true, {})).toBe(true);
    expect(colourWanted(false, {})).toBe(false);
    expect(colourWanted(true, { NO_COLOR: '1' })).toBe(false);
    expect(colourWanted(true, { NO_COLOR: '' })).toBe(true);
    expect(colourWanted(false, { FORCE_COLOR: '1' })).toBe(true);
    expect(colourWanted(false, { FORCE_COLOR: '' })).toBe(true);
    expect(colourWanted(true, { FORCE_COLOR: '0' })).toBe(false);
    expect(colourWanted(false, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(true);
  });
});
