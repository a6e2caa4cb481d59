/**
 * The simulator as an external system under test (docs/sut-contract.md §3):
 *   npx tsx simulator/cli.ts
 * Configuration comes from the RESUME_HARNESS_* variables; a flag is used where its variable is
 * unset (--http-url, --ws-url, --share-token, --max-turns, --seed, --time-scale, --result,
 * --test-mode, --state-file, --fallback fail|new-session, --events, --quiet).
 * Exit status: 0 completed, 1 failed, 2 usage error.
 */
import { parseArgs } from 'node:util';
import { WebSocket as WsWebSocket } from 'ws';
import { SutEnv } from '../protocol/sut-result.ts';
import { clockFor, configOrExit, fallbackFlag, reportResult, runIfEntry, runVariables, UsageError, variableReader } from './cli-support.ts';
import type { WebSocketCtor } from './core/connection.ts';
import { ProspectSimulator } from './prospect-simulator.ts';
import type { SimulatorOptions } from './simulator-types.ts';

export { clockFor, resultForFile, UsageError } from './cli-support.ts';

export interface CliConfig {
  options: SimulatorOptions;
  resultPath: string | undefined;
  includeEvents: boolean;
  quiet: boolean;
  timeScale: number | undefined;
}

/** Reads the configuration; throws UsageError naming the variable (and flag) that is missing or wrong. */
export function parseCliConfig(argv: readonly string[], env: NodeJS.ProcessEnv): CliConfig {
  let flags;
  try {
    flags = parseArgs({
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
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const reader = variableReader(env, flags);
  const httpUrl = reader.url(SutEnv.httpUrl, 'http-url');
  const wsUrl = reader.url(SutEnv.wsUrl, 'ws-url');
  const shareToken = reader.required(SutEnv.shareToken, 'share-token');
  const { maxTurns, seed, timeScale } = runVariables(reader);
  const fallback = fallbackFlag(flags.fallback);

  const options: SimulatorOptions = { httpUrl, wsUrl, shareToken, maxTurns, seed };
  if (flags['test-mode']) options.testMode = flags['test-mode'];
  if (flags['state-file']) options.stateFile = flags['state-file'];
  if (fallback) options.policy = { fallback };
  return {
    options,
    resultPath: reader.read(SutEnv.result, 'result'),
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

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const config = configOrExit('simulator', () => parseCliConfig(argv, env));
  if (config === 2) return 2;
  const simulator = new ProspectSimulator({
    ...config.options,
    clock: clockFor(config.timeScale),
    WebSocket: pickWebSocket(),
    fetch: globalThis.fetch,
    logger: config.quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
  });
  return reportResult('simulator', await simulator.run(), config.resultPath, config.includeEvents);
}

runIfEntry(import.meta.url, 'simulator', () => main(process.argv.slice(2), process.env));
