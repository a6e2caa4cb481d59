/**
 * A scenario whose judging breaks is UNKNOWN — never a pass — with the reason on every axis,
 * and it costs the scenarios after it nothing: they run, are judged and keep their reports.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { passes } from '../../harness/judge/verdict.ts';
import { createReportWriter } from '../../harness/report/report-writer.ts';
import { runScenario } from '../../harness/run/run-scenario.ts';
import { loadCatalog } from '../../harness/scenario/loader.ts';
import { builtinSut } from '../../harness/sut/builtin-sut.ts';
import type { SystemUnderTest } from '../../harness/sut/system-under-test.ts';

/** An adapter that breaks its own contract ("never throws") the moment it is called: a harness failure. */
const brokenAdapter: SystemUnderTest = {
  id: 'builtin',
  kind: 'builtin',
  modes: ['virtual'],
  run: () => {
    throw new Error('adapter exploded');
  },
};

/** An adapter that says "reported" with no result at all: the client's finding, judged, not a crash. */
const emptyReport: SystemUnderTest = { ...brokenAdapter, run: async () => ({ report: { state: 'reported', result: null as never } }) };

describe('a harness error in one scenario', () => {
  it('is UNKNOWN on every axis, fails the gate, and the next scenario still runs and keeps its report', async () => {
    const [first, second] = loadCatalog().map((l) => l.scenario).filter((s) => s.id === 'invalid-handle' || s.id === 'invalid-handle.close-4003');
    const reportsRoot = mkdtempSync(join(tmpdir(), 'rh-errors-'));
    const writer = await createReportWriter({ reportsRoot, runId: 'r', formats: new Set(['json']), seed: 9, mode: 'virtual', strict: false, timeScale: 1 });
    const broken = await runScenario(first!, brokenAdapter, { mode: 'virtual', seed: 9, timeScale: 1 });
    await writer.scenarioDone(broken);
    const fine = await runScenario(second!, builtinSut(), { mode: 'virtual', seed: 9, timeScale: 1 });
    await writer.scenarioDone(fine);
    const summary = await writer.finish();

    expect(broken.judgement.overall).toBe('UNKNOWN');
    expect(passes(broken.judgement.overall, false)).toBe(false);
    expect(Object.values(broken.judgement.axes).every((a) => a.verdict === 'UNKNOWN' && /adapter exploded/.test(a.reason))).toBe(true);
    const brokenReport = JSON.parse(readFileSync(join(summary.runDir, `${first!.id}.json`), 'utf8'));
    expect(brokenReport.verdict.overall).toBe('UNKNOWN');
    const fineReport = JSON.parse(readFileSync(join(summary.runDir, `${second!.id}.json`), 'utf8'));
    expect(fineReport.verdict.overall).toBe('OK');
    expect(summary.counts.UNKNOWN).toBe(1);
    expect(summary.failed).toBe(1);
  });

  it('a "reported" state without a result is the client\'s invalid result, judged FAILED, not a crash', async () => {
    const scenario = loadCatalog().find((l) => l.scenario.id === 'invalid-handle')!.scenario;
    const run = await runScenario(scenario, emptyReport, { mode: 'virtual', seed: 9, timeScale: 1 });
    expect(run.client).toMatchObject({ state: 'invalid' });
    expect(run.judgement.overall).toBe('FAILED');
  });
});
