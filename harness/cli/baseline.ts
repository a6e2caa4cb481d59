/**
 * `--baseline FILE`: failures a team has accepted for now, so CI can gate on "no new
 * failures". Each entry names a scenario, the axis that fails, why it is accepted, and when
 * the acceptance runs out:
 *
 *   { "accepted": [
 *       { "id": "goaway.close-1006", "axis": "reconnect", "reason": "ticket VOICE-88: we retry on 1006 from v2.4", "expires": "2027-03-31" },
 *       { "id": "handle-relay", "axis": "server:handle-relay", "reason": "…", "expires": "2027-01-15" } ] }
 *
 * A failing scenario is baselined when every axis that fails it is listed for its id (a
 * server axis as `server:AXIS`); it is shown as such and does not fail the run. An entry past
 * its expiry date is an error (exit 2): the acceptance must be looked at again, not forgotten.
 * An UNKNOWN verdict is never baselined: the harness could not judge, there is nothing to accept.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { UserInputError } from '../errors.ts';
import { AXES, type Axis, type AxisVerdict, type Verdict } from '../judge/verdict.ts';
import { SERVER_AXES, type ServerAxis } from '../judge/server-section.ts';
import type { ScenarioRun } from '../run/run-scenario.ts';
import type { ScenarioReport } from '../report/scenario-report-schema.ts';
import { didYouMean } from './did-you-mean.ts';

export const BASELINE_AXES: readonly string[] = [...AXES, ...SERVER_AXES.map((a) => `server:${a}`)];

const Entry = z.strictObject({
  id: z.string().min(1),
  axis: z.string().min(1),
  reason: z.string().min(1),
  expires: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD'),
});
const BaselineFile = z.strictObject({ $schema: z.string().optional(), accepted: z.array(Entry) });
export type BaselineEntry = z.infer<typeof Entry>;

/** What a baseline is matched against: a run just judged, or a scenario report read back (merge-reports). */
export interface Judged {
  readonly id: string;
  readonly overall: Verdict;
  readonly axes: Readonly<Record<Axis, AxisVerdict>>;
  readonly serverAxes?: Readonly<Record<ServerAxis, AxisVerdict>>;
}

export const judgedRun = (run: ScenarioRun): Judged => ({ id: run.scenario.id, overall: run.judgement.overall, axes: run.judgement.axes, ...(run.server ? { serverAxes: run.server.judgement.axes } : {}) });
export const judgedReport = (report: ScenarioReport): Judged => ({ id: report.scenario, overall: report.verdict.overall, axes: report.verdict.axes, ...(report.server ? { serverAxes: report.server.axes } : {}) });

export interface Baseline {
  readonly file: string;
  readonly entries: readonly BaselineEntry[];
  /** The entries that cover every failing axis of this run, or null when it is not (wholly) accepted. */
  covering(run: Judged, strict: boolean): BaselineEntry[] | null;
}

/** The reasons of the covering entries, as the terminal shows them. */
export const baselinedText = (entries: readonly BaselineEntry[]): string => entries.map((e) => `${e.axis}: ${e.reason} (until ${e.expires})`).join('; ');

/** Reads and checks a baseline file; `today` as YYYY-MM-DD (UTC), an entry expiring today still holds. */
export function loadBaseline(path: string, cwd: string, today: string = new Date().toISOString().slice(0, 10)): Baseline {
  const file = resolve(cwd, path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserInputError('CLI_BASELINE_INVALID', `cannot read the baseline ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): give --baseline an existing JSON file`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UserInputError('CLI_BASELINE_INVALID', `${path}: not JSON (${(error as Error).message})`);
  }
  const parsed = BaselineFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserInputError('CLI_BASELINE_INVALID', `${path}: ${issue.path.join('.') || 'the file'}: ${issue.message} (expected { "accepted": [ { "id", "axis", "reason", "expires": "YYYY-MM-DD" } ] })`);
  }
  const entries = parsed.data.accepted;
  entries.forEach((entry, i) => {
    if (!BASELINE_AXES.includes(entry.axis)) throw new UserInputError('CLI_BASELINE_INVALID', `${path}: accepted.${i}.axis: "${entry.axis}" is not an axis${didYouMean(entry.axis, BASELINE_AXES)}; axes: ${BASELINE_AXES.join(', ')}`);
    if (Number.isNaN(Date.parse(entry.expires))) throw new UserInputError('CLI_BASELINE_INVALID', `${path}: accepted.${i}.expires: "${entry.expires}" is not a date`);
  });
  const expired = entries.filter((e) => e.expires < today);
  if (expired.length > 0) {
    const e = expired[0]!;
    throw new UserInputError('CLI_BASELINE_EXPIRED', `${path}: the acceptance of ${e.id} (${e.axis}) expired on ${e.expires}${expired.length > 1 ? ` (and ${expired.length - 1} more)` : ''}: fix the failure, or renew the entry with a new reason and date`);
  }
  return {
    file,
    entries,
    covering(run, strict) {
      if (run.overall === 'UNKNOWN') return null;
      const failing = failingAxes(run, strict);
      if (failing.length === 0) return null;
      const mine = entries.filter((e) => e.id === run.id);
      const used = failing.map((axis) => mine.find((e) => e.axis === axis));
      // In the file's order: as the team wrote them.
      return used.every((e) => e !== undefined) ? mine.filter((e) => used.includes(e)) : null;
    },
  };
}

/** The axes (client, then `server:` ones) that fail the run: FAILED, or NON-STRICT under --strict. */
export function failingAxes(run: Judged, strict: boolean): string[] {
  const fails = (v: AxisVerdict): boolean => v.verdict === 'FAILED' || (strict && v.verdict === 'NON-STRICT') || v.verdict === 'UNKNOWN';
  const client = AXES.filter((a) => fails(run.axes[a]));
  const server = run.serverAxes ? SERVER_AXES.filter((a) => fails(run.serverAxes![a])).map((a) => `server:${a}`) : [];
  return [...client, ...server];
}
