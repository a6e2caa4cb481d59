/** `resume-harness validate FILES…`: every problem of every file, then exit 2 if any. */
import { resolve } from 'node:path';
import { formatProblem, type ScenarioProblem } from '../errors.ts';
import { validateFiles } from '../scenario/loader.ts';
import type { CliIo } from './cli-io.ts';
import { defineCommand, examples, invokeCommand, type ReportCode } from './command-kit.ts';
import { EXIT } from './exit-codes.ts';

export function validateCommandDefinition(io: CliIo, report: ReportCode) {
  return defineCommand('validate', io)
    .summary('check scenario files against the schema; exit 2 naming file, field and problem')
    .description('Validates scenario files together (an id defined in two files is a problem too) and prints every problem as file: field: problem [CODE]. Exit 0 when all are valid, 2 otherwise.')
    .argument('<files...>', 'scenario files (*.scenario.json)')
    .addHelpText('after', examples('resume-harness validate my-field-failure.scenario.json', 'resume-harness validate scenarios/**/*.scenario.json'))
    .action((files: string[]) => report(validateScenarioFiles(files, io)));
}

export function validateCommand(args: readonly string[], io: CliIo): Promise<number> {
  return invokeCommand(validateCommandDefinition, args, io);
}

function validateScenarioFiles(files: readonly string[], io: CliIo): number {
  // All files together, so an id defined in two of them is reported too.
  const result = validateFiles(files.map((file) => resolve(io.cwd, file)));
  const problems: readonly ScenarioProblem[] = result.problems;
  const scenarios = result.scenarios.length;
  for (const p of problems) io.stderr.write(`${formatProblem(p)}\n`);
  if (problems.length > 0) {
    io.stderr.write(`${problems.length} problem${problems.length === 1 ? '' : 's'} in ${files.length} file${files.length === 1 ? '' : 's'}\n`);
    return EXIT.usage;
  }
  io.stdout.write(`${files.length} file${files.length === 1 ? '' : 's'} valid: ${scenarios} scenario${scenarios === 1 ? '' : 's'}\n`);
  return EXIT.passed;
}
