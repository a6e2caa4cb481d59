/**
 * The one registry of terminal reporters (`--reporter NAME`), as report/formats.ts is for
 * report files: a name → the factory of its reporter.
 */
import { defaultReporter } from './default-reporter.ts';
import { dotReporter } from './dot-reporter.ts';
import { githubActionsReporter } from './github-actions-reporter.ts';
import { jsonTerminalReporter } from './json-terminal-reporter.ts';
import type { TerminalOptions, TerminalReporter } from './terminal-reporter.ts';

export const TERMINAL_REPORTERS = {
  default: defaultReporter,
  dot: dotReporter,
  json: jsonTerminalReporter,
  'github-actions': githubActionsReporter,
} as const satisfies Record<string, (options: TerminalOptions) => TerminalReporter>;

export type TerminalReporterName = keyof typeof TERMINAL_REPORTERS;
export const TERMINAL_REPORTER_NAMES = Object.keys(TERMINAL_REPORTERS) as TerminalReporterName[];

export const isTerminalReporterName = (name: string): name is TerminalReporterName => Object.hasOwn(TERMINAL_REPORTERS, name);

export function createTerminalReporter(name: TerminalReporterName, options: TerminalOptions): TerminalReporter {
  return TERMINAL_REPORTERS[name](options);
}
