/**
 * `--reporter json`: stdout carries one JSON document at the end and nothing else (notes go
 * to stderr), for a script to read: the counts, the seed, the duration, where the reports
 * are, and each scenario's verdict, reason and report path.
 */
import { detailOf, shownPath, type RunEnd, type TerminalOptions, type TerminalReporter } from './terminal-reporter.ts';

export function jsonTerminalReporter(options: TerminalOptions): TerminalReporter {
  const cwd = options.cwd ?? process.cwd();
  return {
    info(text: string): void {
      options.err.write(`${text}\n`);
    },
    scenarioStarted(): void {},
    scenarioDone(): void {},
    finished(end: RunEnd): void {
      const document = {
        passed: end.outcomes.every((o) => o.passed || o.baselined !== undefined),
        seed: end.seed,
        durationMs: Math.round(end.durationMs),
        counts: end.summary.counts,
        total: end.summary.total,
        failed: end.outcomes.filter((o) => !o.passed && !o.baselined).length,
        baselined: end.outcomes.filter((o) => !o.passed && o.baselined).length,
        reports: shownPath(end.summary.runDir, cwd),
        scenarios: end.outcomes.map((o) => ({
          id: o.run.scenario.id,
          sut: o.run.sut.id,
          verdict: o.run.judgement.overall,
          passed: o.passed,
          ...(o.baselined ? { baselined: o.baselined } : {}),
          reason: detailOf({ ...o, baselined: undefined }),
          report: o.files?.json ? shownPath(o.files.json, cwd) : null,
        })),
      };
      options.out.write(`${JSON.stringify(document, null, 2)}\n`);
    },
  };
}
