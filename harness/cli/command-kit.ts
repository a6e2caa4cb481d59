/**
 * What every command shares on commander: output through the CLI's streams (never
 * process.stdout directly, so tests and embedders see everything), errors thrown rather than
 * process.exit, one-line error messages with commander's own "did you mean", and option
 * parsers that either merge a repeated option or refuse it.
 */
import { Command, CommanderError } from 'commander';
import { UsageError } from '../errors.ts';
import type { CliIo } from './cli-io.ts';
import { EXIT } from './exit-codes.ts';

/** Sets a command's exit code from its action. */
export type ReportCode = (code: number) => void;

/** A command as main.ts registers it: built for one set of streams, reporting its exit code. */
export type CommandDefinition = (io: CliIo, report: ReportCode) => Command;

export function defineCommand(name: string, io: CliIo): Command {
  return new Command(name)
    .exitOverride()
    .showSuggestionAfterError(true)
    .allowExcessArguments(false)
    .configureHelp({ sortOptions: false, helpWidth: 100 })
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
      // commander's "error: unknown option '--x'\n(Did you mean --y?)" as one line, then where help is.
      outputError: (text, write) => write(`resume-harness: ${text.replace(/^error: /, '').trim().replace(/\n+/g, ' ')} (see: resume-harness ${name === 'resume-harness' ? '' : `${name} `}--help)\n`),
    });
}

/**
 * An option given at most once: a second `--seed` is refused by name rather than silently
 * replacing the first (the parser commander calls with the value and the previous one).
 */
export function once(flag: string, hint = ''): (value: string, previous: string | undefined) => string {
  return (value, previous) => {
    if (previous !== undefined) throw new UsageError(`--${flag} given twice ("${previous}", then "${value}"): it takes one value${hint ? `; ${hint}` : ''}`);
    return value;
  };
}

/** A repeatable option whose values add up; each may also be a comma-separated list. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

/** A repeatable option whose values add up as given (a `cmd:` value may hold commas). */
export function collectWhole(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** "Examples:" after the options in a command's help. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
}

/**
 * Parses `args` with one command and runs its action. commander's own exits (help, version)
 * become exit 0; its parse errors (already printed, on one line) exit 2. Anything else
 * thrown, a UsageError included, is the caller's to map (exit-codes.ts).
 */
export async function invokeCommand(definition: CommandDefinition, args: readonly string[], io: CliIo): Promise<number> {
  let code: number = EXIT.passed;
  const command = definition(io, (c) => { code = c; });
  try {
    await command.parseAsync([...args], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return commanderExitCode(error);
    throw error;
  }
  return code;
}

/**
 * Help and version asked for (`--help`, `help run`, `--version`: commander's exit code 0): 0.
 * Help shown because the command line was incomplete, or a parse error: 2.
 */
export function commanderExitCode(error: CommanderError): number {
  return error.exitCode === 0 ? EXIT.passed : EXIT.usage;
}

/**
 * A command that parses its own arguments (node:util parseArgs, as every command did before
 * commander): registered in main.ts in one line like the others, every argument after its
 * name handed over as given, `--help` included, and its return value the exit code.
 */
export function passThroughCommand(name: string, summary: string, run: (args: string[], io: CliIo) => Promise<number> | number): CommandDefinition {
  return (io, report) =>
    defineCommand(name, io)
      .summary(summary)
      .helpOption(false)
      .allowUnknownOption(true)
      .allowExcessArguments(true)
      .argument('[args...]', 'read by the command itself')
      .action(async (args: string[]) => report(await run(args, io)));
}
