/**
 * `merge-reports`: the run folders of `run --shard i/n` (one per CI machine) joined into one
 * run folder — every scenario's JSON and HTML page, index.json, junit.xml, summary.md and
 * index.html — as if one machine had run them all. Every file is rendered again from the
 * shards' JSON reports (each reporter is a pure function of them), so the merged folder is
 * the one an unsharded run writes.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserInputError } from '../errors.ts';
import { ALL_FORMATS, REPORTERS_MAP } from './formats.ts';
import { SutFolders } from './report-paths.ts';
import { makeDirectory, writeFileAtomic } from './atomic-file.ts';
import type { RunIndex } from './reporters/json-reporter.ts';
import type { ReportEntry, RunContext } from './reporters/reporter.ts';
import { ScenarioReportSchema, type ScenarioReport } from './scenario-report-schema.ts';

export interface MergedRun {
  readonly runDir: string;
  readonly entries: readonly ReportEntry[];
  readonly context: RunContext;
}

interface Shard {
  readonly dir: string;
  readonly index: RunIndex;
  readonly reports: ScenarioReport[];
}

const fail = (message: string): never => {
  throw new UserInputError('REPORT_MERGE_INVALID', message);
};

async function readJson(file: string, what: string): Promise<unknown> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => fail(`${file}: cannot read ${what} (${error.code ?? error.message}): give merge-reports the run folders of run --shard (each with index.json, written with --format including json)`));
  try {
    return JSON.parse(text);
  } catch (error) {
    return fail(`${file}: not JSON (${(error as Error).message})`);
  }
}

async function readShard(dir: string): Promise<Shard> {
  const index = (await readJson(join(dir, 'index.json'), 'the run index')) as RunIndex;
  if (index?.indexVersion !== 1 || typeof index.suts !== 'object') fail(`${join(dir, 'index.json')}: not a resume-harness run index (indexVersion 1)`);
  const reports: ScenarioReport[] = [];
  for (const [sut, row] of Object.entries(index.suts)) {
    for (const [scenario, cell] of Object.entries(row)) {
      if (!cell.reportfile) fail(`${dir}: ${scenario} [${sut}] has no JSON report: run the shards with --format including json`);
      const file = join(dir, ...cell.reportfile!.split('/'));
      const parsed = ScenarioReportSchema.safeParse(await readJson(file, 'a scenario report'));
      if (!parsed.success) fail(`${file}: not a scenario report: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
      reports.push(parsed.data as ScenarioReport);
    }
  }
  return { dir, index, reports };
}

/**
 * Reads the shards, checks they are parts of one run (same seed, mode, strictness and time
 * scale; no scenario twice), and writes the merged folder. `order` ranks scenario ids (the
 * catalog's order), so the merged files list scenarios as an unsharded run does.
 */
export async function mergeRuns(dirs: readonly string[], runDir: string, runId: string, order: (scenarioId: string) => number): Promise<MergedRun> {
  if (dirs.length === 0) fail('merge-reports needs at least one run folder');
  const shards: Shard[] = [];
  for (const dir of dirs) shards.push(await readShard(dir));
  const first = shards[0]!;
  for (const shard of shards.slice(1)) {
    for (const key of ['seed', 'mode', 'strict', 'timeScale'] as const) {
      if (shard.index.run[key] !== first.index.run[key]) fail(`the shards are not one run: ${first.dir} has ${key} ${String(first.index.run[key])}, ${shard.dir} has ${String(shard.index.run[key])} (run every shard with the same --seed and options)`);
    }
  }
  const seen = new Map<string, string>();
  const reports: ScenarioReport[] = [];
  for (const shard of shards) {
    for (const report of shard.reports) {
      const key = `${report.sut.id}\u0000${report.scenario}`;
      const other = seen.get(key);
      if (other !== undefined) fail(`${report.scenario} [${report.sut.id}] is in two shards (${other} and ${shard.dir}): give each shard once, with distinct --shard i/n`);
      seen.set(key, shard.dir);
      reports.push(report);
    }
  }
  const suts = [...new Set(reports.map((r) => r.sut.id))];
  reports.sort((a, b) => suts.indexOf(a.sut.id) - suts.indexOf(b.sut.id) || order(a.scenario) - order(b.scenario) || a.scenario.localeCompare(b.scenario));
  const folders = new SutFolders();
  const entries: ReportEntry[] = reports.map((report) => ({ report, files: { json: folders.fileOf(report.sut.id, report.scenario, 'json'), html: folders.fileOf(report.sut.id, report.scenario, 'html') } }));
  const starts = shards.map((s) => s.index.wall.startedAt).sort();
  const ends = shards.map((s) => s.index.wall.finishedAt).filter((t): t is string => t !== null).sort();
  const context: RunContext = {
    runId, seed: first.index.run.seed, mode: first.index.run.mode as RunContext['mode'], strict: first.index.run.strict, timeScale: first.index.run.timeScale,
    formats: new Set(ALL_FORMATS), wall: { startedAt: starts[0]!, finishedAt: ends.at(-1) ?? null },
  };
  await makeDirectory(runDir);
  for (const reporter of Object.values(REPORTERS_MAP)) {
    const files = [...entries.flatMap((e) => reporter.onScenario?.(e, context) ?? []), ...reporter.onRunEnd(entries, context)];
    for (const file of files) await writeFileAtomic(join(runDir, ...file.path.split('/')), file.content);
  }
  return { runDir, entries, context };
}
