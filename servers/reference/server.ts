/**
 * The reference AI-voice server's entry point, a system under test
 * (docs/server-contract.md): reads the contract's environment, listens on
 * 127.0.0.1:$RESUME_HARNESS_PORT, prints "listening on 127.0.0.1:PORT" once the port accepts,
 * and stops on SIGTERM (or SIGINT), closing every client with 1001 and every upstream.
 *
 *   node --import tsx servers/reference/server.ts [--mutant ID]
 *
 * `--mutant ID` runs a mutant of the gallery (servers/mutants/) instead: the reference with one
 * bug. An unknown id is a one-line error naming the known ones, and exit 2.
 */
import { scaledClock } from '../../protocol/clock.ts';
import { startReferenceServer } from './app.ts';
import { ConfigError, readConfig } from './config.ts';
import { processLog } from './log.ts';
import { readMutantFlag } from './mutant-flag.ts';
import { geminiUpstreamFactory } from './upstream.ts';

/** Protocol seconds a setup may go unanswered (server-contract.md §2). */
export const CONNECT_TIMEOUT_SECONDS = 10;

async function main(): Promise<void> {
  const log = processLog();
  const flag = readMutantFlag(process.argv.slice(2));
  if (!flag.ok) {
    log.error(`reference server: ${flag.error}`);
    process.exit(2);
  }
  const mutant = flag.mutant;
  if (mutant) log.info(`mutant: ${mutant.id}`);
  let config;
  try {
    config = readConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      log.error(`config: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  log.secret(config.apiKey);
  for (const token of config.agents.keys()) log.secret(token);
  // A frame the SDK cannot parse rejects a promise inside it (gemini-live.md §7.3): log it, keep serving.
  process.on('unhandledRejection', (reason) => log.error(`unhandled rejection: ${(reason as Error)?.message ?? String(reason)}`));
  const clock = scaledClock(config.timeScale);
  const upstreams = geminiUpstreamFactory({ apiKey: config.apiKey, clock, connectTimeoutMs: CONNECT_TIMEOUT_SECONDS * 1000 });
  const server = await startReferenceServer(config.port, { config, log, upstreams, ...(mutant ? { behaviour: mutant.behaviour } : {}) });
  log.info(`reference server: ${config.agents.size} agent(s), upstream ${config.baseUrl ?? '(SDK default)'}, time scale ${config.timeScale}`);
  log.info(`listening on 127.0.0.1:${server.port}`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping`);
    server.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

await main();
