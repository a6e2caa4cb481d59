/**
 * `resume-harness load --sessions N`: N conversations at once against one server, k6-style
 * thresholds that set the exit code (0 every threshold held, 1 one was crossed, 2 usage,
 * 3 the harness could not carry the run out), and a summary at the end. `--shard i/n` runs one
 * slice and `--json FILE` keeps its summary; `load --merge FILES…` merges the shards' summaries
 * and judges the thresholds over the whole run.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { redactText } from '../../protocol/redact.ts';
import { PROTOCOLS, type Protocol } from '../../protocol/sut-result.ts';
import { UsageError } from '../errors.ts';
import { mergeSummaries, percentile, type LoadSummary } from '../run/load-metrics.ts';
import { runLoad } from '../run/load-run.ts';
import { LOAD_SCENARIO_ID, loadScenario } from '../run/load-scenario.ts';
import { DEFAULT_THRESHOLDS, evaluateThresholds, parseThreshold, type ThresholdResult } from '../run/load-thresholds.ts';
import { loadCatalog } from '../scenario/loader.ts';
import { parseServer } from '../server/parse-server.ts';
import type { CliIo } from './cli-io.ts';

export const LOAD_USAGE = `resume-harness load --sessions N [--server cmd:COMMAND|image:NAME|reference|mutant:ID] [--protocol ai-voice|gemini-live]
                     [--scenario ID] [--time-scale X] [--seed N] [--ramp SECONDS] [--threshold METRIC<OP>NUMBER]… [--shard i/n] [--json FILE]
  resume-harness load --merge FILE… [--threshold …]`;

const LOAD_HELP = `${LOAD_USAGE}

N concurrent simulated conversations (the reference simulator) with expiry and flapping against one
server: the mock (to measure the harness) or a server under test (to load-test its resume path).
Thresholds set the exit code: 0 held, 1 crossed (or the server under test went down), 2 usage, 3 could not run.

Options:
  --sessions N          conversations at once
  --server SPEC         a server under test between the clients and the mock Gemini face (as run --server)
  --protocol FACE       ai-voice (default) or gemini-live: the wire the clients speak to the mock
  --scenario ID         the server script each conversation meets (default: expiry with seeded drops)
  --time-scale X        real seconds per protocol second (default 0.1)
  --seed N              the seed (default 1)
  --ramp SECONDS        spread the starts over this many real seconds
  --threshold EXPR      e.g. p95_resume_ms<2000, lost_turns==0, failed_resumes==0 (repeatable; k6-style)
  --shard i/n           run one slice of the conversations (several machines, one server)
  --json FILE           write the summary as JSON (a shard's, for --merge)
  --merge FILE…         join shard summaries and judge the thresholds on the whole

Examples:
  resume-harness load --sessions 200 --time-scale 0.25 --ramp 10
  resume-harness load --sessions 50 --server reference --threshold 'p95_resume_ms<3000'
`;

export async function loadCommand(args: string[], io: CliIo): Promise<number> {
  // Registered as a pass-through command (it parses its own arguments): its help is its own.
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(LOAD_HELP);
    return 0;
  }
  const values = parseLoadArgs(args);
  const thresholds = (values.threshold.length > 0 ? values.threshold : [...DEFAULT_THRESHOLDS]).map(parseThreshold);
  if (values.merge.length > 0) {
    const parts = values.merge.map((file) => readSummary(resolve(io.cwd, file)));
    const summary = mergeSummaries(parts);
    return finish(summary, evaluateThresholds(summary, thresholds), io, values.json, io.cwd);
  }
  if (values.sessions === undefined) throw new UsageError('load needs --sessions N (conversations at once), or --merge FILE… (shard summaries)');
  const sessions = wholeNumber(values.sessions, 'sessions', 1);
  const protocol = protocolOf(values.protocol);
  const server = values.server === undefined ? undefined : parseServer(values.server, io.cwd);
  if (server && protocol !== 'ai-voice') throw new UsageError('--server: the clients speak ai-voice to a server under test (its upstream is the Gemini face); leave --protocol out');
  const timeScale = values['time-scale'] === undefined ? 0.1 : positive(values['time-scale'], 'time-scale');
  const seed = values.seed === undefined ? 1 : wholeNumber(values.seed, 'seed', 0);
  // Real seconds over which the conversations start (k6's ramp-up); by default all at once.
  const rampMs = values.ramp === undefined ? 0 : nonNegative(values.ramp, 'ramp') * 1000;
  const shard = values.shard === undefined ? undefined : shardOf(values.shard);
  // Default: expiry and seeded drops, resumes confirmed at once (load-scenario.ts); --scenario plays a catalog scenario instead.
  const scenarioId = values.scenario ?? LOAD_SCENARIO_ID;
  const found = values.scenario === undefined ? loadScenario() : loadCatalog().find((l) => l.scenario.id === scenarioId)?.scenario;
  if (!found) throw new UsageError(`no scenario "${scenarioId}" (see: resume-harness list)`);
  const face = server ? 'gemini-live' : protocol;
  if (!found.faces.includes(face)) throw new UsageError(`scenario ${scenarioId} belongs to ${found.faces.join(', ')}, not ${face}`);
  io.stderr.write(`resume-harness load: ${sessions} conversation${sessions === 1 ? '' : 's'}${shard ? ` (shard ${shard.index}/${shard.count})` : ''} of ${scenarioId} against ${server ? server.id : `the mock (${protocol})`}, time scale ${timeScale}\n`);
  const run = await runLoad({ sessions, protocol, scenario: found, timeScale, seed, rampMs, ...(shard ? { shard } : {}), ...(server ? { server: { server } } : {}), progress: (line) => io.stderr.write(`${line}\n`) });
  if (run.harnessError) {
    io.stderr.write(`resume-harness load: ${run.harnessError}\n`);
    return 3;
  }
  const code = finish(run.summary, evaluateThresholds(run.summary, thresholds), io, values.json, io.cwd);
  // A server under test that did not stay up under the load fails the run, whatever the thresholds say.
  if (run.server && run.server.state !== 'ready') {
    io.stdout.write(`server under test: ${run.server.state}: ${redactText(run.server.reason, run.secrets ?? [])}\n`);
    return 1;
  }
  if (run.server) io.stdout.write(`server under test: stayed up, stopped with ${run.server.stoppedWith}\n`);
  return code;
}

function finish(summary: LoadSummary, results: readonly ThresholdResult[], io: CliIo, json: string | undefined, cwd: string): number {
  io.stdout.write(formatSummary(summary, results));
  if (json !== undefined) writeFileSync(resolve(cwd, json), `${JSON.stringify(summary)}\n`);
  return results.every((r) => r.passed) ? 0 : 1;
}

/** The end-of-run summary: no secret in it (counts, times and ids only). */
export function formatSummary(s: LoadSummary, results: readonly ThresholdResult[]): string {
  const ms = (v: number): string => (Number.isNaN(v) ? 'n/a' : `${v.toFixed(1)} ms`);
  const p = (q: number): string => ms(percentile(s.resumeLatenciesMs, q));
  const verdicts = Object.entries(s.verdicts).map(([v, n]) => `${v} ${n}`).join(', ');
  const lines = [
    `load summary: ${s.conversations} conversations of ${s.scenario} against ${s.target} (${s.protocol}), shard${s.shards.length === 1 ? '' : 's'} ${s.shards.join(', ')}, time scale ${s.timeScale}`,
    `  completed            ${s.completed}/${s.conversations}`,
    `  held at once         ${s.heldAtOnce} conversations`,
    `  lost turns           ${s.lostTurns}`,
    `  context lost         ${s.contextLost} conversations`,
    `  resumes              ${s.resumes} confirmed, ${s.failedResumes} failed`,
    `  resume latency       p50 ${p(50)}, p95 ${p(95)}, p99 ${p(99)}, max ${p(100)} (real time, connect to confirmation)`,
    ...(verdicts ? [`  verdicts             ${verdicts}`] : []),
    `  peak RSS             ${(s.peakRssBytes / 1024 / 1024).toFixed(0)} MiB`,
    `  wall time            ${(s.wallMs / 1000).toFixed(1)} s`,
    'thresholds:',
    ...results.map((r) => `  ${r.passed ? '✓' : '✗'} ${r.threshold.text.padEnd(24)} actual ${Number.isNaN(r.actual) ? 'n/a (nothing measured)' : Number.isInteger(r.actual) ? String(r.actual) : r.actual.toFixed(1)}`),
    '',
  ];
  return lines.join('\n');
}

interface LoadArgs {
  sessions?: string;
  server?: string;
  protocol?: string;
  scenario?: string;
  'time-scale'?: string;
  ramp?: string;
  seed?: string;
  shard?: string;
  json?: string;
  threshold: string[];
  merge: string[];
}

function parseLoadArgs(args: string[]): LoadArgs {
  try {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        sessions: { type: 'string' }, server: { type: 'string' }, protocol: { type: 'string' }, scenario: { type: 'string' },
        'time-scale': { type: 'string' }, ramp: { type: 'string' }, seed: { type: 'string' }, shard: { type: 'string' }, json: { type: 'string' },
        threshold: { type: 'string', multiple: true }, merge: { type: 'boolean' },
      },
    });
    if (!values.merge && positionals.length > 0) throw new UsageError(`load takes no arguments besides its flags, got "${positionals[0]}"`);
    if (values.merge && positionals.length === 0) throw new UsageError('load --merge needs the shard summaries (the files of --json)');
    const { merge, threshold, ...rest } = values;
    return { ...rest, threshold: threshold ?? [], merge: merge ? positionals : [] };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError((error as Error).message);
  }
}

function wholeNumber(value: string, name: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > 1_000_000) throw new UsageError(`--${name} must be a whole number from ${min}, got "${value}"`);
  return n;
}

function positive(value: string, name: string): number {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number above 0, got "${value}"`);
  return n;
}

function nonNegative(value: string, name: string): number {
  const n = Number(value);
  if (!(n >= 0) || !Number.isFinite(n) || value.trim() === '') throw new UsageError(`--${name} must be a number from 0, got "${value}"`);
  return n;
}

function protocolOf(value: string | undefined): Protocol {
  if (value === undefined) return 'ai-voice';
  if ((PROTOCOLS as readonly string[]).includes(value)) return value as Protocol;
  throw new UsageError(`--protocol must be ${PROTOCOLS.join(' or ')}, got "${value}"`);
}

function shardOf(value: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) throw new UsageError(`--shard must be i/n with 1 ≤ i ≤ n (e.g. 2/4), got "${value}"`);
  return { index, count };
}

function readSummary(file: string): LoadSummary {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`load --merge: cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    const summary = JSON.parse(text) as LoadSummary;
    if (!Array.isArray(summary.resumeLatenciesMs) || typeof summary.conversations !== 'number') throw new Error('not a summary of load --json');
    return summary;
  } catch (error) {
    throw new UsageError(`load --merge: ${file} is not a load summary (${(error as Error).message})`);
  }
}
