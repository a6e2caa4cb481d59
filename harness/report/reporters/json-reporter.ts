/**
 * JSON: one report per scenario and `index.json`, Autobahn's matrix of system under test ×
 * scenario → verdicts, so several clients (or versions of one) compare in one file.
 */
import { AXES, type Axis, type Verdict } from '../../judge/verdict.ts';
import { countVerdicts } from '../render/verdicts.ts';
import type { OutputFile, ReportEntry, Reporter, RunContext } from './reporter.ts';

export interface IndexCell {
  readonly overall: Verdict;
  readonly passed: boolean;
  readonly axes: Record<Axis, Verdict>;
  readonly reportfile: string | null;
  readonly htmlfile: string | null;
  readonly title: string;
  readonly group: string;
  readonly severity: string;
  readonly protocolMs: number;
}

export interface RunIndex {
  readonly indexVersion: 1;
  readonly run: { readonly seed: number; readonly mode: string; readonly strict: boolean; readonly timeScale: number };
  readonly counts: Record<Verdict, number>;
  readonly total: number;
  readonly passed: number;
  readonly failed: number;
  readonly suts: Record<string, Record<string, IndexCell>>;
  /** Wall-clock values only, as in each scenario report. */
  readonly wall: { readonly runId: string; readonly startedAt: string; readonly finishedAt: string | null };
}

export const reportJson = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

export function buildIndex(entries: readonly ReportEntry[], run: RunContext): RunIndex {
  const suts: Record<string, Record<string, IndexCell>> = {};
  for (const { report, files } of entries) {
    const row = (suts[report.sut.id] ??= {});
    row[report.scenario] = {
      overall: report.verdict.overall,
      passed: report.verdict.passed,
      axes: Object.fromEntries(AXES.map((a) => [a, report.verdict.axes[a].verdict])) as Record<Axis, Verdict>,
      reportfile: files.json,
      htmlfile: files.html,
      title: report.title,
      group: report.group,
      severity: report.severity,
      protocolMs: report.durations.protocolMs,
    };
  }
  const passed = entries.filter((e) => e.report.verdict.passed).length;
  return {
    indexVersion: 1,
    run: { seed: run.seed, mode: run.mode, strict: run.strict, timeScale: run.timeScale },
    counts: countVerdicts(entries.map((e) => e.report)),
    total: entries.length,
    passed,
    failed: entries.length - passed,
    suts,
    wall: { runId: run.runId, startedAt: run.wall.startedAt, finishedAt: run.wall.finishedAt },
  };
}

export const jsonReporter: Reporter = {
  format: 'json',
  onScenario(entry: ReportEntry): OutputFile[] {
    return entry.files.json ? [{ path: entry.files.json, content: reportJson(entry.report) }] : [];
  },
  onRunEnd(entries: readonly ReportEntry[], run: RunContext): OutputFile[] {
    return [{ path: 'index.json', content: reportJson(buildIndex(entries, run)) }];
  },
};
