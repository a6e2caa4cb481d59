/**
 * What a terminal reporter is told while a run goes, and what they share: colour, a verdict
 * line, the end of a run (counts, the failures with their report paths, the duration, the
 * seed). One file per reporter; the registry is terminal-reporters.ts.
 */
import { relative } from 'node:path';
import { VERDICTS, type Verdict } from '../../judge/verdict.ts';
import type { ScenarioRun } from '../../run/run-scenario.ts';
import type { RunSummary, ScenarioFiles } from '../report-writer.ts';
import { BUILTIN_SUT } from '../report-paths.ts';
import { axesReason } from '../render/verdicts.ts';

export interface ScenarioOutcome {
  readonly run: ScenarioRun;
  /** Passes the gate (NON-STRICT passes unless --strict). */
  readonly passed: boolean;
  /** A failure accepted by --baseline: the reasons of the entries that cover it. */
  readonly baselined?: string;
  /** The scenario's report files, when written. */
  readonly files?: ScenarioFiles;
  /** The file the scenario was loaded from (for annotations), absolute. */
  readonly scenarioFile?: string;
}

export interface RunEnd {
  readonly summary: RunSummary;
  readonly seed: number;
  readonly durationMs: number;
  /** Every scenario, in the order they finished. */
  readonly outcomes: readonly ScenarioOutcome[];
}

export interface TerminalReporter {
  /** A note before or between scenarios ("3 scenarios against …", "not run through a server"). */
  info(line: string): void;
  scenarioStarted(id: string, sut: string): void;
  scenarioDone(outcome: ScenarioOutcome): void;
  finished(end: RunEnd): void;
}

export interface TerminalOptions {
  readonly out: NodeJS.WriteStream;
  /** Where notes go when stdout carries a machine format (json). */
  readonly err: NodeJS.WriteStream;
  /** Live lines (a TTY); default: out.isTTY. */
  readonly tty?: boolean;
  /** Escape codes for colour; default: colourWanted(). */
  readonly colour?: boolean;
  /** Paths are shown relative to it. */
  readonly cwd?: string;
}

/**
 * Colour where lines are live, unless NO_COLOR (https://no-color.org) says otherwise;
 * FORCE_COLOR forces it on (any value but 0/false) or off (0/false) whatever the stream, and
 * wins over NO_COLOR — Node's own rule for its own output.
 */
export function colourWanted(tty: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !(force === '0' || force.toLowerCase() === 'false');
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return tty;
}

const ANSI: Record<Verdict | 'RUNNING' | 'BASELINED' | 'dim' | 'reset', string> = {
  OK: '\x1b[32m', 'NON-STRICT': '\x1b[33m', INFORMATIONAL: '\x1b[36m', FAILED: '\x1b[31m', UNKNOWN: '\x1b[35m', RUNNING: '\x1b[2m', BASELINED: '\x1b[33m', dim: '\x1b[2m', reset: '\x1b[0m',
};
export type Style = keyof typeof ANSI;
export const STATE_WIDTH = Math.max(...VERDICTS.map((v) => v.length), 'RUNNING'.length);

export function painter(colour: boolean): (style: Style, text: string) => string {
  return (style, text) => (colour ? `${ANSI[style]}${text}${ANSI.reset}` : text);
}

export const label = (id: string, sut: string): string => (sut === BUILTIN_SUT ? id : `${id} [${sut}]`);

/** What follows the verdict: the time for a clean pass, else the reason (a NON-STRICT one too). */
export function detailOf(outcome: ScenarioOutcome): string {
  const { run } = outcome;
  const v = run.judgement.overall;
  const reason = v === 'OK' || v === 'INFORMATIONAL' ? `${(run.protocolMs / 1000).toFixed(1)} protocol s` : axesReason(run.judgement.axes, run.harnessError ?? null, run.server?.judgement.axes);
  return outcome.baselined ? `${reason} (baselined: ${outcome.baselined})` : reason;
}

export function shownPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') ? rel : path;
}

export const seconds = (ms: number): string => (ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`);

/**
 * The end of a run, for people: the failures (and the baselined ones) with their reasons and
 * report paths, the counts per verdict, and one line with the result, duration, seed and
 * where the reports are.
 */
export function endOfRun(end: RunEnd, paint: (style: Style, text: string) => string, cwd: string): string {
  const lines: string[] = [];
  const failed = end.outcomes.filter((o) => !o.passed && !o.baselined);
  const baselined = end.outcomes.filter((o) => !o.passed && o.baselined);
  const listed = (title: string, outcomes: readonly ScenarioOutcome[], style: Style): void => {
    if (outcomes.length === 0) return;
    lines.push('', paint(style, title));
    for (const o of outcomes) {
      lines.push(`  ${paint(o.baselined ? 'BASELINED' : o.run.judgement.overall, o.run.judgement.overall)}  ${label(o.run.scenario.id, o.run.sut.id)}: ${detailOf(o)}`);
      const report = o.files?.html ?? o.files?.json;
      if (report) lines.push(`      ${paint('dim', shownPath(report, cwd))}`);
    }
  };
  listed(`Failed (${failed.length}):`, failed, 'FAILED');
  listed(`Baselined (${baselined.length}), accepted by --baseline:`, baselined, 'BASELINED');
  const { summary } = end;
  const counts = VERDICTS.map((v) => ((summary.counts[v] ?? 0) > 0 ? paint(v, `${summary.counts[v]} ${v}`) : `${summary.counts[v] ?? 0} ${v}`));
  lines.push('', `${summary.total} scenario${summary.total === 1 ? '' : 's'}: ${counts.join(' · ')}`);
  const verdict = failed.length === 0
    ? paint('OK', baselined.length > 0 ? `no new failures (${baselined.length} baselined)` : 'all passed')
    : paint('FAILED', `${failed.length} failed${baselined.length > 0 ? ` (+${baselined.length} baselined)` : ''}`);
  lines.push(`${verdict} in ${seconds(end.durationMs)} · seed ${end.seed} (replay with --seed ${end.seed}) · reports: ${shownPath(summary.runDir, cwd)}`);
  return `${lines.join('\n')}\n`;
}
