/**
 * `npm run bench:jobs`: `run --jobs 1` against `run --jobs N` over the network, side by side
 * in one process (the two alternate round by round, so a busy machine slows both alike), on
 * a selection against a `cmd:` client (default: the Python example). Prints the wall times,
 * the ratio of medians, and whether the verdicts agree scenario by scenario. Asserts nothing.
 *
 * The whole catalog: `npm run bench:jobs -- '*'` (the README's figure).
 *
 *   npm run bench:jobs -- [--jobs 4] [--rounds 1] [--time-scale 0.01] [--sut "cmd:…"] [selectors…]
 */
import { cpus, tmpdir, totalmem } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { main } from '../harness/cli/main.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { jobs: { type: 'string', default: '4' }, rounds: { type: 'string', default: '1' }, 'time-scale': { type: 'string', default: '0.01' }, sut: { type: 'string', default: 'cmd:python3 examples/python/client.py' }, seed: { type: 'string', default: '4' } },
});
const selection = positionals.length > 0 ? positionals : ['goaway*'];
const parallel = values.jobs;

async function once(jobs: string): Promise<{ ms: number; verdicts: Map<string, string> }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-jobs-'));
  let out = '';
  const sink = (keep: boolean) => ({ write: (s: string) => { if (keep) out += s; return true; }, isTTY: false }) as unknown as NodeJS.WriteStream;
  const start = performance.now();
  await main(['run', ...selection, '--sut', values.sut, '--mode', 'network', '--time-scale', values['time-scale'], '--seed', values.seed, '--jobs', jobs, '--format', 'json', '--reporter', 'json', '--report-dir', dir], { stdout: sink(true), stderr: sink(false), cwd: process.cwd() });
  const ms = performance.now() - start;
  rmSync(dir, { recursive: true, force: true });
  const doc = JSON.parse(out) as { scenarios: Array<{ id: string; verdict: string }> };
  return { ms, verdicts: new Map(doc.scenarios.map((s) => [s.id, s.verdict])) };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const times: Record<string, number[]> = { '1': [], [parallel]: [] };
const disagreements: string[] = [];
let scenarios = 0;
for (let round = 0; round < Number(values.rounds); round++) {
  const order = round % 2 === 0 ? ['1', parallel] : [parallel, '1'];
  const results: Record<string, Map<string, string>> = {};
  for (const jobs of order) {
    const r = await once(jobs);
    times[jobs]!.push(r.ms);
    results[jobs] = r.verdicts;
  }
  scenarios = results['1']!.size;
  for (const [id, v] of results['1']!) if (results[parallel]!.get(id) !== v) disagreements.push(`round ${round + 1}: ${id} ${v} with --jobs 1, ${results[parallel]!.get(id)} with --jobs ${parallel}`);
}
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
console.log(`run ${selection.join(' ')} (${scenarios} scenarios) --sut "${values.sut}" --mode network --time-scale ${values['time-scale']} --seed ${values.seed}, ${values.rounds} round(s)`);
console.log(`--jobs 1:  median ${(median(times['1']!) / 1000).toFixed(1)} s  (${times['1']!.map((t) => (t / 1000).toFixed(1)).join(', ')})`);
console.log(`--jobs ${parallel}:  median ${(median(times[parallel]!) / 1000).toFixed(1)} s  (${times[parallel]!.map((t) => (t / 1000).toFixed(1)).join(', ')})`);
console.log(`speed-up: ${(median(times['1']!) / median(times[parallel]!)).toFixed(2)}×`);
console.log(disagreements.length === 0 ? 'verdicts: identical scenario by scenario' : `verdicts differ:\n  ${disagreements.join('\n  ')}`);
process.exit(0);
