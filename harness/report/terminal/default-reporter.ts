/**
 * The default terminal reporter. On a TTY each scenario has one live line that turns from
 * RUNNING into its verdict in place, cut to the terminal's width; elsewhere (CI logs, a pipe)
 * each finished scenario prints one plain line with its full reason, so a log reads top to
 * bottom without escape codes and loses nothing. At the end: the failures with their report
 * paths, the counts, the duration, the seed.
 */
import { colourWanted, detailOf, endOfRun, label, painter, STATE_WIDTH, type RunEnd, type ScenarioOutcome, type TerminalOptions, type TerminalReporter } from './terminal-reporter.ts';
import type { Verdict } from '../../judge/verdict.ts';

export function defaultReporter(options: TerminalOptions): TerminalReporter {
  const out = options.out;
  const tty = options.tty ?? out.isTTY === true;
  const paint = painter(options.colour ?? colourWanted(tty));
  const cwd = options.cwd ?? process.cwd();
  /** Live lines on a TTY, in the order printed; the cursor sits below the last one. */
  const lines: string[] = [];
  // Only a live line is cut: a log keeps every word of a reason.
  const fit = (text: string): string => {
    if (!tty) return text;
    const max = (out.columns || 80) - 1;
    return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
  };
  // Measured on the plain text: escape codes take no columns.
  const line = (state: Verdict | 'RUNNING', name: string, detail: string, style: Verdict | 'RUNNING' | 'BASELINED' = state): string => {
    const plain = fit(`${state.padEnd(STATE_WIDTH)}  ${name}${detail ? `  ${detail}` : ''}`);
    return paint(style, state.padEnd(STATE_WIDTH)) + plain.slice(STATE_WIDTH);
  };

  return {
    info(text: string): void {
      out.write(`${text}\n`);
      if (tty) lines.length = 0;
    },
    scenarioStarted(id: string, sut: string): void {
      if (!tty) return;
      lines.push(`${id}\u0000${sut}`);
      out.write(`${line('RUNNING', label(id, sut), '')}\n`);
    },
    scenarioDone(outcome: ScenarioOutcome): void {
      const { run } = outcome;
      const text = line(run.judgement.overall, label(run.scenario.id, run.sut.id), detailOf(outcome), outcome.baselined ? 'BASELINED' : run.judgement.overall);
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
    finished(end: RunEnd): void {
      out.write(endOfRun(end, paint, cwd));
    },
  };
}
