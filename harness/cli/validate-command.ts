/** `resume-harness validate FILES…`: every problem of every file, then exit 2 if any. */
import { resolve } from 'node:path';
import { formatProblem, UsageError, type ScenarioProblem } from '../errors.ts';
import { validateFiles } from '../scenario/loader.ts';
import type { CliIo } from './run-command.ts';

export function validateCommand(args: string[], io: CliIo): number {
  if (args.length === 0) throw new UsageError('validate needs one or more scenario files');
  // All files together, so an id defined in two of them is reported too.
  const result = validateFiles(args.map((file) => resolve(io.cwd, file)));
  const problems: readonly ScenarioProblem[] = result.problems;
  const scenarios = result.scenarios.length;
  for (const p of problems) io.stderr.write(`${formatProblem(p)}\n`);
  if (problems.length > 0) {
    io.stderr.write(`${problems.length} problem${problems.length === 1 ? '' : 's'} in ${args.length} file${args.length === 1 ? '' : 's'}\n`);
    return 2;
  }
  io.stdout.write(`${args.length} file${args.length === 1 ? '' : 's'} valid: ${scenarios} scenario${scenarios === 1 ? '' : 's'}\n`);
  return 0;
}
