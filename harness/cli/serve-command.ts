/** `resume-harness serve --scenario ID|FILE`: the mock server alone, for a client driven by hand, judged when the conversation is over (run/serve-session.ts). */
import { UsageError } from '../errors.ts';
import { resolveServeScenario, serveSession } from '../run/serve-session.ts';
import { intFlag, parse, positiveFlag, protocolFlag } from './args.ts';
import type { CliIo } from './run-command.ts';

export async function serveCommand(args: string[], io: CliIo, until: Promise<void>): Promise<number> {
  const { values } = parse(args, { scenario: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, seed: { type: 'string' }, 'time-scale': { type: 'string' }, protocol: { type: 'string' } });
  const protocol = protocolFlag(values.protocol);
  if (typeof values.scenario !== 'string') throw new UsageError('serve needs --scenario ID or --scenario FILE (see: resume-harness list)');
  const scenario = resolveServeScenario(values.scenario, io.cwd, protocol);
  const outcome = await serveSession({
    scenario,
    protocol,
    timeScale: positiveFlag(values['time-scale'], 'time-scale') ?? 1,
    port: intFlag(values.port, 'port') ?? 0,
    ...(typeof values.host === 'string' ? { host: values.host } : {}),
    seed: intFlag(values.seed, 'seed'),
    until,
    out: (text) => io.stdout.write(text),
    warn: (text) => io.stderr.write(text),
  });
  return outcome.exitCode;
}
