/**
 * `resume-harness explore --sut SUT [--runs N | --time S] [--seed N] [--out DIR] [--strict]`:
 * random fault schedules against a client in virtual mode; a failure is shrunk and written as a
 * scenario file with the command that replays it. Exit 1 when a failure was found, 0 otherwise.
 */
import { randomInt } from 'node:crypto';
import { resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { explore } from '../explore/explore.ts';
import { scheduleSize } from '../explore/schedule-arbitrary.ts';
import { writeFoundScenario } from '../explore/write-found.ts';
import { builtinSut } from '../sut/builtin-sut.ts';
import { parseSut } from '../sut/parse-sut.ts';
import { intFlag, positiveFlag } from './args.ts';
import type { CliIo } from './cli-io.ts';
import { defineCommand, examples, invokeCommand, once, type ReportCode } from './command-kit.ts';
import { EXIT } from './exit-codes.ts';

const DEFAULT_RUNS = 1000;

interface ExploreFlags {
  readonly sut?: string;
  readonly runs?: string;
  readonly time?: string;
  readonly seed?: string;
  readonly out?: string;
  readonly strict?: boolean;
}

export function exploreCommandDefinition(io: CliIo, report: ReportCode) {
  return defineCommand('explore', io)
    .summary('random fault schedules against a client; a failure shrunk to a minimal scenario file')
    .description('Draws random fault schedules in the scenario language (fast-check over the whole server script), runs each against the client in virtual mode and, on a FAILED verdict, shrinks the schedule to a minimal one and writes it as a scenario file with the command that replays it. A schedule the reference simulator fails too is not held against the client (it is reported apart). Seeded: the same seed tries the same schedules. Exit 1 when a failure was found, 0 otherwise.')
    .option('--sut <spec>', 'the client: builtin (default), module:PATH, mutant:ID (virtual mode: not cmd:)', once('sut'))
    .option('--runs <n>', `schedules to try at most (default ${DEFAULT_RUNS})`, once('runs'))
    .option('--time <seconds>', 'try schedules for this long instead of a count', once('time'))
    .option('--seed <n>', 'the seed of the schedules (printed; replays the exploration)', once('seed'))
    .option('--out <dir>', 'where a found scenario is written (default reports/explore)', once('out'))
    .option('--strict', 'NON-STRICT fails a schedule too')
    .addHelpText('after', examples('resume-harness explore --sut module:my-client.mjs --runs 2000 --seed 1', 'resume-harness explore --sut mutant:t7-no-resend --time 30 --out found/'))
    .action(async (flags: ExploreFlags) => report(await exploreClient(flags, io)));
}

export function exploreCommand(args: readonly string[], io: CliIo): Promise<number> {
  return invokeCommand(exploreCommandDefinition, args, io);
}

async function exploreClient(flags: ExploreFlags, io: CliIo): Promise<number> {
  if (flags.runs !== undefined && flags.time !== undefined) throw new UsageError('explore takes --runs N or --time S, not both');
  const sut = parseSut(flags.sut ?? 'builtin', io.cwd);
  if (!sut.modes.includes('virtual')) throw new UsageError(`explore runs in virtual mode; --sut ${sut.id} runs only in ${sut.modes.join(' or ')} mode`);
  const seed = intFlag(flags.seed, 'seed') ?? randomInt(0, 2 ** 31);
  const timeS = positiveFlag(flags.time, 'time');
  const runs = timeS !== undefined ? Number.MAX_SAFE_INTEGER : (intFlag(flags.runs, 'runs') ?? DEFAULT_RUNS);
  if (runs === 0) throw new UsageError('--runs must be at least 1');
  const outDir = resolve(io.cwd, flags.out ?? 'reports/explore');
  io.stdout.write(`resume-harness explore: ${sut.id}, seed ${seed}, ${timeS !== undefined ? `for ${timeS} s` : `up to ${runs} schedules`}, virtual mode\n`);
  // Against any other client, a schedule the reference simulator fails too is not held against it (explore.ts).
  const reference = sut.id === 'builtin' ? undefined : builtinSut();
  const result = await explore({ sut, seed, runs, ...(timeS !== undefined ? { timeLimitMs: timeS * 1000 } : {}), strict: flags.strict === true, ...(reference ? { reference } : {}) });
  const perSecond = result.runs / (result.wallMs / 1000);
  io.stdout.write(`${result.schedules} schedules tried, ${result.runs} runs (shrinking included) in ${(result.wallMs / 1000).toFixed(1)} s: ${perSecond.toFixed(1)} runs/s; ${result.unknown} UNKNOWN (the harness could not judge; not counted as failures)\n`);
  if (result.firstSuspect) {
    io.stdout.write(`${result.suspect} schedule${result.suspect === 1 ? '' : 's'} failed by the reference simulator too, not held against ${sut.id} (a false alarm of the judge or a bug of the reference: please report it); the first: ${JSON.stringify(result.firstSuspect.schedule)}\n`);
    for (const reason of result.firstSuspect.reasons) io.stdout.write(`  reference: ${reason}\n`);
  }
  if (!result.failure) {
    io.stdout.write(`no failure found${result.interrupted ? ' (stopped at the time limit)' : ''} · seed ${seed}\n`);
    return EXIT.passed;
  }
  const { failure } = result;
  const size = scheduleSize(failure.schedule);
  const written = writeFoundScenario(outDir, failure.schedule, { sut: sut.id, seed, run: failure.runsToFailure, shrinks: failure.shrinks });
  io.stdout.write(`FAILED after ${failure.runsToFailure} schedules; shrunk in ${failure.shrinks} steps to ${size.faults} fault${size.faults === 1 ? '' : 's'} and ${size.fields} script fields (${failure.schedule.family}, ${failure.schedule.maxTurns} turns)\n`);
  for (const reason of failure.reasons) io.stdout.write(`  ${reason}\n`);
  io.stdout.write(`written: ${written.path}\nreplay:  ${written.replay}\n`);
  return EXIT.failed;
}
