/**
 * npx tsx tools/profile-load.ts [SESSIONS] [TIME_SCALE] [RAMP_S] [OUT]: a CPU profile (V8,
 * .cpuprofile, open it in Chrome DevTools) of the conversations of a load run against the mock,
 * and nothing else: start-up, module loading and the warm-up are left out. What the README's
 * load section quotes for where the harness's CPU per message goes.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { runLoad } from '../harness/run/load-run.ts';
import { loadScenario } from '../harness/run/load-scenario.ts';

const [sessions = 200, timeScale = 0.25, rampS = 10] = process.argv.slice(2, 5).map(Number);
const out = process.argv[5] ?? 'load.cpuprofile';
await runLoad({ sessions: 2, protocol: 'ai-voice', scenario: loadScenario(2), timeScale: 0.02, seed: 0 });
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.start');
const run = await runLoad({ sessions, protocol: 'ai-voice', scenario: loadScenario(12), timeScale, seed: 1, rampMs: rampS * 1000 });
const { profile } = await session.post('Profiler.stop');
writeFileSync(out, JSON.stringify(profile));
console.log(`${out}: ${run.summary.completed}/${sessions} conversations, ${((run.conversationCpuUs ?? 0) / 1000).toFixed(0)} ms CPU while they ran`);
