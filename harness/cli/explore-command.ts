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
import { intFlag, parse, positiveFlag } from './args.ts';
import type { CliIo } from './run-command.ts';

export const EXPLORE_USAGE = 'resume-harness explore --sut SUT [--runs N | --time S] [--seed N] [--out DIR] [--strict]';
const DEFAULT_RUNS = 1000;

export async function exploreCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    sut: { type: 'string', default: 'builtin' },
    runs: { type: 'string' },
    time: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    strict: { type: 'boolean', default: false },
  });
  if (positionals.length > 0) throw new UsageError(`explore takes no scenario ids (it draws its own schedules); got ${positionals.join(' ')}`);
  if (values.runs !== undefined && values.time !== undefined) throw new UsageError('explore takes --runs N or --time S, not both');
  const sut = parseSut(String(values.sut), io.cwd);
  if (!sut.modes.includes('virtual')) throw new UsageError(`explore runs in virtual mode; --sut ${sut.id} runs only in ${sut.modes.join(' or ')} mode`);
  const seed = intFlag(values.seed, 'seed') ?? randomInt(0, 2 ** 31);
  const timeS = positiveFlag(values.time, 'time');
  const runs = timeS !== undefined ? Number.MAX_SAFE_INTEGER : (intFlag(values.runs, 'runs') ?? DEFAULT_RUNS);
  if (runs === 0) throw new UsageError('--runs must be at least 1');
  const outDir = resolve(io.cwd, typeof values.out === 'string' ? values.out : 'reports/explore');
  io.stdout.write(`resume-harness explore: ${sut.id}, seed ${seed}, ${timeS !== undefined ? `for ${timeS} s` : `up to ${runs} schedules`}, virtual mode\n`);
  // Against any other client, a schedule the reference simulator fails too is not held against it (explore.ts).
  const reference = sut.id === 'builtin' ? undefined : builtinSut();
  const result = await explore({ sut, seed, runs, ...(timeS !== undefined ? { timeLimitMs: timeS * 1000 } : {}), strict: values.strict === true, ...(reference ? { reference } : {}) });
  const perSecond = result.runs / (result.wallMs / 1000);
  io.stdout.write(`${result.schedules} schedules tried, ${result.runs} runs (shrinking included) in ${(result.wallMs / 1000).toFixed(1)} s: ${perSecond.toFixed(1)} runs/s; ${result.unknown} UNKNOWN (the harness could not judge; not counted as failures)\n`);
  if (result.firstSuspect) {
    io.stdout.write(`${result.suspect} schedule${result.suspect === 1 ? '' : 's'} failed by the reference simulator too, not held against ${sut.id} (a false alarm of the judge or a bug of the reference: please report it); the first: ${JSON.stringify(result.firstSuspect.schedule)}\n`);
    for (const reason of result.firstSuspect.reasons) io.stdout.write(`  reference: ${reason}\n`);
  }
  if (!result.failure) {
    io.stdout.write(`no failure found${result.interrupted ? ' (stopped at the time limit)' : ''} · seed ${seed}\n`);
    return 0;
  }
  const { failure } = result;
  const size = scheduleSize(failure.schedule);
  const written = writeFoundScenario(outDir, failure.schedule, { sut: sut.id, seed, run: failure.runsToFailure, shrinks: failure.shrinks });
  io.stdout.write(`FAILED after ${failure.runsToFailure} schedules; shrunk in ${failure.shrinks} steps to ${size.faults} fault${size.faults === 1 ? '' : 's'} and ${size.fields} script fields (${failure.schedule.family}, ${failure.schedule.maxTurns} turns)\n`);
  for (const reason of failure.reasons) io.stdout.write(`  ${reason}\n`);
  io.stdout.write(`written: ${written.path}\nreplay:  ${written.replay}\n`);
  return 1;
}
