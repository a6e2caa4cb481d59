/**
 * Every error the harness raises on purpose, with its stable code, in one place (vitest's
 * convention: a code a caller or a test can match, whatever the message says). A code is
 * `<AREA>_<WHAT>`, the area being the harness layer that raises it.
 *
 * The scenario problem codes are printed by `resume-harness validate` and `run` (`… [SCENARIO_INVALID]`):
 * they are part of the CLI's output and do not change. Sits below every layer: imports none.
 */

export const HARNESS_ERROR_CODES = {
  CLI_USAGE: 'a command line the CLI cannot run: exit 2 with the usage',
  SCENARIO_NOT_FOUND: 'a scenario file that cannot be read',
  SCENARIO_NOT_JSON: 'a scenario file that is not JSON',
  SCENARIO_INVALID: 'a scenario file whose field is wrong (named by its JSON path)',
  SCENARIO_DUPLICATE_ID: 'a scenario id defined twice, in one file or across files',
  SCENARIO_BAD_VARIANT_ID: 'a variant id that does not start with its base id',
  SCENARIO_ERRORS: 'scenario files with problems: nothing is run (exit 2)',
  SANDBOX_BUSY: 'a virtual-time run started while another is in progress (fake timers are process-wide)',
  SANDBOX_NO_SERVER: 'an intercepted request or connection with no mock server active',
  SUT_SPEC_INVALID: 'a --sut value that names no system under test (exit 2)',
  SUT_RUN_OVER: 'a fenced mutant acting after its run is over',
  SERVER_SPEC_INVALID: 'a --server value that names no server under test (exit 2)',
  IMPORT_BAD_CAPTURE: 'a capture `import` cannot read: truncated, of another protocol, with no WebSocket or no text frame (exit 2, naming the entry or line)',
  REPORT_UNKNOWN_FORMAT: 'a report format that is not in the registry (report/formats.ts)',
  REPORT_DIR_UNWRITABLE: 'a report folder that cannot be created or written (exit 2, before anything runs)',
  CLI_PORT_IN_USE: 'serve --port P with P already taken on 127.0.0.1 (exit 2)',
  CLI_BASELINE_INVALID: 'a --baseline file that cannot be read, is not JSON, or has a wrong entry (exit 2)',
  CLI_BASELINE_EXPIRED: 'a --baseline entry past its expiry date: look at the failure again (exit 2)',
  REPORT_MERGE_INVALID: 'merge-reports given folders that are not shards of one run (exit 2)',
} as const;

export type HarnessErrorCode = keyof typeof HARNESS_ERROR_CODES;
export type ScenarioErrorCode = Extract<HarnessErrorCode, 'SCENARIO_NOT_FOUND' | 'SCENARIO_NOT_JSON' | 'SCENARIO_INVALID' | 'SCENARIO_DUPLICATE_ID' | 'SCENARIO_BAD_VARIANT_ID'>;

/** The base of every error below. Its name stays `Error` unless a subclass says otherwise. */
export class HarnessError extends Error {
  constructor(readonly code: HarnessErrorCode, message: string) {
    super(message);
  }
}

/** A command line the CLI cannot run (exit 2, with the usage). */
export class UsageError extends HarnessError {
  constructor(message: string) {
    super('CLI_USAGE', message);
  }
}

/** One problem of one scenario file: the file, the JSON path of the field, and what is wrong. */
export interface ScenarioProblem {
  readonly code: ScenarioErrorCode;
  readonly file: string;
  /** JSON path of the field, e.g. `variants[1].server.expiry.closeCode`; empty for the whole file. */
  readonly path: string;
  readonly problem: string;
}

export function formatProblem(p: ScenarioProblem): string {
  return `${p.file}${p.path ? `: ${p.path}` : ''}: ${p.problem} [${p.code}]`;
}

/** Every problem of every scenario file given: nothing runs (exit 2). */
export class ScenarioError extends HarnessError {
  constructor(readonly problems: readonly ScenarioProblem[]) {
    super('SCENARIO_ERRORS', problems.map(formatProblem).join('\n'));
    this.name = 'ScenarioError';
  }
}

/** A `--sut` value that names no system under test (exit 2, with the usage). */
export class SutSpecError extends HarnessError {
  constructor(message: string) {
    super('SUT_SPEC_INVALID', message);
  }
}

/** A `--server` value that names no server under test (exit 2, with the usage). */
export class ServerSpecError extends HarnessError {
  constructor(message: string) {
    super('SERVER_SPEC_INVALID', message);
  }
}

/** What a fenced mutant gets for opening a socket or making a request once its run is over. */
export class RunOverError extends HarnessError {
  constructor() {
    super('SUT_RUN_OVER', 'this run is over');
    this.name = 'RunOverError';
  }
}

/** Report formats the registry does not know (or none at all). */
export class ReportFormatError extends HarnessError {
  constructor(readonly unknown: string[], known: readonly string[]) {
    super(
      'REPORT_UNKNOWN_FORMAT',
      unknown.length === 0
        ? `no report format named (known: ${known.join(', ')})`
        : `unknown report format${unknown.length > 1 ? 's' : ''} ${unknown.map((f) => `"${f}"`).join(', ')} (known: ${known.join(', ')})`,
    );
    this.name = 'ReportFormatError';
  }
}

/**
 * A mistake of the person at the keyboard that is not a command-line typo (a report folder
 * that cannot be written, a port in use, a baseline file): exit 2, one line naming the
 * problem and the fix, no usage text and no stack.
 */
export class UserInputError extends HarnessError {
  constructor(code: Extract<HarnessErrorCode, 'REPORT_DIR_UNWRITABLE' | 'CLI_PORT_IN_USE' | 'CLI_BASELINE_INVALID' | 'CLI_BASELINE_EXPIRED' | 'REPORT_MERGE_INVALID'>, message: string) {
    super(code, message);
    this.name = 'UserInputError';
  }
}

/** A capture `resume-harness import` cannot turn into a scenario: `where` names the file and the entry or line. */
export class ImportError extends HarnessError {
  constructor(readonly where: string, problem: string) {
    super('IMPORT_BAD_CAPTURE', `${where}: ${problem}`);
    this.name = 'ImportError';
  }
}
