/**
 * `npm run bench:explore`: what `resume-harness explore` finds without the catalog. For every
 * mutant of the client gallery that can fail in virtual mode: the schedules tried until its
 * first failure and the size of the shrunk schedule; then the reference simulator over many
 * schedules (default 10,000), where any failure is a bug of the reference or a false alarm of
 * the judge. Prints figures; asserts nothing.
 *
 *   npm run bench:explore [-- --seed N] [-- --reference-runs N] [-- --mutant-runs N] [-- --only ID,ID]
 */
import { cpus, totalmem } from 'node:os';
import { explore } from '../harness/explore/explore.ts';
import { scheduleSize } from '../harness/explore/schedule-arbitrary.ts';
import { builtinSut } from '../harness/sut/builtin-sut.ts';
import { allMutants, mutantSut } from '../harness/sut/parse-sut.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const seed = flag('seed', 1);
const referenceRuns = flag('reference-runs', 10_000);
const mutantRuns = flag('mutant-runs', 3_000);
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? new Set(args[onlyAt + 1]!.split(',')) : null;
const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor(sorted.length / 2)]!;
};

console.log(`explore bench: seed ${seed}; machine ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`);
console.log('');
console.log('| mutant | trap | found | schedules to first failure | shrunk to (faults, script fields) | family | failing axes |');
console.log('|---|---|---|---|---|---|---|');
const found: number[] = [];
const sizes: number[] = [];
const fields: number[] = [];
const missed: string[] = [];
let suspects = 0;
for (const mutant of allMutants()) {
  if (only && !only.has(mutant.id)) continue;
  if (mutant.modes && !mutant.modes.includes('virtual')) continue;
  const result = await explore({ sut: mutantSut(mutant), seed, runs: mutantRuns, strict: mutant.detectedAs === 'NON-STRICT', reference: builtinSut() });
  suspects += result.suspect;
  if (!result.failure) {
    missed.push(mutant.id);
    console.log(`| \`${mutant.id}\` | ${mutant.trap} | no | not found in ${result.schedules} | — | — | — |`);
    continue;
  }
  const size = scheduleSize(result.failure.schedule);
  found.push(result.failure.runsToFailure);
  sizes.push(size.faults);
  fields.push(size.fields);
  const axes = result.failure.reasons.map((r) => r.split(' ')[0]).join(', ');
  console.log(`| \`${mutant.id}\` | ${mutant.trap} | yes | ${result.failure.runsToFailure} | ${size.faults}, ${size.fields} | ${result.failure.schedule.family} | ${axes} |`);
}
console.log('');
console.log(`found ${found.length}/${found.length + missed.length} mutants; median schedules to the first failure ${median(found)}; median shrunk schedule ${median(sizes)} faults, ${median(fields)} script fields${missed.length ? `; not found: ${missed.join(', ')}` : ''}; ${suspects} schedules the reference failed too (not counted)`);
if (referenceRuns > 0) {
  const reference = await explore({ sut: builtinSut(), seed, runs: referenceRuns });
  const perSecond = reference.runs / (reference.wallMs / 1000);
  console.log(`reference: ${reference.schedules} schedules, ${reference.runs} runs in ${(reference.wallMs / 1000).toFixed(1)} s (${perSecond.toFixed(1)} runs/s), ${reference.unknown} UNKNOWN, ${reference.failure ? `FAILED: ${reference.failure.reasons.join(' | ')} (${JSON.stringify(reference.failure.schedule)})` : 'no failure'}`);
}
