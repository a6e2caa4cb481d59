/**
 * The simulator as an external system under test (docs/sut-contract.md §3):
 *   npx tsx simulator/cli.ts
 * Configuration comes from the RESUME_HARNESS_* variables; a flag is used where its variable is
 * unset (--http-url, --ws-url, --share-token, --max-turns, --seed, --time-scale, --result,
 * --test-mode, --state-file, --fallback fail|new-session, --events, --quiet).
 * Exit status: 0 completed, 1 failed, 2 usage error.
 */
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { WebSocket as WsWebSocket } from 'ws';
import { globalClock, scaledClock, type Clock } from '../protocol/clock.ts';
import { SutEnv } from '../protocol/sut-result.ts';
import type { WebSocketCtor } from './core/connection.ts';
import { ProspectSimulator } from './prospect-simulator.ts';
import type { SimulatorOptions, SimulatorResult } from './simulator-types.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface CliConfig {
  options: SimulatorOptions;
  resultPath: string | undefined;
  includeEvents: boolean;
  quiet: boolean;
  timeScale: number | undefined;
}

const FLAG_FOR: Record<keyof typeof SutEnv, string> = {
  httpUrl: 'http-url',
  wsUrl: 'ws-url',
  shareToken: 'share-token',
  maxTurns: 'max-turns',
  seed: 'seed',
  timeScale: 'time-scale',
  result: 'result',
};

/** Reads the configuration; throws UsageError naming the variable (and flag) that is missing or wrong. */
export function parseCliConfig(argv: readonly string[], env: NodeJS.ProcessEnv): CliConfig {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: false,
      strict: true,
      options: {
        'http-url': { type: 'string' },
        'ws-url': { type: 'string' },
        'share-token': { type: 'string' },
        'max-turns': { type: 'string' },
        seed: { type: 'string' },
        'time-scale': { type: 'string' },
        result: { type: 'string' },
        'test-mode': { type: 'string' },
        'state-file': { type: 'string' },
        fallback: { type: 'string' },
        events: { type: 'boolean' },
        quiet: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const flags = parsed.values;
  const read = (key: keyof typeof SutEnv): string | undefined => {
    const fromEnv = env[SutEnv[key]];
    if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
    const fromFlag = flags[FLAG_FOR[key] as keyof typeof flags];
    return typeof fromFlag === 'string' && fromFlag !== '' ? fromFlag : undefined;
  };
  const required = (key: keyof typeof SutEnv): string => {
    const value = read(key);
    if (value === undefined) throw new UsageError(`missing ${SutEnv[key]} (or --${FLAG_FOR[key]})`);
    return value;
  };
  const integer = (key: keyof typeof SutEnv, text: string, min: number): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) {
      throw new UsageError(`${SutEnv[key]} (or --${FLAG_FOR[key]}) must be an integer >= ${min}, got ${JSON.stringify(text)}`);
    }
    return value;
  };

  const httpUrl = required('httpUrl');
  const wsUrl = required('wsUrl');
  const shareToken = required('shareToken');
  const maxTurns = integer('maxTurns', required('maxTurns'), 0);
  const seedText = read('seed');
  const seed = seedText === undefined ? 0 : integer('seed', seedText, Number.MIN_SAFE_INTEGER);
  const scaleText = read('timeScale');
  let timeScale: number | undefined;
  if (scaleText !== undefined) {
    timeScale = Number(scaleText);
    if (!(Number.isFinite(timeScale) && timeScale > 0)) {
      throw new UsageError(`${SutEnv.timeScale} (or --time-scale) must be a number > 0, got ${JSON.stringify(scaleText)}`);
    }
  }
  for (const [key, value] of [['httpUrl', httpUrl], ['wsUrl', wsUrl]] as const) {
    try {
      new URL(value);
    } catch {
      throw new UsageError(`${SutEnv[key]} (or --${FLAG_FOR[key]}) is not a URL: ${JSON.stringify(value)}`);
    }
  }
  const fallback = flags.fallback;
  if (fallback !== undefined && fallback !== 'fail' && fallback !== 'new-session') {
    throw new UsageError(`--fallback must be 'fail' or 'new-session', got ${JSON.stringify(fallback)}`);
  }

  const options: SimulatorOptions = { httpUrl, wsUrl, shareToken, maxTurns, seed };
  if (flags['test-mode']) options.testMode = flags['test-mode'];
  if (flags['state-file']) options.stateFile = flags['state-file'];
  if (fallback) options.policy = { fallback };
  return {
    options,
    resultPath: read('result'),
    includeEvents: flags.events === true,
    quiet: flags.quiet === true,
    timeScale,
  };
}

/** The WHATWG global when the runtime has one (Node >= 22), else the `ws` package's class. */
export function pickWebSocket(): WebSocketCtor {
  const global = (globalThis as { WebSocket?: WebSocketCtor }).WebSocket;
  return global ?? WsWebSocket;
}

export function clockFor(timeScale: number | undefined): Clock {
  return timeScale === undefined ? globalClock : scaledClock(timeScale);
}

/** The result file's content: the SutResult fields and the reason; the event log only on request. */
export function resultForFile(result: SimulatorResult, includeEvents: boolean): Record<string, unknown> {
  const { events, ...rest } = result;
  return includeEvents ? { ...rest, events } : rest;
}

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let config: CliConfig;
  try {
    config = parseCliConfig(argv, env);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`simulator: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const simulator = new ProspectSimulator({
    ...config.options,
    clock: clockFor(config.timeScale),
    WebSocket: pickWebSocket(),
    fetch: globalThis.fetch,
    logger: config.quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
  });
  const result = await simulator.run();
  const json = `${JSON.stringify(resultForFile(result, config.includeEvents), null, 2)}\n`;
  if (config.resultPath) {
    try {
      await writeFile(config.resultPath, json, 'utf8');
    } catch (error) {
      process.stderr.write(`simulator: could not write the result to ${config.resultPath}: ${(error as Error).message}\n`);
      return 1;
    }
  } else {
    process.stdout.write(json);
  }
  process.stderr.write(`simulator: ${result.status}${result.reason ? ` (${result.reason})` : ''}\n`);
  return result.status === 'completed' ? 0 : 1;
}

const invokedDirectly = (() => {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return import.meta.url === pathToFileURL(entry).href;
  } catch {
    return false;
  }
})();

if (invokedDirectly) {
  main(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`simulator: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
