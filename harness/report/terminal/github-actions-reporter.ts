/**
 * `--reporter github-actions`: the plain lines of the default reporter for the log, and at
 * the end one workflow command per failure — `::error file=scenarios/…json,title=…::reason` —
 * which GitHub shows as an annotation on the scenario file (a NON-STRICT or baselined
 * failure as a warning). https://docs.github.com/actions/reference/workflow-commands-for-github-actions
 */
import { defaultReporter } from './default-reporter.ts';
import { detailOf, shownPath, type RunEnd, type ScenarioOutcome, type TerminalOptions, type TerminalReporter } from './terminal-reporter.ts';

/** A command's message: %, CR and LF escaped, as the runner reads them. */
export const escapeData = (text: string): string => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
/** A property value: also `:` and `,`, which end a property. */
export const escapeProperty = (text: string): string => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function annotation(outcome: ScenarioOutcome, cwd: string): string | null {
  const { run } = outcome;
  const v = run.judgement.overall;
  const level = !outcome.passed && !outcome.baselined ? 'error' : outcome.baselined || v === 'NON-STRICT' ? 'warning' : null;
  if (level === null) return null;
  const file = outcome.scenarioFile ? `file=${escapeProperty(shownPath(outcome.scenarioFile, cwd))},` : '';
  const title = `${run.scenario.id}${run.sut.id === 'builtin' ? '' : ` [${run.sut.id}]`}: ${v}${outcome.baselined ? ' (baselined)' : ''}`;
  const report = outcome.files?.html ?? outcome.files?.json;
  return `::${level} ${file}title=${escapeProperty(title)}::${escapeData(`${detailOf(outcome)}${report ? `\nreport: ${shownPath(report, cwd)}` : ''}`)}`;
}

export function githubActionsReporter(options: TerminalOptions): TerminalReporter {
  const cwd = options.cwd ?? process.cwd();
  // The log is a file, not a terminal: plain lines, full reasons; colour only if FORCE_COLOR asks.
  const plain = defaultReporter({ ...options, tty: false });
  return {
    ...plain,
    finished(end: RunEnd): void {
      plain.finished(end);
      for (const outcome of end.outcomes) {
        const line = annotation(outcome, cwd);
        if (line) options.out.write(`${line}\n`);
      }
    },
  };
}
