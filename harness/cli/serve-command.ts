/** `resume-harness serve --scenario ID`: the mock server alone, to point a real client at by hand. */
import { scaledClock } from '../../protocol/clock.ts';
import { PROTOCOLS } from '../../protocol/sut-result.ts';
import { startWsServer } from '../../mock-server/index.ts';
import { UsageError, UserInputError } from '../errors.ts';
import { mockServerFor } from '../sandbox/mock-server.ts';
import { loadCatalog } from '../scenario/loader.ts';
import { intFlag, positiveFlag, protocolFlag } from './args.ts';
import type { CliIo } from './cli-io.ts';
import { defineCommand, examples, invokeCommand, once, type ReportCode } from './command-kit.ts';
import { didYouMean } from './did-you-mean.ts';
import { EXIT } from './exit-codes.ts';

interface ServeOptions {
  readonly scenario?: string;
  readonly port?: string;
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
    .summary('serve one scenario\'s mock server on 127.0.0.1, to point a real client at by hand')
    .description('Starts the mock server of one catalog scenario on 127.0.0.1, prints the variables a client needs (sut-contract), then the journal as it happens (handles and tokens redacted), until Ctrl-C.')
    .option('--scenario <id>', 'the catalog scenario to serve (required; see resume-harness list)', once('scenario'))
    .option('--port <p>', 'TCP port on 127.0.0.1 (default 0: a free port, printed)', once('port'))
    .option('--seed <n>', 'seed of the server script', once('seed'))
    .option('--time-scale <x>', 'real seconds per protocol second (default 1: real time)', once('time-scale'))
    .option('--protocol <face>', `the wire to serve: ${PROTOCOLS.join(' or ')} (default ai-voice)`, once('protocol'))
    .addHelpText('after', examples('resume-harness serve --scenario goaway', 'resume-harness serve --scenario goaway --protocol gemini-live --port 9000'))
    .action(async (options: ServeOptions) => report(await serve(options, io, until)));
}

/** `serve` with its arguments, stopping when `until` settles (tests give their own). */
export async function serveCommand(args: readonly string[], io: CliIo, until: Promise<void>): Promise<number> {
  return invokeCommand((cliIo, report) => serveCommandDefinition(cliIo, report, () => until), args, io);
}

async function serve(options: ServeOptions, io: CliIo, until: () => Promise<void>): Promise<number> {
  const protocol = protocolFlag(options.protocol);
  if (options.scenario === undefined) throw new UsageError('serve needs --scenario ID (see: resume-harness list)');
  const catalog = loadCatalog();
  const found = catalog.find((l) => l.scenario.id === options.scenario);
  if (!found) throw new UsageError(`no scenario "${options.scenario}"${didYouMean(options.scenario, catalog.map((l) => l.scenario.id))} (see: resume-harness list)`);
  if (!found.scenario.faces.includes(protocol)) throw new UsageError(`scenario ${found.scenario.id} belongs to ${found.scenario.faces.join(', ')}, not ${protocol} (see: resume-harness list)`);
  const scale = positiveFlag(options.timeScale, 'time-scale') ?? 1;
  const port = intFlag(options.port, 'port') ?? 0;
  if (port > 65535) throw new UsageError(`--port must be from 0 to 65535, got ${port}`);
  const seed = intFlag(options.seed, 'seed') ?? undefined;
  const server = mockServerFor(found.scenario, scaledClock(scale), seed, protocol);
  let running: Awaited<ReturnType<typeof startWsServer>>;
  try {
    running = await startWsServer(server.face, { port });
  } catch (error) {
    server.dispose();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UserInputError('CLI_PORT_IN_USE', `port ${port} is already in use on 127.0.0.1: stop what holds it, or choose another with --port (--port 0 picks a free one)`);
    if (code === 'EACCES') throw new UserInputError('CLI_PORT_IN_USE', `port ${port} on 127.0.0.1 needs privileges this user lacks: choose a port above 1023 with --port (--port 0 picks a free one)`);
    throw error;
  }
  const where =
    protocol === 'gemini-live'
      ? [
          // sut-contract §6: what @google/genai reads; any Gemini Live app can be pointed here.
          `  GOOGLE_GEMINI_BASE_URL=${running.httpUrl}`,
          `  GEMINI_API_KEY=${server.credential}`,
          `  wss → ${running.wsUrl}?key=… (v1, v1beta and v1alpha paths, ?key= or x-goog-api-key)`,
        ]
      : [
          `  RESUME_HARNESS_HTTP_URL=${running.httpUrl}`,
          `  RESUME_HARNESS_WS_URL=${running.wsUrl}`,
          `  RESUME_HARNESS_SHARE_TOKEN=${server.credential}`,
          `  POST ${running.httpUrl}/api/sales-agent/${server.credential}/session`,
        ];
  io.stdout.write(
    [
      `resume-harness: serving scenario ${found.scenario.id} on the ${protocol} face (time scale ${scale})`,
      ...where,
      '  journal events follow (handles and tokens redacted); Ctrl-C to stop',
      '',
    ].join('\n'),
  );
  let printed = 0;
  const flush = (): void => {
    const events = server.journal.events;
    // The journal never holds a secret (frames are redacted as they are recorded).
    for (; printed < events.length; printed++) io.stdout.write(`${JSON.stringify(events[printed])}\n`);
  };
  const pump = setInterval(flush, 100);
  await until();
  clearInterval(pump);
  flush();
  server.dispose();
  await running.close();
  return EXIT.passed;
}
