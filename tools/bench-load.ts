/**
 * npm run bench:load [-- --sessions N --time-scale X --seed S]: the load run against the mock,
 * then, in the same process, a bare relay of the very conversations that run held (tools/bare-relay.ts).
 * Prints conversations held at once with their lost turns, resume latency p50/p99, memory per
 * conversation, and the harness's CPU cost per message next to the bare relay's (and their ratio).
 *
 * The bare side used to be an echo: one socket per conversation, each text sent back as it
 * came, unparsed, every conversation as fast as it could go. That was unfair to the harness in
 * three ways the harness cannot avoid and any server pays too: the load run opens a socket per
 * connection (two or three a conversation, after expiries and drops) and makes an HTTP session
 * call; it parses and serialises every frame; and its frames go out in real time, each its own
 * wake-up of the event loop, where a flat-out echo handles many sockets per wake-up. The relay
 * replay does all three and nothing else. The unpaced echo is still printed, for comparison.
 */
import { parseArgs } from 'node:util';
import { WebSocket, WebSocketServer } from 'ws';
import { bareRelayReplay } from './bare-relay.ts';
import { percentile } from '../harness/run/load-metrics.ts';
import { runLoad } from '../harness/run/load-run.ts';
import { loadScenario } from '../harness/run/load-scenario.ts';

const { values } = parseArgs({ options: { sessions: { type: 'string', default: '1000' }, 'time-scale': { type: 'string', default: '1' }, turns: { type: 'string', default: '12' }, ramp: { type: 'string', default: '60' }, seed: { type: 'string', default: '1' } } });
const sessions = Number(values.sessions);
const timeScale = Number(values['time-scale']);
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

// Warm-up: the modules a run loads on first use (fetch, ws, the judge) are compiled before anything is measured.
await runLoad({ sessions: 2, protocol: 'ai-voice', scenario: loadScenario(2), timeScale: 0.02, seed: 0 });
await echoReplay([['{"warm":"up"}']]);
globalThis.gc?.();
const rssBefore = process.memoryUsage.rss();
const cpuBefore = process.cpuUsage();
const run = await runLoad({ sessions, protocol: 'ai-voice', scenario: loadScenario(Number(values.turns)), timeScale, seed: Number(values.seed), rampMs: Number(values.ramp) * 1000, keepWire: true, progress: (line) => process.stderr.write(`${line}\n`) });
const cpu = process.cpuUsage(cpuBefore);
const s = run.summary;
const wire = run.wire ?? [];
const messages = wire.reduce((n, c) => n + c.filter((e) => e.kind === 'in' || e.kind === 'out').length, 0);
const harnessUs = (run.conversationCpuUs ?? Number.NaN) / messages;
const harnessAllUs = (cpu.user + cpu.system) / messages;

// The same conversations through a bare relay, paced as the load run went (tools/bare-relay.ts).
globalThis.gc?.();
const relay = await bareRelayReplay(wire, timeScale);
const relayUs = relay.cpuUs / relay.messages;
// The former comparison: the same texts, conversation by conversation, through a bare ws echo on
// 127.0.0.1: each sent and echoed back (two wire messages), every conversation at once, unpaced.
const texts = wire.map((c) => c.flatMap((e) => (e.kind === 'in' || e.kind === 'out' ? [e.text] : [])));
const echo = await echoReplay(texts);
const echoUs = echo.cpuUs / (2 * messages);

console.log(`load against the mock (ai-voice), ${sessions} conversations of ${s.scenario} (${values.turns} turns each), time scale ${timeScale}, starts spread over ${values.ramp} s, seed ${values.seed}:`);
console.log(`  held at once            ${s.heldAtOnce} conversations (${s.completed}/${s.conversations} completed)`);
console.log(`  lost turns              ${s.lostTurns}   context lost: ${s.contextLost}   failed resumes: ${s.failedResumes}   verdicts: ${Object.entries(s.verdicts).map(([v, n]) => `${v} ${n}`).join(', ')}`);
console.log(`  resume latency          p50 ${percentile(s.resumeLatenciesMs, 50).toFixed(1)} ms, p99 ${percentile(s.resumeLatenciesMs, 99).toFixed(1)} ms (${s.resumes} resumes, real time)`);
console.log(`  memory per conversation ${mib((s.peakRssBytes - rssBefore) / sessions)} (peak RSS ${mib(s.peakRssBytes)}, ${mib(rssBefore)} before)`);
console.log(`  wall time               ${(s.wallMs / 1000).toFixed(1)} s`);
console.log(`cost per message (CPU, user + system), side by side in this process:`);
console.log(`  harness                 ${harnessUs.toFixed(1)} µs per wire message while the conversations ran (${messages} messages: reference client, mock, journal), ${harnessAllUs.toFixed(1)} µs with the judging of every conversation after`);
console.log(`  bare relay, paced       ${relayUs.toFixed(1)} µs per wire message (${relay.messages} messages on ${relay.connections} connections, ${relay.sessionCalls} session calls, at the load run's times)`);
console.log(`  ratio                   ${(harnessUs / relayUs).toFixed(2)}×`);
console.log(`  unpaced ws echo         ${echoUs.toFixed(1)} µs per wire message (${2 * messages} messages: the same texts sent and echoed, one socket a conversation, flat out): ${(harnessUs / echoUs).toFixed(2)}×`);

async function echoReplay(conversations: readonly string[][]): Promise<{ cpuUs: number }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as { port: number };
  const before = process.cpuUsage();
  await Promise.all(conversations.map(async (texts) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`);
    await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
    for (const text of texts) {
      await new Promise<void>((resolve) => {
        ws.once('message', () => resolve());
        ws.send(text);
      });
    }
    ws.close();
  }));
  const used = process.cpuUsage(before);
  server.close();
  return { cpuUs: used.user + used.system };
}
