/**
 * The contract every report format implements, after vitest's reporters: one file per
 * format, each a pure function from reports to files. The writer owns the disk (atomic
 * writes, the run folder, `latest`), so a reporter cannot leave half a file behind.
 */
import type { ScenarioReport } from '../scenario-report-schema.ts';

/** A key of the registry (formats.ts). */
export type ReportFormat = 'json' | 'md' | 'junit' | 'html';

export interface ReportEntry {
  readonly report: ScenarioReport;
  /** This scenario's own files, relative to the run folder with `/` separators; null when that format is off. */
  readonly files: { readonly json: string | null; readonly html: string | null };
}

export interface RunContext {
  readonly runId: string;
  readonly seed: number;
  readonly mode: 'virtual' | 'network';
  readonly strict: boolean;
  readonly timeScale: number;
  readonly formats: ReadonlySet<ReportFormat>;
  /** Wall-clock values of the run, kept apart like a report's `wall`. */
  readonly wall: { readonly startedAt: string; readonly finishedAt: string | null };
}

export interface OutputFile {
  /** Relative to the run folder, `/` separators. */
  readonly path: string;
  readonly content: string;
}

export interface Reporter {
  readonly format: ReportFormat;
  /** Files of one scenario, written as soon as it is judged. */
  onScenario?(entry: ReportEntry, run: RunContext): OutputFile[];
  /** Files of the whole run, from every entry so far, in the order they were judged. */
  onRunEnd(entries: readonly ReportEntry[], run: RunContext): OutputFile[];
}
