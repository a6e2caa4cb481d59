/**
 * resume-harness: one program, one registration per command. Exit codes (exit-codes.ts): 0
 * passed, 1 a scenario failed, 2 usage or invalid input, 3 the harness could not judge.
 */
import { readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import type { CliIo } from './cli-io.ts';
import { commanderExitCode, defineCommand, passThroughCommand, type ReportCode } from './command-kit.ts';
import { EXIT, exitCodeForError } from './exit-codes.ts';
import { exploreCommandDefinition } from './explore-command.ts';
import { importCommandDefinition } from './import-command.ts';
import { listCommandDefinition } from './list-command.ts';
import { loadCommand } from './load-command.ts';
import { matrixCommandDefinition } from './matrix-command.ts';
import { mergeReportsCommandDefinition } from './merge-reports-command.ts';
import { runCommandDefinition } from './run-command.ts';
import { serveCommandDefinition } from './serve-command.ts';
import { validateCommandDefinition } from './validate-command.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

function program(io: CliIo, report: ReportCode) {
  const root = defineCommand('resume-harness', io)
    .description('A conformance harness for session resumption on realtime voice-AI WebSockets: scripted server faults, a judge on six axes, reports.')
    .version(VERSION, '-v, --version', 'print the version')
    .addHelpText('after', '\nExit codes: 0 passed · 1 a scenario failed · 2 usage or invalid input · 3 the harness could not judge\nRun resume-harness COMMAND --help for a command\'s options and examples.\n');
  root.addCommand(runCommandDefinition(io, report));
  root.addCommand(matrixCommandDefinition(io, report));
  root.addCommand(listCommandDefinition(io, report));
  root.addCommand(validateCommandDefinition(io, report));
  root.addCommand(serveCommandDefinition(io, report));
  root.addCommand(mergeReportsCommandDefinition(io, report));
  root.addCommand(exploreCommandDefinition(io, report));
  root.addCommand(importCommandDefinition(io, report));
  root.addCommand(passThroughCommand('load', 'N concurrent conversations with expiry and flapping against one server, with thresholds', loadCommand)(io, report));
  return root;
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let code: number = EXIT.passed;
  try {
    await program(io, (c) => { code = c; }).parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return commanderExitCode(error);
    return exitCodeForError(error, io, argv[0]);
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('harness/cli/main.ts')) {
  // Exit explicitly: a client run in-process may leave a handle open that would keep the CLI alive.
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() }).then((code) => process.exit(code));
}
