/**
 * npm run fuzz [-- --inputs N --seed S --face ai-voice|gemini-live]: the mock-server fuzz at
 * full size (≥ 10,000 hostile inputs per face by default), then the scenario-file and capture
 * fuzz. Prints inputs sent, crashes, peak RSS, conversations disturbed; exits 1 if any input
 * went unjournaled, anything crashed or a well-behaved conversation was disturbed.
 */
import { parseArgs } from 'node:util';
import { fuzzMockServer, type FuzzFigures } from '../test/hostile/testing/mock-fuzz.ts';
import type { Face } from '../test/hostile/testing/hostile-inputs.ts';
import { fuzzScenarioFiles } from '../test/hostile/testing/scenario-fuzz.ts';

const { values } = parseArgs({ options: { inputs: { type: 'string', default: '10000' }, seed: { type: 'string', default: '2026' }, face: { type: 'string' }, files: { type: 'string', default: '2000' }, 'time-scale': { type: 'string', default: '0.1' }, scenario: { type: 'string', default: 'flapping' } } });
const inputs = Number(values.inputs);
const seed = Number(values.seed);
const faces: Face[] = values.face ? [values.face as Face] : ['ai-voice', 'gemini-live'];
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

let bad = false;
for (const face of faces) {
  const f: FuzzFigures = await fuzzMockServer({ face, inputs, seed, timeScale: Number(values['time-scale']), scenarioId: values.scenario });
  const kinds = Object.entries(f.byKind).map(([k, n]) => `${k} ${n}`).join(', ');
  console.log(`mock server, ${face} face (seed ${seed}):`);
  console.log(`  inputs sent            ${f.inputsSent} (${kinds})`);
  console.log(`  frames journaled       ${f.framesJournaled} as frame-in; the other frame inputs met their connection's journaled close`);
  console.log(`  refused upgrades       ${f.refusedUpgradesSeen} seen by the clients, ${f.refusedUpgradesJournaled} journaled`);
  console.log(`  foreign resumes        ${f.foreignResumesRefused} refused (foreign) of ${f.byKind['foreign-handle']}`);
  console.log(`  unjournaled inputs     ${f.unjournaled.length}${f.unjournaled.length ? `: ${f.unjournaled.slice(0, 5).join(' | ')}` : ''}`);
  console.log(`  secrets in journal     ${f.secretsInJournal} (tokens, keys and handles in full; frames that carried them included)`);
  console.log(`  crashes                ${f.crashes.length}${f.crashes.length ? `: ${f.crashes[0]}` : ''}`);
  console.log(`  peak RSS               ${mib(f.peakRssBytes)} (start ${mib(f.baselineRssBytes)})`);
  console.log(`  conversations          ${f.wellBehaved.length} well-behaved alongside, ${f.conversationsDisturbed} disturbed${f.conversationsDisturbed ? `: ${f.wellBehaved.flatMap((r) => r.reasons).slice(0, 3).join(' | ')}` : ''}`);
  console.log(`  alive after            ${f.aliveAfter}`);
  console.log(`  event-loop delay       p99 ${f.loopDelayP99Ms.toFixed(0)} ms, max ${f.loopDelayMaxMs.toFixed(0)} ms (well-behaved conversations at time scale ${f.timeScale})`);
  console.log(`  wall time              ${(f.wallMs / 1000).toFixed(1)} s`);
  bad ||= f.unjournaled.length > 0 || f.secretsInJournal > 0 || f.crashes.length > 0 || f.conversationsDisturbed > 0 || !f.aliveAfter;
}

const files = await fuzzScenarioFiles({ count: Number(values.files), seed });
console.log(`scenario files and captures (seed ${seed}):`);
console.log(`  inputs                 ${files.inputs} (${files.scenarioFiles} mutated scenario files, ${files.captures} mutated captures)`);
console.log(`  refused precisely      ${files.refused} (ScenarioError naming file and place; exit 2 from the CLI)`);
console.log(`  accepted               ${files.accepted} (mutations that are still valid files)`);
console.log(`  crashes                ${files.crashes.length}${files.crashes.length ? `: ${files.crashes[0]}` : ''}`);
console.log(`  imprecise errors       ${files.imprecise.length}${files.imprecise.length ? `: ${files.imprecise[0]}` : ''}`);
bad ||= files.crashes.length > 0 || files.imprecise.length > 0;
process.exit(bad ? 1 : 0);
