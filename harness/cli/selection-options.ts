/** The selection options `run`, `matrix` and `list` share: the same words pick the same scenarios. */
import type { Command } from 'commander';
import { collect, collectWhole } from './command-kit.ts';
import type { SelectionFilters } from './load-selection.ts';

export const SELECTORS_HELP = 'scenario ids, globs (\'flapping.*\'), base ids (a base brings its variants), scenario files; \'!glob\' leaves out; none: the whole catalog';

export function addSelectionOptions(command: Command): Command {
  return command
    .option('--exclude <glob>', 'leave out the scenarios matching GLOB (repeatable; same as a \'!GLOB\' argument)', collectWhole)
    .option('--group <group>', 'only scenarios of these catalog groups (repeatable or comma-separated: expiry, resume-rejection, connection-faults, delivery, timing, malformed-input, end-of-conversation, long-session)', collect)
    .option('--severity <level>', 'only scenarios of these severities (repeatable or comma-separated: critical, major, minor)', collect);
}

export interface SelectionOptions {
  readonly exclude?: string[];
  readonly group?: string[];
  readonly severity?: string[];
}

export function selectionFilters(options: SelectionOptions): SelectionFilters {
  return { exclude: options.exclude ?? [], groups: options.group ?? [], severities: options.severity ?? [] };
}
