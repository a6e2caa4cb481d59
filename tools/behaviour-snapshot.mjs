#!/usr/bin/env node
/**
 * Behaviour snapshot: runs the whole catalog in virtual mode for each seed against the
 * reference and every mutant, through the public CLI only (so the same script measures
 * the code before and after a refactor), and writes one line per (sut, seed, scenario):
 * the sha256 of the per-scenario JSON report with its `wall` block removed.
 *
 *   node tools/behaviour-snapshot.mjs OUT.tsv [--seeds 1,2,3] [--jobs 2] [--suts REGEX]
 *   diff before.tsv after.tsv     # empty diff = identical behaviour
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const out = args[0];
if (!out) {
  process.stderr.write('usage: node tools/behaviour-snapshot.mjs OUT.tsv [--seeds 1,2,3] [--jobs 2]\n');
  process.exit(2);
}
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const seeds = flag('seeds', '1,2,3').split(',').map(Number);
const jobs = Number(flag('jobs', '2'));
const cli = ['tsx', 'harness/cli/main.ts'];

// The mutant ids, as the CLI itself lists them (an unknown mutant's error names them all).
const probe = spawnSync('npx', [...cli, 'run', '--sut', 'mutant:?'], { encoding: 'utf8' });
const known = /known: ([^\n]+)/.exec(probe.stderr + probe.stdout);
if (!known) throw new Error(`could not read the mutant list from the CLI:\n${probe.stderr}`);
const only = new RegExp(flag('suts', '.'));
const suts = ['builtin', ...known[1].split(', ').map((id) => (id === 'seed-plan' ? 'seed-plan' : `mutant:${id}`))].filter((sut) => only.test(sut));

const tasks = suts.flatMap((sut) => seeds.map((seed) => ({ sut, seed })));
const lines = [];
const work = mkdtempSync(join(tmpdir(), 'behaviour-'));

function normalise(value) {
  if (Array.isArray(value)) return value.map(normalise);
  if (value && typeof value === 'object') {
    const copy = {};
    for (const [k, v] of Object.entries(value)) if (k !== 'wall') copy[k] = normalise(v);
    return copy;
  }
  return value;
}

function runOne({ sut, seed }) {
  const dir = join(work, `${sut.replace(/[^a-z0-9-]/gi, '_')}-${seed}`);
  return new Promise((resolve) => {
    const child = spawn('npx', [...cli, 'run', '--sut', sut, '--seed', String(seed), '--format', 'json', '--report-dir', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      if (code !== 0 && code !== 1) lines.push(`${sut}\t${seed}\t*\tcli exit ${code}: ${err.split('\n')[0]}`);
      // A run refused before writing (e.g. a network-only mutant in virtual mode) leaves no dir.
      const runDir = existsSync(dir) ? readdirSync(dir).find((name) => name !== 'latest' && !name.endsWith('.json')) : undefined;
      // A SUT other than the builtin writes its reports one folder down, named after it.
      const files = runDir ? readdirSync(join(dir, runDir), { recursive: true }).map(String).sort() : [];
      for (const file of files) {
        if (!file.endsWith('.json') || file.endsWith('index.json')) continue;
        const json = normalise(JSON.parse(readFileSync(join(dir, runDir, file), 'utf8')));
        const hash = createHash('sha256').update(JSON.stringify(json)).digest('hex').slice(0, 16);
        lines.push(`${sut}\t${seed}\t${file.replace(/^.*\//, '').replace(/\.json$/, '')}\t${hash}\t${json.verdict?.overall ?? '?'}`);
      }
      rmSync(dir, { recursive: true, force: true });
      resolve();
    });
  });
}

const started = Date.now();
const queue = [...tasks];
await Promise.all(Array.from({ length: jobs }, async () => {
  for (let task = queue.shift(); task; task = queue.shift()) await runOne(task);
}));
lines.sort();
writeFileSync(out, `${lines.join('\n')}\n`);
rmSync(work, { recursive: true, force: true });
process.stdout.write(`${tasks.length} runs (${suts.length} SUTs × ${seeds.length} seeds), ${lines.length} scenario reports, ${((Date.now() - started) / 1000).toFixed(1)} s → ${out}\n`);
