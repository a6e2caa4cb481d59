/**
 * Writes a run's reports: `<reportsRoot>/<runId>/` with each scenario's files as soon as it
 * is judged, the run-wide files at the end, and `<reportsRoot>/latest` pointing at the run.
 *
 * Safety, because the report is what survives a bad run: every file is written atomically;
 * a scenario whose report cannot be built in full still gets a minimal one with its verdict;
 * a failure to write one scenario's files never stops the others; and the JSON index is
 * rewritten after every scenario, so a crash before `finish()` still leaves a usable index.
 */
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VERDICTS, type Verdict } from '../judge/verdict.ts';
import type { ScenarioRun } from '../run/run-scenario.ts';
import { makeDirectory, pointLatest, writeFileAtomic } from './atomic-file.ts';
import { buildScenarioReport, minimalScenarioReport } from './build-scenario-report.ts';
import { SutFolders } from './report-paths.ts';
import { REPORTERS_MAP } from './formats.ts';
import { jsonReporter } from './reporters/json-reporter.ts';
import { summaryMarkdown } from './reporters/markdown-reporter.ts';
import type { OutputFile, ReportEntry, ReportFormat, Reporter, RunContext } from './reporters/reporter.ts';
import type { ScenarioReport } from './scenario-report-schema.ts';
import { countVerdicts } from './render/verdicts.ts';

export { ALL_FORMATS, type ReportFormat } from './formats.ts';
export type { ScenarioReport } from './scenario-report-schema.ts';
export { buildScenarioReport } from './build-scenario-report.ts';

export interface ReportWriterOptions {
  /** e.g. `<repo>/reports` */
  readonly reportsRoot: string;
  /** The run folder is `<reportsRoot>/<runId>`. */
  readonly runId: string;
  readonly formats: ReadonlySet<ReportFormat>;
  readonly seed: number;
  readonly mode: 'virtual' | 'network';
  readonly strict: boolean;
  readonly timeScale: number;
  /** Point `<reportsRoot>/latest` at the run (default true; false for `--out DIR`, a fixed folder of its own). */
  readonly pointLatest?: boolean;
}

export interface RunSummary {
  readonly runDir: string;
  readonly counts: Record<Verdict, number>;
  readonly passed: number;
  readonly failed: number;
  readonly total: number;
  /** Every file written, absolute paths, sorted. */
  readonly files: string[];
}

/** Where one scenario's own files are, absolute; null for a format not written. */
export interface ScenarioFiles {
  readonly json: string | null;
  readonly html: string | null;
}

export interface ReportWriter {
  readonly runDir: string;
  /** Called as soon as each scenario is judged: writes its per-scenario files immediately, atomically, so a later crash never costs this scenario its report. */
  scenarioDone(run: ScenarioRun): Promise<ScenarioFiles>;
  /** index.json (matrix sut × scenario → verdicts), summary.md (+ append to $GITHUB_STEP_SUMMARY when set), junit.xml, index.html; updates `latest`. */
  finish(): Promise<RunSummary>;
}

/** One reporter per format, in the order their files are written: the registry's. */
const REPORTERS: readonly Reporter[] = Object.values(REPORTERS_MAP);

export async function createReportWriter(options: ReportWriterOptions): Promise<ReportWriter> {
  const runDir = join(options.reportsRoot, options.runId);
  const folders = new SutFolders();
  const entries: ReportEntry[] = [];
  const written = new Set<string>();
  const startedAt = new Date().toISOString();
  const has = (f: ReportFormat): boolean => options.formats.has(f);
  const context = (finishedAt: string | null): RunContext => ({
    runId: options.runId, seed: options.seed, mode: options.mode, strict: options.strict, timeScale: options.timeScale,
    formats: options.formats, wall: { startedAt, finishedAt },
  });
  const write = async (files: readonly OutputFile[]): Promise<void> => {
    for (const file of files) {
      const path = join(runDir, ...file.path.split('/'));
      await writeFileAtomic(path, file.content);
      written.add(path);
    }
  };
  // The run folder exists, and `latest` points at it, from the start: a crashed run is the newest run.
  await makeDirectory(runDir);
  const latest = options.pointLatest !== false;
  if (latest) await pointLatest(options.reportsRoot, options.runId).catch(() => undefined);

  // Scenario calls may overlap (a parallel runner): one queue keeps index writes in order.
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (task: () => Promise<void>): Promise<void> => {
    const next = queue.then(task);
    queue = next.catch(() => undefined);
    return next;
  };

  return {
    runDir,
    scenarioDone(run: ScenarioRun): Promise<ScenarioFiles> {
      let report: ScenarioReport;
      try {
        report = buildScenarioReport(run, options.strict);
      } catch (error) {
        report = minimalScenarioReport(run, options.strict, error);
      }
      report = { ...report, wall: { ...report.wall, runId: options.runId, reportedAt: new Date().toISOString() } };
      const entry: ReportEntry = {
        report,
        files: {
          json: has('json') ? folders.fileOf(run.sut.id, run.scenario.id, 'json') : null,
          html: has('html') ? folders.fileOf(run.sut.id, run.scenario.id, 'html') : null,
        },
      };
      const at = entries.findIndex((e) => e.report.sut.id === report.sut.id && e.report.scenario === report.scenario);
      if (at >= 0) entries[at] = entry;
      else entries.push(entry);
      return enqueue(async () => {
        const problems: unknown[] = [];
        for (const reporter of REPORTERS) {
          if (!has(reporter.format) || !reporter.onScenario) continue;
          // One format failing (a rendering bug) must not cost the scenario its other files.
          try {
            await write(reporter.onScenario(entry, context(null)));
          } catch (error) {
            problems.push(error);
          }
        }
        if (has('json')) await write(jsonReporter.onRunEnd(entries, context(null)));
        if (problems.length > 0) throw problems[0];
      }).then(() => ({
        json: entry.files.json === null ? null : join(runDir, ...entry.files.json.split('/')),
        html: entry.files.html === null ? null : join(runDir, ...entry.files.html.split('/')),
      }));
    },
    finish(): Promise<RunSummary> {
      return enqueue(async () => {
        const ctx = context(new Date().toISOString());
        for (const reporter of REPORTERS) {
          if (has(reporter.format)) await write(reporter.onRunEnd(entries, ctx));
        }
        const summaryFile = process.env.GITHUB_STEP_SUMMARY;
        if (summaryFile && has('md')) await appendFile(summaryFile, summaryMarkdown(entries, ctx), 'utf8');
        if (latest) await pointLatest(options.reportsRoot, options.runId).catch(() => undefined);
      }).then(() => summarise(runDir, entries, [...written]));
    },
  };
}

function summarise(runDir: string, entries: readonly ReportEntry[], files: string[]): RunSummary {
  const counts = countVerdicts(entries.map((e) => e.report));
  const passed = entries.filter((e) => e.report.verdict.passed).length;
  for (const v of VERDICTS) counts[v] ??= 0;
  return { runDir, counts, passed, failed: entries.length - passed, total: entries.length, files: files.sort() };
}
