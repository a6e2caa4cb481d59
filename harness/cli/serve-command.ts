/** `resume-harness serve --scenario ID|FILE`: the mock server alone, for a client driven by hand, judged when the conversation is over or on Ctrl-C (run/serve-session.ts). */
import { PROTOCOLS } from '../../protocol/sut-result.ts';
import { UsageError, UserInputError } from '../errors.ts';
import { resolveServeScenario, serveSession } from '../run/serve-session.ts';
import { isScenarioFilePath, loadCatalog } from '../scenario/loader.ts';
import { intFlag, positiveFlag, protocolFlag } from './args.ts';
import type { CliIo } from './cli-io.ts';
import { defineCommand, examples, invokeCommand, once, type ReportCode } from './command-kit.ts';
import { didYouMean } from './did-you-mean.ts';

interface ServeOptions {
  readonly scenario?: string;
  readonly port?: string;
  readonly host?: string;
  readonly seed?: string;
  readonly timeScale?: string;
  readonly protocol?: string;
}

/** Until Ctrl-C (or a SIGTERM): when serve stops. */
function untilSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

export function serveCommandDefinition(io: CliIo, report: ReportCode, until: () => Promise<void> = untilSignal) {
  return defineCommand('serve', io)
    .summary('serve one scenario\'s mock server on 127.0.0.1 for a client driven by hand, and judge the conversation')
    .description('Starts the mock server of one scenario (a catalog id or a scenario file) on 127.0.0.1, prints the variables a client needs (sut-contract), then the journal as it happens (handles and tokens redacted). When the conversation is over (conversation_end, or every turn answered, and every connection closed) or on Ctrl-C it prints the verdict of each axis, judged from the server\'s side, and exits 0 (passed), 1 (failed) or 3 (UNKNOWN).')
    .option('--scenario <id|file>', 'the scenario to serve: a catalog id, a scenario file, or FILE#ID for one variant of a file (required; see resume-harness list)', once('scenario'))
    .option('--port <p>', 'TCP port (default 0: a free port, printed)', once('port'))
    .option('--host <address>', 'address to bind (default 127.0.0.1); serve warns when it is not loopback', once('host'))
    .option('--seed <n>', 'seed of the server script', once('seed'))
    .option('--time-scale <x>', 'real seconds per protocol second (default 1: real time)', once('time-scale'))
    .option('--protocol <face>', `the wire to serve: ${PROTOCOLS.join(' or ')} (default ai-voice)`, once('protocol'))
    .addHelpText('after', examples('resume-harness serve --scenario goaway', 'resume-harness serve --scenario my-scenarios/drop.scenario.json --time-scale 0.1', 'resume-harness serve --scenario goaway --protocol gemini-live --port 9000'))
    .action(async (options: ServeOptions) => report(await serve(options, io, until)));
}

/** `serve` with its arguments, stopping when `until` settles (tests give their own). */
export async function serveCommand(args: readonly string[], io: CliIo, until: Promise<void>): Promise<number> {
  return invokeCommand((cliIo, report) => serveCommandDefinition(cliIo, report, () => until), args, io);
}

async function serve(options: ServeOptions, io: CliIo, until: () => Promise<void>): Promise<number> {
  const protocol = protocolFlag(options.protocol);
  if (options.scenario === undefined) throw new UsageError('serve needs --scenario ID or --scenario FILE (see: resume-harness list)');
  if (!isScenarioFilePath(options.scenario.replace(/#[^#]*$/, ''))) {
    const ids = loadCatalog().map((l) => l.scenario.id);
    if (!ids.includes(options.scenario)) throw new UsageError(`no scenario "${options.scenario}"${didYouMean(options.scenario, ids)} (see: resume-harness list)`);
  }
  const scenario = resolveServeScenario(options.scenario, io.cwd, protocol);
  const port = intFlag(options.port, 'port') ?? 0;
  if (port > 65535) throw new UsageError(`--port must be from 0 to 65535, got ${port}`);
  const host = options.host ?? '127.0.0.1';
  try {
    const outcome = await serveSession({
      scenario,
      protocol,
      timeScale: positiveFlag(options.timeScale, 'time-scale') ?? 1,
      port,
      host,
      seed: intFlag(options.seed, 'seed'),
      until: until(),
      out: (text) => io.stdout.write(text),
      warn: (text) => io.stderr.write(text),
    });
    return outcome.exitCode;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UserInputError('CLI_PORT_IN_USE', `port ${port} is already in use on ${host}: stop what holds it, or choose another with --port (--port 0 picks a free one)`);
    if (code === 'EACCES') throw new UserInputError('CLI_PORT_IN_USE', `port ${port} on ${host} needs privileges this user lacks: choose a port above 1023 with --port (--port 0 picks a free one)`);
    throw error;
  }
}
