/**
 * The reference Gemini Live client as an external system under test
 * (docs/sut-contract.md §3, §6):
 *   npx tsx simulator/gemini/cli.ts
 * Configuration: GOOGLE_GEMINI_BASE_URL, GEMINI_API_KEY, RESUME_HARNESS_MAX_TURNS,
 * RESUME_HARNESS_SEED, RESUME_HARNESS_TIME_SCALE, RESUME_HARNESS_RESULT; a flag is used where
 * its variable is unset (--base-url, --api-key, --max-turns, --seed, --time-scale, --result),
 * plus --model, --sdk node|web, --fallback fail|new-session, --mutant gN, --events, --quiet.
 * Exit status: 0 completed, 1 failed, 2 usage error.
 */
import { parseArgs } from 'node:util';
import { WebSocket as WsWebSocket } from 'ws';
import { GeminiSutEnv, SutEnv } from '../../protocol/sut-result.ts';
import { clockFor, configOrExit, fallbackFlag, reportResult, runIfEntry, runVariables, UsageError, variableReader } from '../cli-support.ts';
import { GeminiProspect, type GeminiProspectOptions } from './gemini-prospect.ts';
import { findGeminiMutant } from './gemini-mutants.ts';

/** sut-contract §6's two variables, defined once in protocol/sut-result.ts. */
export const GeminiEnv = GeminiSutEnv;

export interface GeminiCliConfig {
  options: GeminiProspectOptions;
  timeScale: number | undefined;
  resultPath: string | undefined;
  mutant: string | undefined;
  includeEvents: boolean;
  quiet: boolean;
}

/** Reads the configuration; throws UsageError naming the variable (and flag) that is missing or wrong. */
export function parseGeminiCliConfig(argv: readonly string[], env: NodeJS.ProcessEnv): GeminiCliConfig {
  let flags;
  try {
    flags = parseArgs({
      args: [...argv],
      allowPositionals: false,
      strict: true,
      options: {
        'base-url': { type: 'string' },
        'api-key': { type: 'string' },
        'max-turns': { type: 'string' },
        seed: { type: 'string' },
        'time-scale': { type: 'string' },
        result: { type: 'string' },
        model: { type: 'string' },
        sdk: { type: 'string' },
        fallback: { type: 'string' },
        mutant: { type: 'string' },
        events: { type: 'boolean' },
        quiet: { type: 'boolean' },
      },
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const reader = variableReader(env, flags);
  const baseUrl = reader.url(GeminiEnv.baseUrl, 'base-url');
  const apiKey = reader.required(GeminiEnv.apiKey, 'api-key');
  const { maxTurns, seed, timeScale } = runVariables(reader);
  const { sdk, mutant, model } = flags;
  const fallback = fallbackFlag(flags.fallback);
  if (sdk !== undefined && sdk !== 'node' && sdk !== 'web') throw new UsageError(`--sdk must be 'node' or 'web', got ${JSON.stringify(sdk)}`);
  if (mutant !== undefined && !findGeminiMutant(mutant)) throw new UsageError(`--mutant: no Gemini mutant ${JSON.stringify(mutant)}`);

  const options: GeminiProspectOptions = { baseUrl, apiKey, maxTurns, seed };
  if (model) options.model = model;
  if (sdk) options.sdk = sdk;
  if (fallback) options.policy = { fallback };
  return { options, timeScale, resultPath: reader.read(SutEnv.result, 'result'), mutant, includeEvents: flags.events === true, quiet: flags.quiet === true };
}

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const config = configOrExit('gemini-prospect', () => parseGeminiCliConfig(argv, env));
  if (config === 2) return 2;
  const options: GeminiProspectOptions = {
    ...config.options,
    clock: clockFor(config.timeScale),
    ...(config.quiet ? {} : { logger: (line: string) => process.stderr.write(`${line}\n`) }),
  };
  // The web build uses globalThis.WebSocket, which Node 20 lacks: the `ws` class stands in.
  if (config.options.sdk === 'web' && typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'undefined') {
    (globalThis as { WebSocket?: unknown }).WebSocket = WsWebSocket;
  }
  const mutant = config.mutant === undefined ? undefined : findGeminiMutant(config.mutant);
  const client = mutant ? mutant.create(options) : new GeminiProspect(options);
  return reportResult('gemini-prospect', await client.run(), config.resultPath, config.includeEvents);
}

runIfEntry(import.meta.url, 'gemini-prospect', () => {
  // @google/genai 2.32.0 parses every server frame in an unawaited promise: a frame that is not
  // JSON rejects it, which would end the process. The frame is lost either way; the run goes on.
  process.on('unhandledRejection', (error: unknown) => {
    process.stderr.write(`gemini-prospect: ignored an error inside the SDK: ${error instanceof Error ? error.message : String(error)}\n`);
  });
  return main(process.argv.slice(2), process.env);
});
