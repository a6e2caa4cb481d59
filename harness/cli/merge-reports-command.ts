/**
 * `resume-harness merge-reports DIR… --out OUT`: the folders of `run --shard i/n` (or of
 * `matrix --shard i/n --report-dir …`) joined into one run folder (or one matrix), with the
 * exit code the unsharded run would have had.
 */
import { existsSync } from 'node:fs';
import { appendFile, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { UsageError, UserInputError } from '../errors.ts';
import type { DetectionMatrix } from '../matrix/detection-matrix.ts';
import { renderMatrixMarkdown, renderMatrixText } from '../matrix/detection-matrix.ts';
import { mergeMatrices } from '../matrix/merge-matrices.ts';
import { makeDirectory } from '../report/atomic-file.ts';
import { mergeRuns } from '../report/merge-runs.ts';
import { summaryMarkdown } from '../report/reporters/markdown-reporter.ts';
import { oneSentenceReason } from '../report/render/verdicts.ts';
import { shownPath } from '../report/terminal/terminal-reporter.ts';
import { loadCatalog } from '../scenario/loader.ts';
import type { CliIo } from './cli-io.ts';
import { defineCommand, examples, invokeCommand, once, type ReportCode } from './command-kit.ts';
import { exitCodeForResults } from './exit-codes.ts';
import { matrixExitCode, writeMatrixFiles } from './matrix-command.ts';
import { baselinedText, judgedReport, loadBaseline } from './baseline.ts';

interface MergeOptions {
  readonly out?: string;
  readonly baseline?: string;
}

export function mergeReportsCommandDefinition(io: CliIo, report: ReportCode) {
  return defineCommand('merge-reports', io)
    .summary('join the folders of run --shard (or matrix --shard) into one run folder (or matrix)')
    .description('Joins the run folders written by run --shard i/n into one: every scenario report, index.json, junit.xml, summary.md (also appended to $GITHUB_STEP_SUMMARY) and index.html; or the --report-dir folders of matrix --shard i/n into one matrix. Exits as the unsharded run would: 0, 1, or 3; 2 when the folders are not shards of one run.')
    .argument('<dirs...>', 'the shards\' run folders (each with index.json) or matrix folders (each with matrix.json)')
    .option('--out <dir>', 'the merged folder (required)', once('out'))
    .option('--baseline <file>', 'accepted failures, as for run: a failure they cover is shown as baselined and does not set the exit code; an expired entry is an error', once('baseline'))
    .addHelpText('after', examples(
      'resume-harness merge-reports shard-1 shard-2 --out reports/merged   # after: run --seed 7 --shard 1/2 --out shard-1, and 2/2',
      'resume-harness merge-reports matrix-1 matrix-2 matrix-3 --out reports/matrix',
    ))
    .action(async (dirs: string[], options: MergeOptions) => report(await mergeReports(dirs, options, io)));
}

export function mergeReportsCommand(args: readonly string[], io: CliIo): Promise<number> {
  return invokeCommand(mergeReportsCommandDefinition, args, io);
}

/** Catalog order: merged files list scenarios as an unsharded run does. */
function catalogOrder(): (id: string) => number {
  const ids = new Map(loadCatalog().map((l, i) => [l.scenario.id, i]));
  return (id) => ids.get(id) ?? ids.size;
}

async function mergeReports(dirs: readonly string[], options: MergeOptions, io: CliIo): Promise<number> {
  if (options.out === undefined) throw new UsageError('merge-reports needs --out DIR, the merged folder');
  const out = resolve(io.cwd, options.out);
  const baseline = options.baseline === undefined ? undefined : loadBaseline(options.baseline, io.cwd);
  const folders = dirs.map((d) => resolve(io.cwd, d));
  const matrices = folders.filter((d) => existsSync(join(d, 'matrix.json')));
  if (matrices.length > 0 && matrices.length < folders.length) throw new UserInputError('REPORT_MERGE_INVALID', 'merge-reports takes run folders or matrix folders, not both');
  try {
    await makeDirectory(out);
  } catch (error) {
    throw new UserInputError('REPORT_DIR_UNWRITABLE', `cannot write to ${out} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): give --out a folder you can write to`);
  }
  if (matrices.length > 0) {
    const parts = [];
    for (const dir of matrices) parts.push({ dir, matrix: JSON.parse(await readFile(join(dir, 'matrix.json'), 'utf8')) as DetectionMatrix });
    const matrix = mergeMatrices(parts, catalogOrder());
    await writeMatrixFiles(out, matrix);
    io.stdout.write(renderMatrixText(matrix));
    io.stderr.write(`resume-harness merge-reports: ${parts.length} matrix shards → ${shownPath(out, io.cwd)}\n`);
    const summaryFile = process.env.GITHUB_STEP_SUMMARY;
    if (summaryFile) await appendFile(summaryFile, renderMatrixMarkdown(matrix), 'utf8');
    return matrixExitCode(matrix);
  }
  const merged = await mergeRuns(folders, out, basename(out), catalogOrder());
  const summaryFile = process.env.GITHUB_STEP_SUMMARY;
  if (summaryFile) await appendFile(summaryFile, summaryMarkdown(merged.entries, merged.context), 'utf8');
  const reports = merged.entries.map((e) => e.report);
  const accepted = new Map(merged.entries.map((e) => [e, e.report.verdict.passed ? null : baseline?.covering(judgedReport(e.report), merged.context.strict) ?? null]));
  const failed = merged.entries.filter((e) => !e.report.verdict.passed && e.report.verdict.overall !== 'UNKNOWN' && !accepted.get(e));
  const unjudged = merged.entries.filter((e) => e.report.verdict.overall === 'UNKNOWN');
  const baselined = merged.entries.filter((e) => accepted.get(e));
  for (const e of [...failed, ...unjudged, ...baselined]) {
    const covered = accepted.get(e);
    io.stdout.write(`${e.report.verdict.overall.padEnd(13)}  ${e.report.scenario}${e.report.sut.id === 'builtin' ? '' : ` [${e.report.sut.id}]`}: ${oneSentenceReason(e.report)}${covered ? ` (baselined: ${baselinedText(covered)})` : ''}\n      ${shownPath(join(out, ...(e.files.html ?? e.files.json ?? '').split('/')), io.cwd)}\n`);
  }
  const counts = new Map<string, number>();
  for (const r of reports) counts.set(r.verdict.overall, (counts.get(r.verdict.overall) ?? 0) + 1);
  io.stdout.write(`merged ${folders.length} shard${folders.length === 1 ? '' : 's'}: ${reports.length} scenarios: ${[...counts].map(([v, n]) => `${n} ${v}`).join(' · ')}${baselined.length > 0 ? ` (${baselined.length} baselined)` : ''} · seed ${merged.context.seed} · reports: ${shownPath(out, io.cwd)}\n`);
  return exitCodeForResults(failed.length, unjudged.length);
}
