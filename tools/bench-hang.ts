/**
 * `npm run bench:hang`: what a client that hangs costs (issue 12, item 4). A client that opens
 * its session and socket and then does nothing (test/testing/hanging-client.ts) against every
 * AI-voice scenario of the catalog, over the network at the default time scale (0.005), one at a
 * time. Prints the wall time per scenario (median, 90th percentile, max, total) and, side by
 * side, what the old limit (the scenario's 4-hour limit scaled, plus 15 s) would have cost.
 * Asserts nothing.
 *
 *   npm run bench:hang [-- --scale X] [-- ids…]
 */
import { cpus, totalmem } from 'node:os';
import { runScenario } from '../harness/run/run-scenario.ts';
import { loadCatalog } from '../harness/scenario/loader.ts';
import { hangingClient } from '../test/testing/hanging-client.ts';

const args = process.argv.slice(2);
const scaleAt = args.indexOf('--scale');
const scale = scaleAt >= 0 ? Number(args[scaleAt + 1]) : 0.005;
const ids = args.filter((a, i) => a !== '--scale' && (scaleAt < 0 || i !== scaleAt + 1));
const scenarios = loadCatalog().map((l) => l.scenario).filter((s) => s.faces.includes('ai-voice') && (ids.length === 0 || ids.includes(s.id)));

const walls: number[] = [];
const notHung: string[] = [];
let oldTotal = 0;
for (const scenario of scenarios) {
  const run = await runScenario(scenario, hangingClient(), { mode: 'network', seed: 1, timeScale: scale });
  walls.push(run.wallMs);
  oldTotal += scenario.limit * 1000 * scale + 15_000;
  if (run.client.state !== 'hung') notHung.push(`${scenario.id}: ${run.client.state}`);
  process.stdout.write(`${scenario.id.padEnd(44)} ${(run.wallMs / 1000).toFixed(2)} s  ${run.client.state === 'hung' ? run.client.reason.slice(0, 60) : run.client.state}\n`);
}
const sorted = [...walls].sort((a, b) => a - b);
const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(`\n${cpus().length}-core ${cpus()[0]?.model ?? ''}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}; time scale ${scale}`);
console.log(`hanging client, ${scenarios.length} scenarios: median ${s(at(0.5))}, p90 ${s(at(0.9))}, max ${s(sorted.at(-1)!)} per scenario; total ${s(walls.reduce((a, b) => a + b, 0))} (the old limit: ${s(oldTotal / scenarios.length)} per scenario, ${s(oldTotal)} in all)`);
if (notHung.length > 0) console.log(`not judged hung: ${notHung.join(', ')}`);
