#!/usr/bin/env node
/**
 * Before/after benchmark of a change, side by side in one run: `npm run bench` in two
 * checkouts, alternating in ABBA order (so that neither side always runs second, warmer or
 * cooler) so that load on a shared machine hits both alike; then, per figure, the median
 * over the rounds of the bench's medians and of its minima, and the ratios after/before
 * (below 1 = faster). The minimum is the figure least moved by a noisy neighbour.
 *
 *   git worktree add --detach /tmp/before <commit> && ln -s "$PWD/node_modules" /tmp/before/
 *   node tools/bench-compare.mjs /tmp/before . [--rounds 5]
 */
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const [before, after] = args;
if (!before || !after) {
  process.stderr.write('usage: node tools/bench-compare.mjs BEFORE_DIR AFTER_DIR [--rounds N]\n');
  process.exit(2);
}
const i = args.indexOf('--rounds');
const rounds = i >= 0 ? Number(args[i + 1]) : 5;

// The bench's own lines: "10-minute lifetime …: median 16.8 ms", "2-hour session …: median 118.2 ms",
// "whole catalog (77 scenarios), virtual: 0.87 s".
const FIGURES = {
  '10-minute lifetime, median (ms)': /10-minute lifetime.*?median ([\d.]+) (ms|s)/,
  '10-minute lifetime, min (ms)': /10-minute lifetime.*?min ([\d.]+) (ms|s)/,
  '2-hour session, median (ms)': /2-hour session.*?median ([\d.]+) (ms|s)/,
  '2-hour session, min (ms)': /2-hour session.*?min ([\d.]+) (ms|s)/,
  'whole catalog (ms)': /whole catalog.*?virtual: ([\d.]+) (ms|s)/,
};

function bench(dir) {
  const run = spawnSync('npm', ['run', '-s', 'bench'], { cwd: dir, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`npm run bench failed in ${dir}:\n${run.stderr}`);
  const figures = {};
  for (const [name, pattern] of Object.entries(FIGURES)) {
    const match = pattern.exec(run.stdout);
    if (!match) throw new Error(`no "${name}" in the bench output of ${dir}:\n${run.stdout}`);
    figures[name] = Number(match[1]) * (match[2] === 's' ? 1000 : 1);
  }
  return figures;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const samples = { before: [], after: [] };
for (let round = 1; round <= rounds; round++) {
  const order = round % 2 === 1 ? ['before', 'after'] : ['after', 'before'];
  for (const side of order) samples[side].push(bench(side === 'before' ? before : after));
  process.stderr.write(`round ${round}/${rounds} done\n`);
}

console.log(`${rounds} rounds of npm run bench, ABBA order; median over the rounds; ratio = after / before`);
// The spread of the same round's after/before ratios says how much of a difference is noise.
console.log('| figure | before | after | ratio | per-round ratios, min – max |');
console.log('|---|---|---|---|---|');
for (const name of Object.keys(FIGURES)) {
  const b = median(samples.before.map((s) => s[name]));
  const a = median(samples.after.map((s) => s[name]));
  const perRound = samples.after.map((s, round) => s[name] / samples.before[round][name]);
  console.log(`| ${name} | ${b.toFixed(1)} | ${a.toFixed(1)} | ${(a / b).toFixed(2)} | ${Math.min(...perRound).toFixed(2)} – ${Math.max(...perRound).toFixed(2)} |`);
}
