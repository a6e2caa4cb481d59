import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ALL_FORMATS, createReportWriter, type ReportFormat } from './report-writer.ts';
import { ScenarioReportSchema } from './scenario-report-schema.ts';
import { fakeSut, passingRun, syntheticJournal, syntheticRun } from './testing/synthetic-run.ts';

const root = (): string => mkdtempSync(join(tmpdir(), 'report-writer-'));
const writer = (reportsRoot: string, formats: readonly ReportFormat[] = ALL_FORMATS, runId = 'run-a') =>
  createReportWriter({ reportsRoot, runId, formats: new Set(formats), seed: 42, mode: 'virtual', strict: false, timeScale: 1 });

/** Every file under a folder, relative, `/`-separated, sorted. */
function tree(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? tree(join(dir, d.name), `${prefix}${d.name}/`) : [`${prefix}${d.name}`])).sort();
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('createReportWriter', () => {
  it('writes a scenario\'s files the moment it is judged, before the run ends', async () => {
    const reportsRoot = root();
    const w = await writer(reportsRoot);
    await w.scenarioDone(syntheticRun());
    expect(tree(w.runDir)).toEqual(['index.json', 'synthetic.drop.html', 'synthetic.drop.json']);
    const report = ScenarioReportSchema.parse(JSON.parse(readFileSync(join(w.runDir, 'synthetic.drop.json'), 'utf8')));
    expect(report.wall.runId).toBe('run-a');
    expect(report.wall.reportedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    // A crash now still leaves an index that names the scenario.
    expect(JSON.parse(readFileSync(join(w.runDir, 'index.json'), 'utf8')).suts.builtin['synthetic.drop'].overall).toBe('FAILED');
    // `latest` already points at the run in progress: it is the newest.
    expect(readlinkSync(join(reportsRoot, 'latest'))).toBe('run-a');
  });

  it('lays out a matrix run: builtin at the top, every other SUT in its own folder, then the run files', async () => {
    const reportsRoot = root();
    const w = await writer(reportsRoot);
    await w.scenarioDone(syntheticRun());
    await w.scenarioDone(passingRun());
    await w.scenarioDone(syntheticRun({ sut: fakeSut('module:./my client.ts') }));
    const summary = await w.finish();
    expect(tree(w.runDir)).toEqual([
      'index.html', 'index.json', 'junit.xml',
      'module-my-client.ts/synthetic.drop.html', 'module-my-client.ts/synthetic.drop.json',
      'summary.md', 'synthetic.drop.html', 'synthetic.drop.json', 'synthetic.ok.html', 'synthetic.ok.json',
    ]);
    expect(summary).toMatchObject({ runDir: join(reportsRoot, 'run-a'), passed: 1, failed: 2, total: 3, counts: { OK: 1, FAILED: 2, 'NON-STRICT': 0, INFORMATIONAL: 0, UNKNOWN: 0 } });
    expect(summary.files).toEqual(tree(w.runDir).map((f) => join(w.runDir, ...f.split('/'))));
    const index = JSON.parse(readFileSync(join(w.runDir, 'index.json'), 'utf8'));
    expect(Object.keys(index.suts)).toEqual(['builtin', 'module:./my client.ts']);
    expect(index.suts['module:./my client.ts']['synthetic.drop'].reportfile).toBe('module-my-client.ts/synthetic.drop.json');
    expect(index.wall.finishedAt).toMatch(/^\d{4}-/);
    expect(lstatSync(join(reportsRoot, 'latest')).isSymbolicLink()).toBe(true);
    expect(readdirSync(reportsRoot)).toEqual(['latest', 'run-a']);
  });

  it('honours the chosen formats', async () => {
    const w = await writer(root(), ['junit', 'md']);
    await w.scenarioDone(syntheticRun());
    expect(tree(w.runDir)).toEqual([]);
    await w.finish();
    expect(tree(w.runDir)).toEqual(['junit.xml', 'summary.md']);
    // No JSON report to point at: the failure names none.
    expect(readFileSync(join(w.runDir, 'junit.xml'), 'utf8')).toContain('message="reconnect: reconnect reason."');
  });

  it('appends the Markdown summary to $GITHUB_STEP_SUMMARY when set', async () => {
    const stepSummary = join(root(), 'step-summary.md');
    writeFileSync(stepSummary, 'earlier step\n');
    vi.stubEnv('GITHUB_STEP_SUMMARY', stepSummary);
    const w = await writer(root(), ['md']);
    await w.scenarioDone(syntheticRun());
    await w.finish();
    const text = readFileSync(stepSummary, 'utf8');
    expect(text.startsWith('earlier step\n## resume-harness: ❌ 1 of 1 failed')).toBe(true);
    expect(text).toBe(`earlier step\n${readFileSync(join(w.runDir, 'summary.md'), 'utf8')}`);
  });

  it('gives a scenario whose report cannot be built a minimal one that keeps its verdict', async () => {
    const journal = syntheticJournal().map((e) => (e.kind === 'open' && e.conn === 2 ? ({ ...e, resume: 'resumed', contextIds: undefined } as unknown as typeof e) : e));
    const w = await writer(root());
    await w.scenarioDone(syntheticRun({ journal }));
    await w.scenarioDone(passingRun());
    const broken = ScenarioReportSchema.parse(JSON.parse(readFileSync(join(w.runDir, 'synthetic.drop.json'), 'utf8')));
    expect(broken.reportError).toMatch(/^the report could not be built in full: /);
    expect(broken.verdict.overall).toBe('FAILED');
    expect(existsSync(join(w.runDir, 'synthetic.drop.html'))).toBe(true);
    expect((await w.finish()).total).toBe(2);
  });

  it('replaces a scenario reported twice for one SUT instead of listing it twice', async () => {
    const w = await writer(root());
    await w.scenarioDone(syntheticRun());
    await w.scenarioDone(syntheticRun({ judgement: passingRun().judgement }));
    expect((await w.finish()).counts.OK).toBe(1);
  });

  it('leaves no temporary files behind and moves `latest` to the newest run', async () => {
    const reportsRoot = root();
    for (const runId of ['run-1', 'run-2']) {
      const w = await writer(reportsRoot, ALL_FORMATS, runId);
      await w.scenarioDone(syntheticRun());
      await Promise.all([w.scenarioDone(passingRun()), w.scenarioDone(passingRun('synthetic.other'))]);
      await w.finish();
    }
    expect(readlinkSync(join(reportsRoot, 'latest'))).toBe('run-2');
    expect(tree(reportsRoot).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(Object.keys(JSON.parse(readFileSync(join(reportsRoot, 'run-2', 'index.json'), 'utf8')).suts.builtin)).toEqual(['synthetic.drop', 'synthetic.ok', 'synthetic.other']);
  });
});
