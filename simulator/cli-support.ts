/**
 * What the two reference clients' command lines share (simulator/cli.ts for the AI-voice
 * protocol, simulator/gemini/cli.ts for Gemini Live): a variable read with its flag as the
 * fallback, the turn budget, seed and time scale of sut-contract §3, the result file, the
 * exit status, and the check that a file was run rather than imported.
 */
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { globalClock, scaledClock, type Clock } from '../protocol/clock.ts';
import { SutEnv } from '../protocol/sut-result.ts';
import type { SimulatorResult } from './simulator-types.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

/** A variable, or the flag named for it where the variable is unset or empty. */
export interface VariableReader {
  read(variable: string, flag: string): string | undefined;
  required(variable: string, flag: string): string;
  integer(variable: string, flag: string, text: string, min: number): number;
  url(variable: string, flag: string): string;
}

export function variableReader(env: NodeJS.ProcessEnv, flags: Readonly<Record<string, string | boolean | undefined>>): VariableReader {
  const reader: VariableReader = {
    read: (variable, flag) => {
      const fromEnv = env[variable];
      if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
      const fromFlag = flags[flag];
      return typeof fromFlag === 'string' && fromFlag !== '' ? fromFlag : undefined;
    },
    required: (variable, flag) => {
      const value = reader.read(variable, flag);
      if (value === undefined) throw new UsageError(`missing ${variable} (or --${flag})`);
      return value;
    },
    integer: (variable, flag, text, min) => {
      const value = Number(text);
      if (!Number.isInteger(value) || value < min) throw new UsageError(`${variable} (or --${flag}) must be an integer >= ${min}, got ${JSON.stringify(text)}`);
      return value;
    },
    url: (variable, flag) => {
      const value = reader.required(variable, flag);
      try {
        new URL(value);
      } catch {
        throw new UsageError(`${variable} (or --${flag}) is not a URL: ${JSON.stringify(value)}`);
      }
      return value;
    },
  };
  return reader;
}

/** sut-contract §3's turn budget (required), seed (default 0) and time scale (default: real time). */
export function runVariables(reader: VariableReader): { maxTurns: number; seed: number; timeScale: number | undefined } {
  const maxTurns = reader.integer(SutEnv.maxTurns, 'max-turns', reader.required(SutEnv.maxTurns, 'max-turns'), 0);
  const seedText = reader.read(SutEnv.seed, 'seed');
  const seed = seedText === undefined ? 0 : reader.integer(SutEnv.seed, 'seed', seedText, Number.MIN_SAFE_INTEGER);
  const scaleText = reader.read(SutEnv.timeScale, 'time-scale');
  if (scaleText === undefined) return { maxTurns, seed, timeScale: undefined };
  const timeScale = Number(scaleText);
  if (!(Number.isFinite(timeScale) && timeScale > 0)) throw new UsageError(`${SutEnv.timeScale} (or --time-scale) must be a number > 0, got ${JSON.stringify(scaleText)}`);
  return { maxTurns, seed, timeScale };
}

/** `--fallback fail|new-session`, checked. */
export function fallbackFlag(value: string | boolean | undefined): 'fail' | 'new-session' | undefined {
  if (value === undefined) return undefined;
  if (value !== 'fail' && value !== 'new-session') throw new UsageError(`--fallback must be 'fail' or 'new-session', got ${JSON.stringify(value)}`);
  return value;
}

export function clockFor(timeScale: number | undefined): Clock {
  return timeScale === undefined ? globalClock : scaledClock(timeScale);
}

/** The result file's content: the SutResult fields and the reason; the event log only on request. */
export function resultForFile(result: SimulatorResult, includeEvents: boolean): Record<string, unknown> {
  const { events, ...rest } = result;
  return includeEvents ? { ...rest, events } : rest;
}

/**
 * Writes the result (to `resultPath`, else stdout), says how the run ended on stderr, and
 * gives the exit status of sut-contract §3: 0 completed, 1 otherwise.
 */
export async function reportResult(name: string, result: SimulatorResult, resultPath: string | undefined, includeEvents: boolean): Promise<number> {
  const json = `${JSON.stringify(resultForFile(result, includeEvents), null, 2)}\n`;
  if (resultPath) {
    try {
      await writeFile(resultPath, json, 'utf8');
    } catch (error) {
      process.stderr.write(`${name}: could not write the result to ${resultPath}: ${(error as Error).message}\n`);
      return 1;
    }
  } else {
    process.stdout.write(json);
  }
  process.stderr.write(`${name}: ${result.status}${result.reason ? ` (${result.reason})` : ''}\n`);
  return result.status === 'completed' ? 0 : 1;
}

/** Parses the configuration, or prints the usage error and gives exit status 2. */
export function configOrExit<C>(name: string, parse: () => C): C | 2 {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${name}: ${error.message}\n`);
    return 2;
  }
}

/** Runs `main` when the module at `moduleUrl` is the process's entry point (not when imported). */
export function runIfEntry(moduleUrl: string, name: string, main: () => Promise<number>): void {
  const entry = process.argv[1];
  let direct = false;
  try {
    direct = entry !== undefined && moduleUrl === pathToFileURL(entry).href;
  } catch {
    direct = false;
  }
  if (!direct) return;
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${name}: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
