/**
 * The server detection matrix (`matrix --server`): the instrument judged on the server side.
 * Every selected scenario runs through the reference AI-voice server and through every server
 * mutant (servers/mutants/), with the reference simulator as the client and the mock Gemini face
 * upstream, for N seeds. A mutant is caught on a scenario when the server axis it names gets
 * the grade its bug deserves (FAILED; NON-STRICT for a bug the contract allows, s8) in at
 * least one seed: caught on its own axis, not by accident elsewhere. Any verdict of the
 * reference other than OK or INFORMATIONAL is a false alarm.
 */
import { SERVER_AXES, type ServerAxis } from '../judge/server-section.ts';
import type { Verdict } from '../judge/verdict.ts';
import { runScenario, type ScenarioRun } from '../run/run-scenario.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { ServerUnderTest } from '../server/server-under-test.ts';
import type { SystemUnderTest } from '../sut/system-under-test.ts';

export interface ServerSubject {
  /** Its `--server` value: `reference`, `mutant:ID`. */
  readonly server: string;
  readonly role: 'reference' | 'mutant';
  /** The server axis the bug must show on (mutants). */
  readonly axis?: ServerAxis;
  readonly detectedAs: 'FAILED' | 'NON-STRICT';
  readonly bug: string;
  readonly standsFor: string;
}

/** One run, as little as the matrix keeps. */
export interface ServerRunDigest {
  readonly server: string;
  readonly scenario: string;
  readonly seed: number;
  readonly overall: Verdict;
  readonly serverAxes: Record<ServerAxis, { readonly verdict: Verdict; readonly reason: string }>;
  /** The six axes of the conversation, worst first, for a false alarm's explanation. */
  readonly clientAxes: Record<string, { readonly verdict: Verdict; readonly reason: string }>;
  readonly wallMs: number;
  readonly harnessError?: string;
}

export type ServerCellState = 'caught' | 'caught-some' | 'elsewhere' | 'passed' | 'unknown' | 'false-alarm';

export interface ServerMatrixRow {
  readonly subject: ServerSubject;
  readonly cells: { readonly scenario: string; readonly state: ServerCellState; readonly runs: ServerRunDigest[] }[];
  /** Scenarios that caught the mutant on its axis; for the reference, those with a false alarm. */
  readonly hits: string[];
  readonly status: 'caught' | 'escaped' | 'clean' | 'false-alarms';
}

export interface ServerMatrix {
  readonly timeScale: number;
  readonly seeds: number[];
  readonly scenarios: string[];
  readonly rows: ServerMatrixRow[];
  readonly escaped: string[];
  readonly falseAlarms: ServerRunDigest[];
  readonly harnessErrors: ServerRunDigest[];
  readonly runs: number;
  readonly wallMs: number;
}

export function digestServerRun(run: ScenarioRun, server: string, runSeed: number): ServerRunDigest {
  const axes = run.server?.judgement.axes;
  const serverAxes = Object.fromEntries(SERVER_AXES.map((axis) => [axis, axes ? { verdict: axes[axis].verdict, reason: axes[axis].reason } : { verdict: 'UNKNOWN' as Verdict, reason: run.harnessError ?? 'no server section' }])) as ServerRunDigest['serverAxes'];
  const clientAxes = Object.fromEntries(Object.entries(run.judgement.axes).map(([axis, v]) => [axis, { verdict: v.verdict, reason: v.reason }]));
  return { server, scenario: run.scenario.id, seed: runSeed, overall: run.judgement.overall, serverAxes, clientAxes, wallMs: Math.round(run.wallMs), ...(run.harnessError ? { harnessError: run.harnessError } : {}) };
}

const isPass = (v: Verdict): boolean => v === 'OK' || v === 'INFORMATIONAL';

export function classifyServerCell(subject: ServerSubject, runs: readonly ServerRunDigest[]): ServerCellState {
  if (subject.role === 'reference') return runs.every((r) => isPass(r.overall)) ? 'passed' : 'false-alarm';
  const axis = subject.axis!;
  const onAxis = runs.filter((r) => r.serverAxes[axis].verdict === subject.detectedAs).length;
  if (onAxis > 0) return onAxis === runs.length ? 'caught' : 'caught-some';
  if (runs.some((r) => r.overall === 'FAILED')) return 'elsewhere';
  if (runs.some((r) => r.overall === 'UNKNOWN')) return 'unknown';
  return 'passed';
}

export function buildServerMatrix(input: { subjects: readonly ServerSubject[]; scenarios: readonly string[]; seeds: readonly number[]; digests: readonly ServerRunDigest[]; timeScale: number; wallMs: number }): ServerMatrix {
  const rows = input.subjects.map((subject): ServerMatrixRow => {
    const cells = input.scenarios.map((scenario) => {
      const runs = input.digests.filter((d) => d.server === subject.server && d.scenario === scenario).sort((a, b) => a.seed - b.seed);
      return { scenario, state: classifyServerCell(subject, runs), runs };
    });
    if (subject.role === 'reference') {
      const hits = cells.filter((c) => c.state === 'false-alarm').map((c) => c.scenario);
      return { subject, cells, hits, status: hits.length > 0 ? 'false-alarms' : 'clean' };
    }
    const hits = cells.filter((c) => c.state === 'caught' || c.state === 'caught-some').map((c) => c.scenario);
    return { subject, cells, hits, status: hits.length > 0 ? 'caught' : 'escaped' };
  });
  const reference = new Set(input.subjects.filter((s) => s.role === 'reference').map((s) => s.server));
  return {
    timeScale: input.timeScale,
    seeds: [...input.seeds],
    scenarios: [...input.scenarios],
    rows,
    escaped: rows.filter((r) => r.status === 'escaped').map((r) => r.subject.server),
    falseAlarms: input.digests.filter((d) => reference.has(d.server) && !isPass(d.overall)),
    harnessErrors: input.digests.filter((d) => d.overall === 'UNKNOWN'),
    runs: input.digests.length,
    wallMs: input.wallMs,
  };
}

export const serverMatrixPasses = (m: ServerMatrix): boolean => m.escaped.length === 0 && m.falseAlarms.length === 0 && m.harnessErrors.length === 0;

export interface ServerMatrixOptions {
  readonly scenarios: readonly Scenario[];
  readonly subjects: readonly ServerSubject[];
  readonly seeds: readonly number[];
  readonly timeScale: number;
  /** Runs at once: each starts a server process. */
  readonly jobs: number;
  readonly serverFor: (spec: string) => ServerUnderTest;
  readonly client: () => SystemUnderTest;
  readonly onDigest?: (digest: ServerRunDigest, done: number, all: number) => void;
}

export async function runServerMatrix(options: ServerMatrixOptions): Promise<ServerMatrix> {
  const started = performance.now();
  const queue = options.subjects.flatMap((subject) => options.scenarios.flatMap((scenario) => options.seeds.map((seed) => ({ subject, scenario, seed }))));
  const all = queue.length;
  const digests: ServerRunDigest[] = [];
  const worker = async (): Promise<void> => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const run = await runScenario(job.scenario, options.client(), { mode: 'network', seed: job.seed, timeScale: options.timeScale, server: { server: options.serverFor(job.subject.server) } });
      const digest = digestServerRun(run, job.subject.server, job.seed);
      digests.push(digest);
      options.onDigest?.(digest, digests.length, all);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.jobs) }, worker));
  return buildServerMatrix({ subjects: options.subjects, scenarios: options.scenarios.map((s) => s.id), seeds: options.seeds, digests, timeScale: options.timeScale, wallMs: performance.now() - started });
}

const CELL: Record<ServerCellState, string> = { caught: 'X', 'caught-some': 'x', elsewhere: 'e', passed: '.', unknown: '?', 'false-alarm': '!' };

/** The matrix as text: one row per server, one column per scenario, then what it means. */
export function renderServerMatrixText(m: ServerMatrix): string {
  const width = Math.max(...m.rows.map((r) => r.subject.server.length), 'server'.length);
  const out = [`server detection matrix: ${m.rows.length - 1} mutants + the reference × ${m.scenarios.length} scenarios × ${m.seeds.length} seed(s) = ${m.runs} runs in ${(m.wallMs / 1000).toFixed(1)} s (time scale ${m.timeScale})`, ''];
  m.scenarios.forEach((s, i) => out.push(`  ${String(i + 1).padStart(2)} ${s}`));
  out.push('', `${'server'.padEnd(width)}  ${m.scenarios.map((_, i) => String(i + 1).padStart(2)).join(' ')}  axis / status`);
  for (const row of m.rows) out.push(`${row.subject.server.padEnd(width)}  ${row.cells.map((c) => CELL[c.state].padStart(2)).join(' ')}  ${row.subject.role === 'reference' ? row.status : `${row.subject.axis}${row.subject.detectedAs === 'NON-STRICT' ? ' (NON-STRICT)' : ''}: ${row.status}`}`);
  out.push('', 'X caught on its axis in every seed · x in some · e FAILED, but not on its axis · . passed · ? UNKNOWN · ! false alarm', '');
  out.push(...serverVerdictLines(m));
  return `${out.join('\n')}\n`;
}

export function serverVerdictLines(m: ServerMatrix): string[] {
  const mutants = m.rows.filter((r) => r.subject.role === 'mutant');
  const caught = mutants.filter((r) => r.status === 'caught').length;
  const lines = [`${caught}/${mutants.length} server mutants caught on their axis · ${m.falseAlarms.length} false alarms · ${m.harnessErrors.length} harness errors`];
  for (const id of m.escaped) lines.push(`ESCAPED ${id}`);
  for (const d of m.falseAlarms) lines.push(`FALSE ALARM ${d.server} on ${d.scenario} seed ${d.seed}: ${reasonOf(d)}`);
  for (const d of m.harnessErrors.filter((x) => !m.falseAlarms.includes(x))) lines.push(`UNKNOWN ${d.server} on ${d.scenario} seed ${d.seed}: ${reasonOf(d)}`);
  return lines;
}

function reasonOf(d: ServerRunDigest): string {
  if (d.harnessError) return d.harnessError.split('\n')[0]!;
  const server = SERVER_AXES.find((a) => !isPass(d.serverAxes[a].verdict));
  if (server) return `server ${server}: ${d.serverAxes[server].reason}`;
  const client = Object.entries(d.clientAxes).find(([, v]) => !isPass(v.verdict));
  return client ? `${client[0]}: ${client[1].reason}` : d.overall;
}

/** The matrix as a Markdown table, for the README. */
export function renderServerMatrixMarkdown(m: ServerMatrix): string {
  const head = `**Server detection matrix**: ${m.rows.length - 1} mutants + the reference × ${m.scenarios.length} scenarios × ${m.seeds.length} seed(s) = ${m.runs} runs in ${(m.wallMs / 1000).toFixed(1)} s (network mode, time scale ${m.timeScale}).`;
  const out = [head, '', `| server | axis | bug | stands for | caught by |`, '|---|---|---|---|---|'];
  for (const row of m.rows) {
    const s = row.subject;
    const by = s.role === 'reference' ? (row.status === 'clean' ? `passes all ${m.scenarios.length}` : `false alarms: ${row.hits.join(', ')}`) : row.hits.length > 0 ? `${row.hits.length}/${m.scenarios.length}: ${row.hits.join(', ')}` : '**escaped**';
    out.push(`| \`${s.server}\` | ${s.axis ?? '—'}${s.detectedAs === 'NON-STRICT' ? ' (NON-STRICT)' : ''} | ${s.bug.replace(/\|/g, '\\|')} | ${s.standsFor.replace(/\|/g, '\\|')} | ${by} |`);
  }
  return `${out.join('\n')}\n\n${serverVerdictLines(m).join('  \n')}\n`;
}
