/**
 * The detection matrix: the harness judged as a measuring instrument. Every scenario of a
 * selection runs against the reference simulator and every mutant, for several seeds. A
 * mutant is caught on a scenario when the overall verdict is FAILED in at least one seed
 * (NON-STRICT passes the gate, so it does not count — except for a mutant whose bug the spec
 * itself grades "allowed, not ideal" (`detectedAs: 'NON-STRICT'`), where exactly that grade is
 * the detection); it escapes when no scenario catches it. Any verdict of the reference other than OK or INFORMATIONAL is a false alarm.
 */
import { AXES, type Axis, type Verdict } from '../judge/verdict.ts';
import { runScenario, type ScenarioRun } from '../run/run-scenario.ts';
import { stopInterception } from '../sandbox/msw-interception.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { ClientReport, Mode, SystemUnderTest } from '../sut/system-under-test.ts';
import type { GeminiMutant, Mutant } from '../../simulator/index.ts';
import type { Protocol } from '../../protocol/sut-result.ts';

/** A row of the matrix: the reference, or a mutant. `sut` is its `--sut` value. */
export interface MatrixSubject {
  readonly sut: string;
  readonly role: 'reference' | 'mutant';
  readonly trap: string;
  readonly bug: string;
  /** Where the bug can show at all (Mutant.modes); absent: both modes. */
  readonly modes?: readonly Mode[];
  /** The verdict the bug deserves (Mutant.detectedAs); absent: FAILED. */
  readonly detectedAs?: 'FAILED' | 'NON-STRICT';
}

export const referenceSubject = (sut = 'builtin', protocol: Protocol = 'ai-voice'): MatrixSubject => ({ sut, role: 'reference', trap: '—', bug: protocol === 'gemini-live' ? 'the reference Gemini Live client: must pass everything' : 'the reference Prospect Simulator: must pass everything' });
export const mutantSubject = (mutant: Mutant | GeminiMutant): MatrixSubject => ({
  sut: `mutant:${mutant.id}`,
  role: 'mutant',
  trap: mutant.trap,
  bug: mutant.bug,
  ...('modes' in mutant && mutant.modes ? { modes: mutant.modes } : {}),
  ...('detectedAs' in mutant && mutant.detectedAs ? { detectedAs: mutant.detectedAs } : {}),
});

/** Whether a subject's bug can show in this mode at all. */
export const appliesIn = (subject: MatrixSubject, mode: Mode): boolean => subject.modes === undefined || subject.modes.includes(mode);

/** One run, as little as the matrix needs (it crosses process boundaries). */
export interface RunDigest {
  readonly sut: string;
  readonly scenario: string;
  readonly seed: number;
  readonly overall: Verdict;
  readonly axes: Record<Axis, { readonly verdict: Verdict; readonly reason: string }>;
  readonly client: ClientReport['state'];
  readonly wallMs: number;
  readonly harnessError?: string;
  /** The scenario's fault did not happen (judge.ts, analysis/exercise.ts): UNKNOWN, but the client's doing, not the harness's. */
  readonly unexercised?: true;
}

export function digestRun(run: ScenarioRun, runSeed: number): RunDigest {
  const axes = {} as Record<Axis, { verdict: Verdict; reason: string }>;
  for (const axis of AXES) axes[axis] = { verdict: run.judgement.axes[axis].verdict, reason: run.judgement.axes[axis].reason };
  return {
    sut: run.sut.id,
    scenario: run.scenario.id,
    seed: runSeed,
    overall: run.judgement.overall,
    axes,
    client: run.client.state,
    wallMs: Math.round(run.wallMs),
    ...(run.harnessError ? { harnessError: run.harnessError } : {}),
    ...((run.judgement.exercise?.unmet.length ?? 0) > 0 ? { unexercised: true as const } : {}),
  };
}

/**
 * What a cell shows. Mutants: caught (FAILED in every seed), caught-some (FAILED in some),
 * non-strict (never FAILED, NON-STRICT in some: not caught), unknown (never FAILED, a harness
 * error in some), passed. The reference: passed, or false-alarm.
 */
export type CellState = 'caught' | 'caught-some' | 'non-strict' | 'unknown' | 'passed' | 'false-alarm' | 'not-applicable';

export interface MatrixCell {
  readonly scenario: string;
  readonly state: CellState;
  /** Seeds whose overall verdict was FAILED. */
  readonly failedSeeds: number[];
  readonly runs: RunDigest[];
}

export interface MatrixRow {
  readonly subject: MatrixSubject;
  readonly cells: MatrixCell[];
  /** Scenarios that catch the mutant (or, for the reference, that raised a false alarm). */
  readonly hits: string[];
  /** not-applicable: a mutant whose bug cannot show in this mode (not run, not an escape). */
  readonly status: 'caught' | 'escaped' | 'clean' | 'false-alarms' | 'not-applicable';
}

export interface DetectionMatrix {
  /** The wire every run spoke (`--protocol`). */
  readonly protocol: Protocol;
  readonly mode: Mode;
  readonly timeScale: number;
  readonly seeds: number[];
  readonly scenarios: string[];
  readonly rows: MatrixRow[];
  /** Mutants no scenario caught. */
  readonly escaped: string[];
  /** Reference runs with a verdict other than OK or INFORMATIONAL. */
  readonly falseAlarms: RunDigest[];
  /** Runs whose overall verdict is UNKNOWN: the instrument itself failed there (a mutant that dodged the fault is not counted: `unexercised`). */
  readonly harnessErrors: RunDigest[];
  readonly runs: number;
  readonly wallMs: number;
}

const isPass = (v: Verdict): boolean => v === 'OK' || v === 'INFORMATIONAL';

export function classifyCell(role: MatrixSubject['role'], runs: readonly RunDigest[]): CellState {
  if (role === 'reference') return runs.every((r) => isPass(r.overall)) ? 'passed' : 'false-alarm';
  const failed = runs.filter((r) => r.overall === 'FAILED').length;
  if (failed > 0) return failed === runs.length ? 'caught' : 'caught-some';
  if (runs.some((r) => r.overall === 'NON-STRICT')) return 'non-strict';
  if (runs.some((r) => r.overall === 'UNKNOWN')) return 'unknown';
  return 'passed';
}

/** Assembles the matrix from digests (in any order). */
export function buildMatrix(input: { subjects: readonly MatrixSubject[]; scenarios: readonly string[]; seeds: readonly number[]; digests: readonly RunDigest[]; mode: Mode; timeScale: number; wallMs: number; protocol?: Protocol }): DetectionMatrix {
  const key = (sut: string, scenario: string): string => `${sut}\u0000${scenario}`;
  const byCell = new Map<string, RunDigest[]>();
  for (const d of input.digests) {
    const k = key(d.sut, d.scenario);
    const list = byCell.get(k) ?? [];
    list.push(d);
    byCell.set(k, list);
  }
  const rows: MatrixRow[] = input.subjects.map((subject) => {
    if (!appliesIn(subject, input.mode)) {
      return { subject, cells: input.scenarios.map((scenario) => ({ scenario, state: 'not-applicable' as const, failedSeeds: [], runs: [] })), hits: [], status: 'not-applicable' as const };
    }
    const cells = input.scenarios.map((scenario): MatrixCell => {
      const runs = (byCell.get(key(subject.sut, scenario)) ?? []).sort((a, b) => a.seed - b.seed);
      return { scenario, state: classifyCell(subject.role, runs), failedSeeds: runs.filter((r) => r.overall === 'FAILED').map((r) => r.seed), runs };
    });
    // A bug the spec grades "allowed, not ideal" is detected when the harness says exactly that.
    const detected = (c: MatrixCell): boolean => c.state === 'caught' || c.state === 'caught-some' || (subject.detectedAs === 'NON-STRICT' && c.state === 'non-strict');
    const hits = cells.filter((c) => (subject.role === 'reference' ? c.state === 'false-alarm' : detected(c))).map((c) => c.scenario);
    const status = subject.role === 'reference' ? (hits.length === 0 ? 'clean' : 'false-alarms') : hits.length > 0 ? 'caught' : 'escaped';
    return { subject, cells, hits, status };
  });
  return {
    protocol: input.protocol ?? 'ai-voice',
    mode: input.mode,
    timeScale: input.timeScale,
    seeds: [...input.seeds],
    scenarios: [...input.scenarios],
    rows,
    escaped: rows.filter((r) => r.status === 'escaped').map((r) => r.subject.sut),
    falseAlarms: input.digests.filter((d) => input.subjects.some((s) => s.role === 'reference' && s.sut === d.sut) && !isPass(d.overall)),
    // A mutant that dodged the scenario's fault is UNKNOWN there (not caught), not a harness error;
    // the reference never dodges one (its UNKNOWN is a false alarm, above; docs/exercised-faults.md).
    harnessErrors: input.digests.filter((d) => d.overall === 'UNKNOWN' && !d.unexercised),
    runs: input.digests.length,
    wallMs: input.wallMs,
  };
}

/** The instrument's own gate: no escape, no false alarm, no harness error. */
export const matrixPasses = (m: DetectionMatrix): boolean => m.escaped.length === 0 && m.falseAlarms.length === 0 && m.harnessErrors.length === 0;

// ───────────────────────────── running ─────────────────────────────

export interface MatrixJob {
  readonly sut: string;
  readonly scenario: number;
  readonly seed: number;
}

export interface MatrixRunOptions {
  readonly scenarios: readonly Scenario[];
  readonly subjects: readonly MatrixSubject[];
  readonly seeds: readonly number[];
  readonly mode: Mode;
  readonly timeScale: number;
  /** The wire of every run; default ai-voice. */
  readonly protocol?: Protocol;
  /** Runs at a time: worker processes in virtual mode (fake timers are process-wide), concurrent runs in network mode. */
  readonly jobs: number;
  /** Makes the SystemUnderTest of a row (in this process). */
  readonly sutFor: (sut: string) => SystemUnderTest;
  /** Runs jobs in other processes (virtual mode with jobs > 1); absent: everything in this process. */
  readonly pool?: (jobs: readonly MatrixJob[], run: { scenarios: readonly Scenario[]; mode: Mode; timeScale: number; protocol: Protocol; workers: number; onDigest: (d: RunDigest) => void }) => Promise<void>;
  readonly onDigest?: (digest: RunDigest, done: number, total: number) => void;
}

export function matrixJobs(subjects: readonly MatrixSubject[], scenarioCount: number, seeds: readonly number[], mode?: Mode): MatrixJob[] {
  const jobs: MatrixJob[] = [];
  const applicable = mode === undefined ? subjects : subjects.filter((s) => appliesIn(s, mode));
  for (const seed of seeds) for (let scenario = 0; scenario < scenarioCount; scenario++) for (const s of applicable) jobs.push({ sut: s.sut, scenario, seed });
  return jobs;
}

/** Runs one job in this process. Never throws (runScenario does not). */
export async function runJob(job: MatrixJob, scenarios: readonly Scenario[], sutFor: (sut: string) => SystemUnderTest, mode: Mode, timeScale: number, protocol: Protocol = 'ai-voice'): Promise<RunDigest> {
  const scenario = scenarios[job.scenario]!;
  // msw keeps every WebSocket client a link ever saw and copies them all on each new
  // connection: over a matrix that is quadratic. A fresh interception per run keeps it flat.
  if (mode === 'virtual') stopInterception();
  const run = await runScenario(scenario, sutFor(job.sut), { mode, seed: job.seed, timeScale, protocol });
  return digestRun(run, job.seed);
}

/** Below this many runs, worker processes cost more to start than they save. */
const MIN_RUNS_FOR_WORKERS = 40;

export async function runMatrix(options: MatrixRunOptions): Promise<DetectionMatrix> {
  const started = performance.now();
  const jobs = matrixJobs(options.subjects, options.scenarios.length, options.seeds, options.mode);
  const digests: RunDigest[] = [];
  const collect = (d: RunDigest): void => {
    digests.push(d);
    options.onDigest?.(d, digests.length, jobs.length);
  };
  const { mode, timeScale } = options;
  const protocol = options.protocol ?? 'ai-voice';
  if (mode === 'virtual' && options.pool && options.jobs > 1 && jobs.length >= MIN_RUNS_FOR_WORKERS) {
    await options.pool(jobs, { scenarios: options.scenarios, mode, timeScale, protocol, workers: options.jobs, onDigest: collect });
  } else {
    // Virtual runs share the process's fake clock: one at a time. Network runs each have their own server.
    const width = mode === 'virtual' ? 1 : Math.max(1, options.jobs);
    const queue = [...jobs];
    await Promise.all(
      Array.from({ length: Math.min(width, queue.length) }, async () => {
        for (let job = queue.shift(); job; job = queue.shift()) collect(await runJob(job, options.scenarios, options.sutFor, mode, timeScale, protocol));
      }),
    );
  }
  return buildMatrix({
    subjects: options.subjects,
    scenarios: options.scenarios.map((s) => s.id),
    seeds: options.seeds,
    digests,
    mode,
    timeScale,
    protocol,
    wallMs: performance.now() - started,
  });
}

// ───────────────────────────── rendering ─────────────────────────────

const TEXT_MARK: Record<CellState, string> = { caught: 'X', 'caught-some': 'x', 'non-strict': '~', unknown: '?', passed: '.', 'false-alarm': '!', 'not-applicable': '-' };
const MD_MARK: Record<CellState, string> = { caught: '✗', 'caught-some': '✗', 'non-strict': '~', unknown: '?', passed: '·', 'false-alarm': '**!**', 'not-applicable': '–' };

const rowName = (row: MatrixRow): string => (row.subject.role === 'reference' ? `${row.subject.sut} (reference)` : row.subject.sut.replace(/^mutant:/, ''));

function rowSummary(row: MatrixRow): string {
  if (row.status === 'not-applicable') return `not applicable (shows in ${row.subject.modes?.join(', ')} mode only)`;
  if (row.subject.role === 'reference') return row.status === 'clean' ? 'no false alarm' : `FALSE ALARM on ${row.hits.length}: ${row.hits.join(', ')}`;
  if (row.status === 'caught') return `caught by ${row.hits.length}`;
  const soft = row.cells.filter((c) => c.state === 'non-strict').map((c) => c.scenario);
  return `ESCAPED${soft.length > 0 ? ` (NON-STRICT only, on ${soft.join(', ')})` : ''}`;
}

function headline(m: DetectionMatrix): string {
  const mutants = m.rows.filter((r) => r.subject.role === 'mutant').length;
  const seeds = m.seeds.length === 1 ? `seed ${m.seeds[0]}` : `seeds ${m.seeds[0]}–${m.seeds.at(-1)}`;
  const mode = m.mode === 'network' ? `network mode, time scale ${m.timeScale}` : 'virtual mode';
  const references = m.rows.length - mutants;
  return `${mutants} mutants + ${references === 1 ? 'the reference' : `${references} reference rows`} × ${m.scenarios.length} scenarios × ${seeds} (${m.protocol} face, ${mode}): ${m.runs} runs in ${(m.wallMs / 1000).toFixed(1)} s`;
}

export function verdictLines(m: DetectionMatrix): string[] {
  const mutants = m.rows.filter((r) => r.subject.role === 'mutant' && r.status !== 'not-applicable');
  const caught = mutants.filter((r) => r.status === 'caught').length;
  // matrix --sut A --sut B: several rows that must pass everything, none of them a mutant.
  const skipped = m.rows.filter((r) => r.subject.role === 'mutant').length - mutants.length;
  const lines = [`${caught}/${mutants.length} mutants caught${skipped > 0 ? ` (${skipped} not applicable in ${m.mode} mode)` : ''}, ${m.falseAlarms.length} false alarm${m.falseAlarms.length === 1 ? '' : 's'} on the reference, ${m.harnessErrors.length} harness error${m.harnessErrors.length === 1 ? '' : 's'}.`];
  for (const sut of m.escaped) lines.push(`ESCAPED: ${sut} is FAILED by no scenario.`);
  for (const d of m.falseAlarms) lines.push(`FALSE ALARM: ${d.sut} on ${d.scenario} (seed ${d.seed}): ${d.overall} — ${worstReason(d)}`);
  for (const d of m.harnessErrors.slice(0, 10)) lines.push(`HARNESS ERROR: ${d.sut} on ${d.scenario} (seed ${d.seed}): ${(d.harnessError ?? worstReason(d)).split('\n')[0]}`);
  return lines;
}

function worstReason(d: RunDigest): string {
  for (const v of ['FAILED', 'UNKNOWN', 'NON-STRICT'] as const) {
    const axis = AXES.find((a) => d.axes[a].verdict === v);
    if (axis) return `${axis}: ${d.axes[axis].reason}`;
  }
  return 'every axis OK';
}

/** For the terminal: scenarios as numbered columns, a legend, one line per subject. */
export function renderMatrixText(m: DetectionMatrix): string {
  const width = String(m.scenarios.length).length;
  const nameWidth = Math.max(...m.rows.map((r) => rowName(r).length), 10);
  const trapWidth = Math.max(...m.rows.map((r) => r.subject.trap.length), 4);
  const out: string[] = [headline(m), ''];
  const numbers = m.scenarios.map((_, i) => String(i + 1).padStart(width)).join(' ');
  out.push(`${''.padEnd(nameWidth)}  ${'trap'.padEnd(trapWidth)}  ${numbers}`);
  for (const row of m.rows) {
    const cells = row.cells.map((c) => TEXT_MARK[c.state].padStart(width)).join(' ');
    out.push(`${rowName(row).padEnd(nameWidth)}  ${row.subject.trap.padEnd(trapWidth)}  ${cells}  ${rowSummary(row)}`);
  }
  out.push('', 'X caught in every seed · x caught in some seeds · ~ NON-STRICT only (not caught) · ? harness error · . passed · ! false alarm · - not applicable in this mode', '');
  m.scenarios.forEach((id, i) => out.push(`${String(i + 1).padStart(width)}  ${id}`));
  out.push('', ...verdictLines(m));
  return `${out.join('\n')}\n`;
}

/** Scenario ids listed per mutant in the README table before "and n more". */
const LISTED = 8;

/**
 * For the README: each mutant with what catches it, the verdict, then the full grid (mutant ×
 * scenario, numbered columns and their legend) folded in a <details> block — with dozens of
 * scenarios the grid is for looking things up, the table for reading.
 */
export function renderMatrixMarkdown(m: DetectionMatrix): string {
  const out: string[] = [`**Detection matrix** — ${headline(m)}.`, ''];
  out.push('| subject | trap | the bug | caught by |', '|---|---|---|---|');
  for (const row of m.rows) {
    const bug = row.subject.bug.replace(/\|/g, '\\|');
    let by: string;
    if (row.subject.role === 'reference') by = row.status === 'clean' ? `passes all ${m.scenarios.length} (no false alarm)` : `**FALSE ALARM** on ${row.hits.map((h) => `\`${h}\``).join(', ')}`;
    else if (row.status === 'not-applicable') by = `not run: shows in ${row.subject.modes?.join(', ')} mode only`;
    else if (row.hits.length === 0) by = `**nothing: escaped**${row.cells.some((c) => c.state === 'non-strict') ? ' (NON-STRICT only)' : ''}`;
    else {
      const listed = row.hits.slice(0, LISTED).map((h) => `\`${h}\``).join(', ');
      by = `${row.hits.length}: ${listed}${row.hits.length > LISTED ? ` and ${row.hits.length - LISTED} more` : ''}`;
    }
    out.push(`| \`${rowName(row)}\` | ${row.subject.trap} | ${bug} | ${by} |`);
  }
  out.push('', verdictLines(m).join('  \n'), '');
  out.push('<details><summary>The full grid: mutant × scenario</summary>', '');
  out.push(`| subject | trap | ${m.scenarios.map((_, i) => String(i + 1)).join(' | ')} | result |`);
  out.push(`|---|---|${m.scenarios.map(() => ':-:').join('|')}|---|`);
  for (const row of m.rows) {
    const cells = row.cells.map((c) => (c.state === 'caught-some' ? `${MD_MARK[c.state]}${c.failedSeeds.length}/${c.runs.length}` : MD_MARK[c.state]));
    out.push(`| \`${rowName(row)}\` | ${row.subject.trap} | ${cells.join(' | ')} | ${rowSummary(row)} |`);
  }
  out.push('', `✗ FAILED (caught; ✗k/n: in k of n seeds) · ~ NON-STRICT only, not caught · ? harness error · · passed · **!** false alarm · – not applicable in this mode`, '');
  out.push('| # | scenario | # | scenario |', '|--:|---|--:|---|');
  const half = Math.ceil(m.scenarios.length / 2);
  for (let i = 0; i < half; i++) {
    const right = m.scenarios[i + half];
    out.push(`| ${i + 1} | \`${m.scenarios[i]}\` | ${right ? `${i + half + 1} | \`${right}\`` : ' | '} |`);
  }
  out.push('', '</details>');
  return `${out.join('\n')}\n`;
}
