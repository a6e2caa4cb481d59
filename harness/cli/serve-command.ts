/** `resume-harness serve --scenario ID`: the mock server alone, to point a real client at by hand. */
import { scaledClock } from '../../protocol/clock.ts';
import { startWsServer } from '../../mock-server/index.ts';
import { UsageError } from '../errors.ts';
import { mockServerFor } from '../sandbox/mock-server.ts';
import { loadCatalog } from '../scenario/loader.ts';
import { intFlag, parse, positiveFlag, protocolFlag } from './args.ts';
import type { CliIo } from './run-command.ts';

export async function serveCommand(args: string[], io: CliIo, until: Promise<void>): Promise<number> {
  const { values } = parse(args, { scenario: { type: 'string' }, port: { type: 'string' }, seed: { type: 'string' }, 'time-scale': { type: 'string' }, protocol: { type: 'string' } });
  const protocol = protocolFlag(values.protocol);
  if (typeof values.scenario !== 'string') throw new UsageError('serve needs --scenario ID (see: resume-harness list)');
  const found = loadCatalog().find((l) => l.scenario.id === values.scenario);
  if (!found) throw new UsageError(`no scenario "${values.scenario}" (see: resume-harness list)`);
  if (!found.scenario.faces.includes(protocol)) throw new UsageError(`scenario ${found.scenario.id} belongs to ${found.scenario.faces.join(', ')}, not ${protocol} (see: resume-harness list)`);
  const scale = positiveFlag(values['time-scale'], 'time-scale') ?? 1;
  const server = mockServerFor(found.scenario, scaledClock(scale), intFlag(values.seed, 'seed') ?? undefined, protocol);
  const running = await startWsServer(server.face, { port: intFlag(values.port, 'port') ?? 0 });
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
  await until;
  clearInterval(pump);
  flush();
  server.dispose();
  await running.close();
  return 0;
}
