/**
 * The mutation score of issue 15, from StrykerJS's JSON report (`npm run mutation` writes
 * reports/mutation/mutation.json) and the triage of docs/mutation-triage.md:
 *
 *   score = killed / (all − equivalent)
 *
 * "all" is every mutant Stryker ran (killed, survived, timed out, not covered, errors); mutants
 * it ignored (static code, the event log, excluded mutators: stryker.config.mjs) are not in it.
 * Timeouts are never counted as killed (issue 15: nothing in the score may come from a timeout),
 * and neither is a kill whose verdict is the harness's real-time backstop ("of real time",
 * harness/run/run-scenario.ts): that hang depends on the machine, so it is counted as a timeout.
 *
 * Every survivor must have a row in the triage table; a row that matches no survivor is stale.
 *
 *   npx tsx tools/mutation-score.ts [report.json] [triage.md]
 *   npx tsx tools/mutation-score.ts --run gemini     (the Gemini Live client's run, issue 15 item 2)
 *   npx tsx tools/mutation-score.ts --rewrite …      (after a new run: the table rebuilt, stale rows
 *                                                     dropped, new survivors added as untriaged)
 *
 * Two runs, each with its own report and triage: the AI-voice simulator's (stryker.config.mjs,
 * the default) and the reference Gemini Live client's (stryker.gemini.config.mjs).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * equivalent: cannot change anything on the wire. allowed: changes the wire, but only within what
 * the protocol permits (a MAY, a random draw): a conformant client, which no scenario may fail, so
 * not a hole either; shown apart from the equivalents, never silently merged with them. hole: a
 * change the catalog should catch and does not. bug: a bug of the reference, fixed.
 */
export type Triage = 'equivalent' | 'allowed' | 'hole' | 'bug' | 'untriaged';
const TRIAGES: readonly Triage[] = ['equivalent', 'allowed', 'hole', 'bug', 'untriaged'];

export interface ReportMutant {
  readonly mutatorName: string;
  readonly replacement?: string;
  readonly location: { readonly start: { readonly line: number; readonly column: number } };
  readonly status: string;
  readonly statusReason?: string;
}

export interface MutationReport {
  readonly files: Record<string, { readonly mutants: readonly ReportMutant[] }>;
}

/** How a mutant is named in the triage: file:line:column, mutator, replacement. */
export const mutantKey = (file: string, m: ReportMutant): string => `${file}:${m.location.start.line}:${m.location.start.column} ${m.mutatorName} ${oneLine(m.replacement ?? '')}`;

/** A replacement spanning lines, as one table cell holds it. */
const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

/** A kill by the harness's real-time backstop: machine-dependent, counted as a timeout. */
export const isRealTimeHang = (m: ReportMutant): boolean => m.status === 'Killed' && /of real time/.test(m.statusReason ?? '');

/** A line of the triage table (`| simulator/… | …`), as opposed to the prose around it. */
const isTriageRow = (line: string): boolean => /^\|\s*`?simulator\//.test(line);

/** A row's cells, `\|` inside a cell read as `|`, backticks around a cell dropped. */
const rowCells = (line: string): string[] => line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim().replace(/\\\|/g, '|').replace(/^`|`$/g, ''));

/** The key of a row: as mutantKey names the mutant it triages. */
const rowKey = (cells: readonly string[]): string => `${cells[0]} ${cells[1]} ${oneLine(cells[2] ?? '')}`;

/**
 * The rows of the triage table: `| file:line:col | mutator | replacement | triage | why |`, `\|` inside a cell.
 * Two mutants can share a key (the same mutator and replacement at the same start, over different
 * spans: `a && b` → `true` and `a` → `true`); their rows are kept in table order, which is the
 * report's order, and each survivor takes the next row of its key.
 */
export function parseTriage(markdown: string, where = 'docs/mutation-triage.md'): Map<string, Triage[]> {
  const rows = new Map<string, Triage[]>();
  markdown.split('\n').forEach((line, i) => {
    if (!isTriageRow(line)) return;
    const cells = rowCells(line);
    if (cells.length < 5) throw new Error(`${where} line ${i + 1}: a triage row needs 5 cells (location, mutator, replacement, triage, why), found ${cells.length}`);
    const triage = cells[3]!;
    if (!(TRIAGES as readonly string[]).includes(triage)) throw new Error(`${where} line ${i + 1}: triage "${triage}" is none of ${TRIAGES.join(', ')}`);
    const key = rowKey(cells);
    rows.set(key, [...(rows.get(key) ?? []), triage as Triage]);
  });
  return rows;
}

/** A mutant that ran, was not killed, did not time out and did not fail to run: one the triage must place. */
const needsTriage = (m: ReportMutant): boolean => m.status === 'Survived' || m.status === 'NoCoverage';

/** The survivors in the report's order, each with its key and its rank among the survivors sharing that key. */
function* survivors(report: MutationReport): Generator<{ file: string; m: ReportMutant; key: string; nth: number }> {
  const seen = new Map<string, number>();
  for (const [file, { mutants }] of Object.entries(report.files)) {
    for (const m of mutants) {
      if (!needsTriage(m)) continue;
      const key = mutantKey(file, m);
      const nth = seen.get(key) ?? 0;
      seen.set(key, nth + 1);
      yield { file, m, key, nth };
    }
  }
}

export interface MutationScore {
  readonly all: number;
  readonly killed: number;
  readonly survived: number;
  readonly timeouts: number;
  readonly noCoverage: number;
  readonly errors: number;
  readonly ignored: number;
  readonly equivalent: number;
  readonly allowed: number;
  /** killed / (all − equivalent), in percent: issue 15's score. */
  readonly score: number;
  /** killed / (all − equivalent − allowed), in percent: the conformant variants left out too. */
  readonly scoreWithoutAllowed: number;
  /** Survivors (and uncovered mutants) with no triage row, or triaged "untriaged". */
  readonly untriaged: string[];
  /** Triage rows that name no surviving mutant. */
  readonly stale: string[];
  readonly byTriage: Record<Triage, number>;
}

export function scoreOf(report: MutationReport, triage: Map<string, readonly Triage[]>): MutationScore {
  let all = 0, killed = 0, survived = 0, timeouts = 0, noCoverage = 0, errors = 0, ignored = 0;
  for (const { mutants } of Object.values(report.files)) {
    for (const m of mutants) {
      if (m.status === 'Ignored' || m.status === 'Pending') { ignored += 1; continue; }
      all += 1;
      if (m.status === 'Killed' && !isRealTimeHang(m)) killed += 1;
      else if (m.status === 'Timeout' || isRealTimeHang(m)) timeouts += 1;
      else if (m.status === 'CompileError' || m.status === 'RuntimeError') errors += 1;
      else if (m.status === 'NoCoverage') noCoverage += 1;
      else survived += 1;
    }
  }
  const byTriage: Record<Triage, number> = { equivalent: 0, allowed: 0, hole: 0, bug: 0, untriaged: 0 };
  const untriaged: string[] = [];
  const seen = new Map<string, number>();
  for (const { key, nth } of survivors(report)) {
    seen.set(key, nth + 1);
    const t = triage.get(key)?.[nth] ?? 'untriaged';
    byTriage[t] += 1;
    if (t === 'untriaged') untriaged.push(key);
  }
  const stale = [...triage.entries()].filter(([k, rows]) => rows.length > (seen.get(k) ?? 0)).map(([k]) => k);
  const percent = (denominator: number): number => (denominator > 0 ? (100 * killed) / denominator : 0);
  return {
    all, killed, survived, timeouts, noCoverage, errors, ignored,
    equivalent: byTriage.equivalent,
    allowed: byTriage.allowed,
    score: percent(all - byTriage.equivalent),
    scoreWithoutAllowed: percent(all - byTriage.equivalent - byTriage.allowed),
    untriaged, stale, byTriage,
  };
}

/**
 * The triage table rebuilt for a new report, in the report's order: each survivor keeps its row
 * (the n-th survivor of a key takes the key's n-th row, as scoreOf reads them), a survivor with
 * no row gets an `untriaged` one to decide by hand, and rows no survivor matches (mutants the
 * catalog now kills) are dropped. Everything outside the table is kept as it is.
 */
export function rewriteTriage(markdown: string, report: MutationReport): string {
  const lines = markdown.split('\n');
  const first = lines.findIndex(isTriageRow);
  if (first < 0) throw new Error('no triage rows (| `simulator/…` | …) to rewrite');
  let end = first;
  while (end < lines.length && isTriageRow(lines[end]!)) end++;
  const rowsByKey = new Map<string, string[]>();
  for (const line of lines.slice(first, end)) {
    const key = rowKey(rowCells(line));
    rowsByKey.set(key, [...(rowsByKey.get(key) ?? []), line]);
  }
  const cell = (text: string): string => text.replace(/\|/g, '\\|');
  const rows = [...survivors(report)].map(({ file, m, key, nth }) =>
    rowsByKey.get(key)?.[nth] ?? `| \`${file}:${m.location.start.line}:${m.location.start.column}\` | ${m.mutatorName} | \`${cell(oneLine(m.replacement ?? ''))}\` | untriaged |  |`);
  return [...lines.slice(0, first), ...rows, ...lines.slice(end)].join('\n');
}

/** Where each run's JSON report is written (its Stryker config) and where its survivors are triaged. */
export const MUTATION_RUNS = {
  'ai-voice': { report: 'reports/mutation/mutation.json', triage: 'docs/mutation-triage.md' },
  gemini: { report: 'reports/mutation-gemini/mutation.json', triage: 'docs/mutation-triage-gemini.md' },
} as const satisfies Record<string, { report: string; triage: string }>;
export type MutationRun = keyof typeof MUTATION_RUNS;

/** The npm script that writes each run's report (package.json). */
const RUN_SCRIPTS: Record<MutationRun, string> = { 'ai-voice': 'npm run mutation', gemini: 'npm run mutation:gemini' };

/** `[--run ai-voice|gemini] [report.json] [triage.md]`: the files named win over the run's. */
export function scoreFiles(argv: readonly string[]): { report: string; triage: string } {
  const args = [...argv];
  let run: MutationRun = 'ai-voice';
  const flag = args.indexOf('--run');
  if (flag >= 0) {
    const name = args[flag + 1];
    if (name === undefined || !Object.hasOwn(MUTATION_RUNS, name)) throw new Error(`--run needs one of ${Object.keys(MUTATION_RUNS).join(', ')}, got ${name ?? 'nothing'}`);
    run = name as MutationRun;
    args.splice(flag, 2);
  }
  const [report = MUTATION_RUNS[run].report, triage = MUTATION_RUNS[run].triage] = args;
  return { report, triage };
}

/** What writes `report`: the run's script when it is a run's own report, else Stryker by hand. */
function writer(report: string): string {
  const run = (Object.keys(MUTATION_RUNS) as MutationRun[]).find((r) => MUTATION_RUNS[r].report === report);
  return run ? RUN_SCRIPTS[run] : 'StrykerJS with a JSON reporter';
}

function main(argv: readonly string[]): number {
  const rewrite = argv.includes('--rewrite');
  const { report: reportFile, triage: triageFile } = scoreFiles(argv.filter((a) => a !== '--rewrite'));
  if (!existsSync(reportFile)) {
    // Reports are not committed (reports/ is ignored): a fresh clone has none until a run.
    console.error(`mutation-score: no report at ${reportFile}: run ${writer(reportFile)} first (it writes the report, then scores it)`);
    return 2;
  }
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as MutationReport;
  if (rewrite) {
    writeFileSync(triageFile, rewriteTriage(readFileSync(triageFile, 'utf8'), report));
    console.log(`${triageFile}: the table rebuilt for ${reportFile} (stale rows dropped, new survivors untriaged)`);
  }
  const s = scoreOf(report, parseTriage(readFileSync(triageFile, 'utf8'), triageFile));
  console.log(`mutants run ${s.all} (ignored ${s.ignored}: static, event log, excluded mutators)`);
  console.log(`killed ${s.killed} · survived ${s.survived} · no coverage ${s.noCoverage} · timeouts ${s.timeouts} (not counted as killed) · errors ${s.errors}`);
  console.log(`survivors triaged: equivalent ${s.byTriage.equivalent} · allowed ${s.byTriage.allowed} · hole ${s.byTriage.hole} · bug ${s.byTriage.bug} · untriaged ${s.byTriage.untriaged}`);
  console.log(`score killed / (all − equivalent) = ${s.killed} / (${s.all} − ${s.equivalent}) = ${s.score.toFixed(1)} %`);
  console.log(`without the allowed variants too: ${s.killed} / (${s.all} − ${s.equivalent} − ${s.allowed}) = ${s.scoreWithoutAllowed.toFixed(1)} %`);
  for (const k of s.untriaged) console.log(`  untriaged: ${k}`);
  for (const k of s.stale) console.log(`  stale triage row (no such survivor): ${k}`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.slice(2));
