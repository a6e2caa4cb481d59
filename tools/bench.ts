/**
 * `npm run bench`: wall time of virtual-mode runs (issue 2's targets) and of the whole
 * catalog, on each face of the mock with its reference client, measured side by side in one
 * run (the two faces alternate run by run, so a busy machine slows both alike). Prints
 * figures; asserts nothing (targets are shown, not tested).
 *   1. one 10-minute connection lifetime with one expiry and resume, 20 turns (target ≤ 20 ms)
 *   2. a 2-hour session with 12 expiries (target ≤ 250 ms)
 */
import { cpus, totalmem } from 'node:os';
import { runScenario } from '../harness/run/run-scenario.ts';
import { loadCatalog } from '../harness/scenario/loader.ts';
import { Scenario, type Scenario as ScenarioType } from '../harness/scenario/schema.ts';
import { builtinSut } from '../harness/sut/builtin-sut.ts';
import { geminiBuiltinSut } from '../harness/sut/gemini-builtin-sut.ts';
import type { Protocol } from '../protocol/sut-result.ts';

const FACES: readonly Protocol[] = ['ai-voice', 'gemini-live'];
const sutFor = (protocol: Protocol) => (protocol === 'gemini-live' ? geminiBuiltinSut() : builtinSut());

const base = {
  title: 'bench', description: 'bench', expectation: 'completes', why: 'bench', group: 'long-session', provenance: ['bench'],
  expect: { outcome: 'completes' },
};

// Slow agent replies stretch 20 turns over one 10-minute lifetime: exactly one expiry and resume.
const tenMinutes = Scenario.parse({ ...base, id: 'bench.ten-minutes', conversation: { maxTurns: 20 }, server: { agent: { replyDelay: [22, 26] } } });
// ~30 s a turn for 2 hours: 12 connection lifetimes.
const twoHours = Scenario.parse({ ...base, id: 'bench.two-hours', conversation: { maxTurns: 240 }, server: { agent: { replyDelay: [18, 26] } }, limit: 4 * 3600 });

interface Figures { median: number; min: number; max: number; expiries: number; turns: number; verdict: string; protocolMin: number }

/** Both faces, alternating run by run after two warm-up runs each. */
async function measure(scenario: ScenarioType, iterations: number): Promise<Record<Protocol, Figures>> {
  const times: Record<Protocol, number[]> = { 'ai-voice': [], 'gemini-live': [] };
  const last = {} as Record<Protocol, Awaited<ReturnType<typeof runScenario>>>;
  for (let i = 0; i < iterations + 2; i++) {
    for (const protocol of i % 2 === 0 ? FACES : [...FACES].reverse()) {
      const start = performance.now();
      last[protocol] = await runScenario(scenario, sutFor(protocol), { mode: 'virtual', seed: 1000 + i, timeScale: 1, protocol });
      if (i >= 2) times[protocol].push(performance.now() - start);
    }
  }
  const figures = (protocol: Protocol): Figures => {
    const sorted = [...times[protocol]].sort((a, b) => a - b);
    const run = last[protocol];
    return {
      median: sorted[Math.floor(sorted.length / 2)]!,
      min: sorted[0]!,
      max: sorted[sorted.length - 1]!,
      expiries: run.journal.filter((e) => e.kind === 'expiring').length,
      turns: run.client.state === 'reported' ? run.client.result.turns : -1,
      verdict: run.judgement.overall,
      protocolMin: run.protocolMs / 60_000,
    };
  };
  return { 'ai-voice': figures('ai-voice'), 'gemini-live': figures('gemini-live') };
}

const fmt = (ms: number): string => `${ms.toFixed(1)} ms`;
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);

const line = (label: string, f: Figures, target: string): string =>
  `  ${label.padEnd(12)} ${f.expiries} expir${f.expiries === 1 ? 'y' : 'ies'}, ${f.turns} turns (${f.protocolMin.toFixed(1)} protocol min), ${f.verdict}: median ${fmt(f.median)} (min ${fmt(f.min)}, max ${fmt(f.max)}) — target ${target}`;
const a = await measure(tenMinutes, 20);
console.log('10-minute lifetime:');
for (const face of FACES) console.log(line(face, a[face], '≤ 20 ms'));
console.log(`  gemini-live / ai-voice median: ${(a['gemini-live'].median / a['ai-voice'].median).toFixed(2)}`);
const b = await measure(twoHours, 10);
console.log('2-hour session:');
for (const face of FACES) console.log(line(face, b[face], '≤ 250 ms'));
console.log(`  gemini-live / ai-voice median: ${(b['gemini-live'].median / b['ai-voice'].median).toFixed(2)}`);

const catalog = loadCatalog();
for (const face of FACES) {
  const scenarios = catalog.filter(({ scenario }) => scenario.faces.includes(face));
  const heapBefore = process.memoryUsage().heapUsed;
  const start = performance.now();
  for (const { scenario } of scenarios) await runScenario(scenario, sutFor(face), { mode: 'virtual', seed: 1, timeScale: 1, protocol: face });
  const heapAfter = process.memoryUsage().heapUsed;
  console.log(`whole catalog on the ${face} face (${scenarios.length} scenarios), virtual: ${fmt(performance.now() - start)}; heap ${((heapAfter - heapBefore) / 2 ** 20).toFixed(1)} MiB after, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
}
process.exit(0);
