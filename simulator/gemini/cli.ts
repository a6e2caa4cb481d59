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
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { WebSocket as WsWebSocket } from 'ws';
import { SutEnv, GeminiSutEnv } from '../../protocol/sut-result.ts';
import { clockFor, resultForFile, UsageError } from '../cli.ts';
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
  const read = (variable: string, flag: keyof typeof flags): string | undefined => {
    const fromEnv = env[variable];
    if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
    const fromFlag = flags[flag];
    return typeof fromFlag === 'string' && fromFlag !== '' ? fromFlag : undefined;
  };
  const required = (variable: string, flag: keyof typeof flags): string => {
    const value = read(variable, flag);
    if (value === undefined) throw new UsageError(`missing ${variable} (or --${flag})`);
    return value;
  };
  const integer = (variable: string, flag: string, text: string, min: number): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) throw new UsageError(`${variable} (or --${flag}) must be an integer >= ${min}, got ${JSON.stringify(text)}`);
    return value;
  };

  const baseUrl = required(GeminiEnv.baseUrl, 'base-url');
  try {
    new URL(baseUrl);
  } catch {
    throw new UsageError(`${GeminiEnv.baseUrl} (or --base-url) is not a URL: ${JSON.stringify(baseUrl)}`);
  }
  const apiKey = required(GeminiEnv.apiKey, 'api-key');
  const maxTurns = integer(SutEnv.maxTurns, 'max-turns', required(SutEnv.maxTurns, 'max-turns'), 0);
  const seedText = read(SutEnv.seed, 'seed');
  const seed = seedText === undefined ? 0 : integer(SutEnv.seed, 'seed', seedText, Number.MIN_SAFE_INTEGER);
  const scaleText = read(SutEnv.timeScale, 'time-scale');
  let timeScale: number | undefined;
  if (scaleText !== undefined) {
    timeScale = Number(scaleText);
    if (!(Number.isFinite(timeScale) && timeScale > 0)) throw new UsageError(`${SutEnv.timeScale} (or --time-scale) must be a number > 0, got ${JSON.stringify(scaleText)}`);
  }
  const { sdk, fallback, mutant, model } = flags;
  if (sdk !== undefined && sdk !== 'node' && sdk !== 'web') throw new UsageError(`--sdk must be 'node' or 'web', got ${JSON.stringify(sdk)}`);
  if (fallback !== undefined && fallback !== 'fail' && fallback !== 'new-session') throw new UsageError(`--fallback must be 'fail' or 'new-session', got ${JSON.stringify(fallback)}`);
  if (mutant !== undefined && !findGeminiMutant(mutant)) throw new UsageError(`--mutant: no Gemini mutant ${JSON.stringify(mutant)}`);

  const options: GeminiProspectOptions = { baseUrl, apiKey, maxTurns, seed };
  if (model) options.model = model;
  if (sdk) options.sdk = sdk;
  if (fallback) options.policy = { fallback };
  return { options, timeScale, resultPath: read(SutEnv.result, 'result'), mutant, includeEvents: flags.events === true, quiet: flags.quiet === true };
}

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let config: GeminiCliConfig;
  try {
    config = parseGeminiCliConfig(argv, env);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`gemini-prospect: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
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
  const result = await client.run();
  const json = `${JSON.stringify(resultForFile(result, config.includeEvents), null, 2)}\n`;
  if (config.resultPath) {
    try {
      await writeFile(config.resultPath, json, 'utf8');
    } catch (error) {
      process.stderr.write(`gemini-prospect: could not write the result to ${config.resultPath}: ${(error as Error).message}\n`);
      return 1;
    }
  } else {
    process.stdout.write(json);
  }
  process.stderr.write(`gemini-prospect: ${result.status}${result.reason ? ` (${result.reason})` : ''}\n`);
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
  // @google/genai 2.32.0 parses every server frame in an unawaited promise: a frame that is not
  // JSON rejects it, which would end the process. The frame is lost either way; the run goes on.
  process.on('unhandledRejection', (error: unknown) => {
    process.stderr.write(`gemini-prospect: ignored an error inside the SDK: ${error instanceof Error ? error.message : String(error)}\n`);
  });
  main(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`gemini-prospect: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
