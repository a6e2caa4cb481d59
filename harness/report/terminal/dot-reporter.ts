/**
 * One character per scenario (. passed, n NON-STRICT passed, F failed, U could not judge,
 * b failed but baselined), then the end of the run with every failure in full: for a long
 * catalog in a narrow log.
 */
import type { Verdict } from '../../judge/verdict.ts';
import { colourWanted, endOfRun, painter, type RunEnd, type ScenarioOutcome, type TerminalOptions, type TerminalReporter } from './terminal-reporter.ts';

const PER_LINE = 60;

export function dotReporter(options: TerminalOptions): TerminalReporter {
  const out = options.out;
  const paint = painter(options.colour ?? colourWanted(options.tty ?? out.isTTY === true));
  const cwd = options.cwd ?? process.cwd();
  let column = 0;
  return {
    info(text: string): void {
      out.write(`${column > 0 ? '\n' : ''}${text}\n`);
      column = 0;
    },
    scenarioStarted(): void {},
    scenarioDone(outcome: ScenarioOutcome): void {
      const v: Verdict = outcome.run.judgement.overall;
      const mark = outcome.baselined ? paint('BASELINED', 'b') : v === 'FAILED' || (v === 'NON-STRICT' && !outcome.passed) ? paint('FAILED', 'F') : v === 'UNKNOWN' ? paint('UNKNOWN', 'U') : v === 'NON-STRICT' ? paint('NON-STRICT', 'n') : paint('OK', '.');
      out.write(mark);
      if (++column >= PER_LINE) {
        out.write('\n');
        column = 0;
      }
    },
    finished(end: RunEnd): void {
      if (column > 0) out.write('\n');
      column = 0;
      out.write(endOfRun(end, paint, cwd));
    },
  };
}
