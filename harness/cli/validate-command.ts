/** `resume-harness validate FILES…`: every problem of every file, then exit 2 if any. */
import { resolve } from 'node:path';
import { formatProblem, type ScenarioProblem } from '../scenario/errors.ts';
import { loadFile } from '../scenario/loader.ts';
import { UsageError } from './args.ts';
import type { CliIo } from './run-command.ts';

export function validateCommand(args: string[], io: CliIo): number {
  if (args.length === 0) throw new UsageError('validate needs one or more scenario files');
  const problems: ScenarioProblem[] = [];
  let scenarios = 0;
  for (const file of args) {
    const result = loadFile(resolve(io.cwd, file));
    problems.push(...result.problems);
    scenarios += result.scenarios.length;
  }
  for (const p of problems) io.stderr.write(`${formatProblem(p)}\n`);
  if (problems.length > 0) {
    io.stderr.write(`${problems.length} problem${problems.length === 1 ? '' : 's'} in ${args.length} file${args.length === 1 ? '' : 's'}\n`);
    return 2;
  }
  io.stdout.write(`${args.length} file${args.length === 1 ? '' : 's'} valid: ${scenarios} scenario${scenarios === 1 ? '' : 's'}\n`);
  return 0;
}
