/**
 * `npm run bench`: wall time of virtual-mode runs (issue 2's targets) and of the whole
 * catalog. Prints figures; asserts nothing (targets are shown, not tested).
 *   1. one 10-minute connection lifetime with one expiry and resume, 20 turns (target ≤ 20 ms)
 *   2. a 2-hour session with 12 expiries (target ≤ 250 ms)
 */
import { cpus, totalmem } from 'node:os';
import { runScenario } from '../harness/run/run-scenario.ts';
import { loadCatalog } from '../harness/scenario/loader.ts';
import { Scenario, type Scenario as ScenarioType } from '../harness/scenario/schema.ts';
import { builtinSut } from '../harness/sut/builtin-sut.ts';

const base = {
  title: 'bench', description: 'bench', expectation: 'completes', why: 'bench', group: 'long-session', provenance: ['bench'],
  expect: { outcome: 'completes' },
};

// Slow agent replies stretch 20 turns over one 10-minute lifetime: exactly one expiry and resume.
const tenMinutes = Scenario.parse({ ...base, id: 'bench.ten-minutes', conversation: { maxTurns: 20 }, server: { agent: { replyDelay: [22, 26] } } });
// ~30 s a turn for 2 hours: 12 connection lifetimes.
const twoHours = Scenario.parse({ ...base, id: 'bench.two-hours', conversation: { maxTurns: 240 }, server: { agent: { replyDelay: [18, 26] } }, limit: 4 * 3600 });

async function measure(scenario: ScenarioType, iterations: number): Promise<{ median: number; min: number; max: number; expiries: number; turns: number; verdict: string; protocolMin: number }> {
  const times: number[] = [];
  let last: Awaited<ReturnType<typeof runScenario>> | null = null;
  for (let i = 0; i < iterations + 2; i++) {
    const start = performance.now();
    last = await runScenario(scenario, builtinSut(), { mode: 'virtual', seed: 1000 + i, timeScale: 1 });
    if (i >= 2) times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const run = last!;
  return {
    median: times[Math.floor(times.length / 2)]!,
    min: times[0]!,
    max: times[times.length - 1]!,
    expiries: run.journal.filter((e) => e.kind === 'expiring').length,
    turns: run.client.state === 'reported' ? run.client.result.turns : -1,
    verdict: run.judgement.overall,
    protocolMin: run.protocolMs / 60_000,
  };
}

const fmt = (ms: number): string => `${ms.toFixed(1)} ms`;
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);

const a = await measure(tenMinutes, 20);
console.log(`10-minute lifetime, ${a.expiries} expiry, ${a.turns} turns (${a.protocolMin.toFixed(1)} protocol min), ${a.verdict}: median ${fmt(a.median)} (min ${fmt(a.min)}, max ${fmt(a.max)}) — target ≤ 20 ms`);
const b = await measure(twoHours, 10);
console.log(`2-hour session, ${b.expiries} expiries, ${b.turns} turns (${b.protocolMin.toFixed(1)} protocol min), ${b.verdict}: median ${fmt(b.median)} (min ${fmt(b.min)}, max ${fmt(b.max)}) — target ≤ 250 ms`);

const catalog = loadCatalog();
const heapBefore = process.memoryUsage().heapUsed;
const start = performance.now();
for (const { scenario } of catalog) await runScenario(scenario, builtinSut(), { mode: 'virtual', seed: 1, timeScale: 1 });
const heapAfter = process.memoryUsage().heapUsed;
console.log(`whole catalog (${catalog.length} scenarios), virtual: ${fmt(performance.now() - start)}; heap ${((heapAfter - heapBefore) / 2 ** 20).toFixed(1)} MiB after, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
process.exit(0);
