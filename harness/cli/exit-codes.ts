/**
 * The CLI's exit codes, and the one place an error becomes one (issue 13 item 2):
 *
 *   0  passed: every scenario selected passed (or, for matrix, every mutant was caught)
 *   1  failed: a scenario failed (a matrix mutant escaped, or the reference had a false alarm)
 *   2  usage or invalid input: a bad command line, an invalid scenario file, a report folder
 *      that cannot be written, a port in use, a module that exports no client, a baseline entry
 *      that expired — one line naming the problem and the fix, never a stack trace
 *   3  the harness could not judge: a verdict UNKNOWN with nothing failed, or an internal error
 */
import { HarnessError, ScenarioError, type HarnessErrorCode } from '../errors.ts';
import type { CliIo } from './cli-io.ts';

export const EXIT = { passed: 0, failed: 1, usage: 2, unjudged: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A run's code from its counts: a real failure outranks an UNKNOWN, which outranks a pass. */
export function exitCodeForResults(failed: number, unjudged: number): ExitCode {
  if (failed > 0) return EXIT.failed;
  if (unjudged > 0) return EXIT.unjudged;
  return EXIT.passed;
}

/** The errors that say the input is wrong (errors.ts); the others (a sandbox busy, a fenced mutant) are the harness's own. */
const INPUT_ERRORS: ReadonlySet<HarnessErrorCode> = new Set<HarnessErrorCode>([
  'CLI_USAGE', 'SUT_SPEC_INVALID', 'SERVER_SPEC_INVALID', 'REPORT_UNKNOWN_FORMAT', 'REPORT_DIR_UNWRITABLE', 'CLI_PORT_IN_USE', 'CLI_BASELINE_INVALID', 'CLI_BASELINE_EXPIRED', 'REPORT_MERGE_INVALID',
]);

/** Prints what went wrong and returns the code: every error the CLI meets goes through here. */
export function exitCodeForError(error: unknown, io: CliIo, command: string | undefined): ExitCode {
  if (error instanceof ScenarioError) {
    io.stderr.write(`resume-harness: invalid scenario files, nothing was run:\n${error.message}\n`);
    return EXIT.usage;
  }
  // Every error the harness raises on purpose is about the input (errors.ts); its message says what to change.
  if (error instanceof HarnessError && INPUT_ERRORS.has(error.code)) {
    const help = `resume-harness ${command && !command.startsWith('-') ? `${command} ` : ''}--help`;
    // Where the help is, unless the message already says where to look, or ends with a list of the known names (read by tools/behaviour-snapshot.mjs).
    const hint = error.code === 'CLI_USAGE' && !error.message.includes('(see:') && !error.message.includes('known: ') ? ` (see: ${help})` : '';
    io.stderr.write(`resume-harness: ${error.message}${hint}\n`);
    return EXIT.usage;
  }
  // A bug of the harness, not the user's doing: one line, the stack only when asked for.
  const text = error instanceof Error ? error.message : String(error);
  io.stderr.write(`resume-harness: internal error (the harness could not judge): ${text}\n`);
  if (process.env.RESUME_HARNESS_DEBUG && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  else io.stderr.write('resume-harness: set RESUME_HARNESS_DEBUG=1 to see the stack, and please report it\n');
  return EXIT.unjudged;
}
