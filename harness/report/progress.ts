/**
 * Progress on the terminal while a run goes. On a TTY each scenario has one live line that
 * turns from RUNNING into its verdict in place; elsewhere (CI logs) each finished scenario
 * prints one plain line, so a log reads top to bottom without escape codes. At the end: the
 * counts per verdict, the seed to replay with, and where the reports are.
 */
import { relative } from 'node:path';
import { VERDICTS, type Verdict } from '../judge/verdict.ts';
import type { ScenarioRun } from '../run/run-scenario.ts';
import type { RunSummary } from './report-writer.ts';
import { BUILTIN_SUT } from './report-paths.ts';
import { axesReason } from './render/verdicts.ts';

export interface Progress {
  scenarioStarted(id: string, sut: string): void;
  scenarioDone(run: ScenarioRun, passed: boolean): void;
  finished(summary: RunSummary, seed: number): void;
}

const ANSI: Record<Verdict | 'RUNNING' | 'reset', string> = {
  OK: '\x1b[32m', 'NON-STRICT': '\x1b[33m', INFORMATIONAL: '\x1b[36m', FAILED: '\x1b[31m', UNKNOWN: '\x1b[35m', RUNNING: '\x1b[2m', reset: '\x1b[0m',
};
const WIDTH = Math.max(...VERDICTS.map((v) => v.length), 'RUNNING'.length);

export function createProgress(out: NodeJS.WriteStream, options: { tty?: boolean; colour?: boolean } = {}): Progress {
  const tty = options.tty ?? out.isTTY === true;
  // Colour only where lines are live, and never against NO_COLOR (https://no-color.org).
  const colour = options.colour ?? (tty && !process.env.NO_COLOR);
  const paint = (style: keyof typeof ANSI, text: string): string => (colour ? `${ANSI[style]}${text}${ANSI.reset}` : text);
  const columns = (): number => (tty && out.columns ? out.columns : 160);
  /** Live lines on a TTY, in the order printed; the cursor sits below the last one. */
  const lines: string[] = [];

  const label = (id: string, sut: string): string => (sut === BUILTIN_SUT ? id : `${id} [${sut}]`);
  const fit = (text: string): string => {
    const max = columns() - 1;
    return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
  };
  // Measured on the plain text: escape codes take no columns.
  const line = (state: Verdict | 'RUNNING', name: string, detail: string): string => {
    const plain = fit(`${state.padEnd(WIDTH)}  ${name}${detail ? `  ${detail}` : ''}`);
    return paint(state, state.padEnd(WIDTH)) + plain.slice(WIDTH);
  };

  return {
    scenarioStarted(id: string, sut: string): void {
      if (!tty) return;
      lines.push(`${id}\u0000${sut}`);
      out.write(`${line('RUNNING', label(id, sut), '')}\n`);
    },
    scenarioDone(run: ScenarioRun, passed: boolean): void {
      const v = run.judgement.overall;
      const detail = passed ? `${(run.protocolMs / 1000).toFixed(1)} protocol s` : axesReason(run.judgement.axes, run.harnessError ?? null, run.server?.judgement.axes);
      const text = line(v, label(run.scenario.id, run.sut.id), detail);
      const key = `${run.scenario.id}\u0000${run.sut.id}`;
      const at = tty ? lines.lastIndexOf(key) : -1;
      if (at < 0) {
        out.write(`${text}\n`);
        if (tty) lines.push(key);
        return;
      }
      // Up to the scenario's line, rewrite it, and back down below the last line.
      const up = lines.length - at;
      out.write(`\x1b[${up}A\r\x1b[2K${text}\x1b[${up}B\r`);
    },
    finished(summary: RunSummary, seed: number): void {
      const counts = VERDICTS.map((v) => `${summary.counts[v] ?? 0} ${v}`).map((t, i) => ((summary.counts[VERDICTS[i]!] ?? 0) > 0 ? paint(VERDICTS[i]!, t) : t));
      const where = relative(process.cwd(), summary.runDir);
      const path = where && !where.startsWith('..') ? where : summary.runDir;
      out.write(`\n${summary.total} scenario${summary.total === 1 ? '' : 's'}: ${counts.join(' · ')}\n`);
      out.write(`${summary.failed === 0 ? paint('OK', 'all passed') : paint('FAILED', `${summary.failed} failed`)} · seed ${seed} (replay with --seed ${seed}) · reports: ${path}\n`);
    },
  };
}
