/**
 * resume-harness: exit 0 when nothing failed, 1 when a scenario failed, 2 for usage errors
 * and invalid scenario files (named by file, field and problem).
 */
import { ScenarioError, ServerSpecError, SutSpecError, UsageError } from '../errors.ts';
import { IMPORT_USAGE, importCommand } from './import-command.ts';
import { listCommand } from './list-command.ts';
import { MATRIX_USAGE, matrixCommand } from './matrix-command.ts';
import { RUN_USAGE, runCommand, type CliIo } from './run-command.ts';
import { serveCommand } from './serve-command.ts';
import { validateCommand } from './validate-command.ts';

const USAGE = `usage:
  ${RUN_USAGE}
  ${MATRIX_USAGE}
  resume-harness list [--json]
  resume-harness validate FILES…
  resume-harness serve --scenario ID [--port P] [--seed N] [--time-scale X]
  ${IMPORT_USAGE}
`;

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return await runCommand(rest, io);
      case 'matrix':
        return await matrixCommand(rest, io);
      case 'list':
        return listCommand(rest, io);
      case 'validate':
        return validateCommand(rest, io);
      case 'import':
        return await importCommand(rest, io);
      case 'serve':
        return await serveCommand(rest, io, new Promise<void>((resolve) => {
          process.once('SIGINT', () => resolve());
          process.once('SIGTERM', () => resolve());
        }));
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof ScenarioError) {
      io.stderr.write(`resume-harness: invalid scenario files, nothing was run:\n${error.message}\n`);
      return 2;
    }
    if (error instanceof UsageError || error instanceof SutSpecError || error instanceof ServerSpecError) {
      io.stderr.write(`resume-harness: ${error.message}\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('harness/cli/main.ts')) {
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`resume-harness: internal error: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(2);
    },
  );
}
