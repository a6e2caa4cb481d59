/**
 * The catalog against the reference simulator and against a deliberately broken client, in
 * one matrix run with every format: each file is checked for what it says, not only that it
 * exists.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import mermaid from 'mermaid';
import { beforeAll, describe, expect, it } from 'vitest';
import { AXES } from '../../harness/judge/verdict.ts';
import { oneSentenceReason } from '../../harness/report/render/verdicts.ts';
import { MAX_DIAGRAMS } from '../../harness/report/reporters/markdown-reporter.ts';
import { mermaidSequence } from '../../harness/report/render/mermaid-sequence.ts';
import { ScenarioReportSchema, type ScenarioReport } from '../../harness/report/scenario-report-schema.ts';
import { validateAgainstXsd, XMLLINT_MISSING, xmllintAvailable } from '../../harness/report/testing/xmllint.ts';
import type { ScenarioRun } from '../../harness/run/run-scenario.ts';
import { loadCatalog } from '../../harness/scenario/loader.ts';
import { builtinSut } from '../../harness/sut/builtin-sut.ts';
import { brokenSut, runAndReport, type ReportedRun } from '../testing/report-fixtures.ts';

const catalog = loadCatalog().map((l) => l.scenario);
let result: ReportedRun;
let runDir: string;
const read = (rel: string): string => readFileSync(join(runDir, ...rel.split('/')), 'utf8');
const fileOf = (run: ScenarioRun): string => (run.sut.id === 'builtin' ? `${run.scenario.id}.json` : `${run.sut.id}/${run.scenario.id}.json`);
const reportOf = (run: ScenarioRun): ScenarioReport => ScenarioReportSchema.parse(JSON.parse(read(fileOf(run))));
const runOf = (sut: string, id: string): ScenarioRun => result.runs.find((r) => r.sut.id === sut && r.scenario.id === id)!;

beforeAll(async () => {
  result = await runAndReport(catalog, [builtinSut(), brokenSut()], { seed: 42 });
  runDir = result.summary.runDir;
});

describe('a catalog run against the reference and a broken client', () => {
  it('has the goaway scenario, and the broken client fails it', () => {
    expect(catalog.map((s) => s.id)).toContain('goaway');
    expect(runOf('broken', 'goaway').judgement.overall).toBe('FAILED');
    expect(result.summary.failed).toBeGreaterThan(0);
    expect(result.summary.total).toBe(catalog.length * 2);
  });

  it('writes one JSON report per scenario and SUT that validates against the shipped schema and matches the judgement', () => {
    for (const run of result.runs) {
      const report = reportOf(run);
      expect(report.scenario).toBe(run.scenario.id);
      expect(report.sut.id).toBe(run.sut.id);
      expect(report.seed).toBe(42);
      expect(report.scenarioSeed).toBe(run.scenarioSeed);
      expect(report.verdict.overall).toBe(run.judgement.overall);
      for (const axis of AXES) expect(report.verdict.axes[axis]).toEqual(run.judgement.axes[axis]);
      // Every frame, both ways, in protocol-time order.
      expect(report.wire.length).toBe(run.journal.filter((e) => e.kind === 'frame-in' || e.kind === 'frame-out').length);
      expect(report.wire.every((f, i) => i === 0 || f.t >= report.wire[i - 1]!.t)).toBe(true);
      expect(report.connections.length).toBe(run.journal.filter((e) => e.kind === 'open').length);
    }
  });

  it('shows what the broken client did on goaway: cut at the deadline, never back, turns lost', () => {
    const report = reportOf(runOf('broken', 'goaway'));
    expect(report.verdict).toMatchObject({ overall: 'FAILED', passed: false, axes: { expiry: { verdict: 'FAILED' }, reconnect: { verdict: 'FAILED' } } });
    expect(report.faults.scripted.expiry).toMatchObject({ lifetimeS: 150, timeLeftS: 60, closeCode: 1000 });
    expect(report.faults.windows).toEqual([expect.objectContaining({ kind: 'expiry', from: 90_000, to: 150_000, conn: 1 })]);
    expect(report.connections).toHaveLength(1);
    expect(report.connections[0]).toMatchObject({ closedAt: 150_000, close: { code: 1000, by: 'server', cause: 'expiry-deadline' }, resume: 'none' });
    expect(report.attempts).toHaveLength(1);
    const lost = report.losses.find((l) => l.kind === 'unfinished')!;
    expect(lost).toMatchObject({ t: 150_000, conn: 1, turn: report.turns.serverAnswered + 1 });
    expect(report.comparison.client).toMatchObject({ status: 'failed', turns: report.turns.serverAnswered, reconnects: 0 });
    expect(report.wire.some((f) => f.dir === 'out' && f.type === 'session_expiring')).toBe(true);
  });

  it('shows the reference client rotating on goaway: a second connection resumed with the newest handle', () => {
    const report = reportOf(runOf('builtin', 'goaway'));
    expect(report.verdict.overall).toBe('OK');
    const [first, second] = report.connections;
    expect(first!.close).toMatchObject({ by: 'client', code: 1000 });
    expect(second).toMatchObject({ resume: 'resumed', contextLostTurns: 0, handleSeq: second!.latestIssuedSeq });
    expect(second!.handlePresented).toMatch(/^‹[0-9a-f]{8}›$/);
    expect(report.attempts[1]).toMatchObject({ n: 2, state: 'opened', outage: 1, handle: second!.handlePresented });
    expect(report.attempts[1]!.idleGapMs).toBeGreaterThanOrEqual(0);
    expect(report.losses).toEqual([]);
    expect(report.comparison.agree).toEqual({ turns: true, reconnects: true, contextLost: true });
  });

  it('indexes the matrix SUT × scenario in index.json, pointing at reports that exist', () => {
    const index = JSON.parse(read('index.json'));
    expect(Object.keys(index.suts)).toEqual(['builtin', 'broken']);
    for (const run of result.runs) {
      const cell = index.suts[run.sut.id][run.scenario.id];
      expect(cell.overall).toBe(run.judgement.overall);
      expect(cell.reportfile).toBe(fileOf(run));
      expect(existsSync(join(runDir, cell.reportfile))).toBe(true);
      expect(existsSync(join(runDir, cell.htmlfile))).toBe(true);
    }
    expect(index.total).toBe(result.summary.total);
    expect(index.counts).toEqual(result.summary.counts);
  });

  it('writes a Markdown summary with the matrix and, per failure, the reason and a Mermaid diagram that parses', async () => {
    const md = read('summary.md');
    for (const s of catalog) expect(md).toMatch(new RegExp(`^\\| \`${s.id.replace(/\./g, '\\.')}\` \\| ${s.group} \\| .+ \\| .+ \\|$`, 'm'));
    const failures = result.runs.filter((r) => !reportOf(r).verdict.passed);
    for (const run of failures) {
      expect(md).toContain(`\`${run.scenario.id}\` against \`${run.sut.id}\``);
      expect(md).toContain(`**Why:** ${oneSentenceReason(reportOf(run)).replace(/\|/g, '\\|')}`);
    }
    const blocks = [...md.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBe(Math.min(failures.length, MAX_DIAGRAMS));
    for (const block of blocks) await expect(mermaid.parse(block)).resolves.toMatchObject({ diagramType: 'sequence' });
    // The catalog grows past MAX_DIAGRAMS failures: render goaway's diagram itself if the summary stopped before it.
    const goawayRun = failures.find((r) => r.scenario.id === 'goaway' && r.sut.id === 'broken')!;
    const goaway = blocks.find((b) => b.includes('broken · goaway: FAILED')) ?? mermaidSequence(reportOf(goawayRun));
    await expect(mermaid.parse(goaway)).resolves.toMatchObject({ diagramType: 'sequence' });
    expect(goaway).toContain('S->>C: session_expiring, timeLeft 60 s at 90.0 s');
    expect(goaway).toContain('S-xC: close 1000 "session expired" of connection 1 at 150.0 s');
    expect(goaway).toMatch(/Note over C,S: LOST: turns \d+–110 never happened/);
  });

  it.skipIf(!xmllintAvailable() && !process.env.CI)(`writes JUnit XML valid against the vendored XSD${xmllintAvailable() ? '' : ` (skipped: ${XMLLINT_MISSING})`}`, () => {
    expect(validateAgainstXsd(join(runDir, 'junit.xml'))).toBeNull();
  });

  it('has one JUnit testcase per scenario and SUT, failures with the reason and the report path', () => {
    const xml = read('junit.xml');
    expect(xml.match(/<testcase /g)).toHaveLength(result.runs.length);
    expect(xml).toContain(`failures="${result.summary.failed}"`);
    const goaway = xml.slice(xml.indexOf('<testsuite name="broken · goaway"'));
    expect(goaway).toMatch(/^<testsuite name="broken · goaway" tests="1" failures="1" errors="0"/);
    expect(goaway).toContain('<property name="axis.expiry" value="FAILED"/>');
    expect(goaway).toContain('<property name="seed" value="42"/>');
    expect(goaway).toMatch(/<failure type="FAILED" message="expiry: Waited for the server[^"]*\(report: broken\/goaway\.json\)">/);
  });

  it('writes the HTML index with a row per scenario and a page per scenario with the timeline and wire log', () => {
    const index = read('index.html');
    for (const s of catalog) expect(index).toContain(`<tr data-scenario="${s.id}" data-group="${s.group}"`);
    for (const [, href] of index.matchAll(/<a href="([^"]+\.html)">/g)) expect(existsSync(join(runDir, href!))).toBe(true);
    const page = read('broken/goaway.html');
    expect(page).toContain('<svg id="timeline"');
    expect(page).toContain('<g class="fault-window" data-kind="expiry">');
    expect(page).toContain('<g class="loss" data-kind="unfinished">');
    expect(page).toContain('<g class="close-code" data-code="1000">');
    expect(page.match(/<tr class="(in|out)[^"]*"><td class="num">/g)).toHaveLength(reportOf(runOf('broken', 'goaway')).wire.length);
  });

  it('points reports/latest at the run', () => {
    expect(readFileSync(join(result.reportsRoot, 'latest', 'index.json'), 'utf8')).toBe(read('index.json'));
  });
});
