/**
 * Turns the positional arguments of `run`, `matrix` and `list` into scenarios: ids and globs
 * pick from the catalog, `!glob` and `--exclude` take away, paths load user files, and
 * `--group` / `--severity` narrow what is left. Every file is validated before anything runs;
 * a selector or a filter value that matches nothing is refused with the nearest names.
 */
import { resolve } from 'node:path';
import { catalogFiles, isScenarioFilePath, loadFiles, selectScenarios, type LoadedScenario } from '../scenario/loader.ts';
import { SCENARIO_GROUPS, SEVERITIES } from '../scenario/schema.ts';
import { UsageError } from '../errors.ts';
import { didYouMean } from './did-you-mean.ts';

export interface SelectionFilters {
  /** Globs (or ids, or base ids) to leave out: `--exclude`, plus every `!glob` positional. */
  readonly exclude?: readonly string[];
  /** Keep only these catalog groups (`--group`). */
  readonly groups?: readonly string[];
  /** Keep only these severities (`--severity`). */
  readonly severities?: readonly string[];
}

export function loadSelection(selectors: readonly string[], cwd: string, filters: SelectionFilters = {}): LoadedScenario[] {
  const negated = selectors.filter((s) => s.startsWith('!')).map((s) => s.slice(1));
  const positive = selectors.filter((s) => !s.startsWith('!'));
  const paths = positive.filter(isScenarioFilePath).map((p) => resolve(cwd, p));
  const ids = positive.filter((s) => !isScenarioFilePath(s));
  const catalog = loadFiles(catalogFiles());
  const user = paths.length > 0 ? loadFiles(paths) : [];
  let chosen: LoadedScenario[];
  if (paths.length > 0 && ids.length === 0) chosen = user;
  else {
    const { selected, unknown } = selectScenarios(ids, catalog);
    if (unknown.length > 0) throw new UsageError(unknownSelectors(unknown, catalog, 'no scenario matches'));
    const taken = new Set(user.map((u) => u.scenario.id));
    chosen = [...user, ...selected.filter((s) => !taken.has(s.scenario.id))];
  }
  const known = [...catalog, ...user];
  const exclude = [...(filters.exclude ?? []), ...negated];
  if (exclude.length > 0) {
    const { selected: excluded, unknown } = selectScenarios(exclude, known);
    // An exclusion that matches no scenario at all is a typo, not a no-op to pass over.
    if (unknown.length > 0) throw new UsageError(unknownSelectors(unknown, known, '--exclude / !glob matches no scenario:'));
    const out = new Set(excluded);
    chosen = chosen.filter((l) => !out.has(l));
  }
  const groups = checked(filters.groups, SCENARIO_GROUPS, 'group');
  if (groups) chosen = chosen.filter((l) => groups.has(l.scenario.group));
  const severities = checked(filters.severities, SEVERITIES, 'severity');
  if (severities) chosen = chosen.filter((l) => severities.has(l.scenario.severity));
  if (chosen.length === 0) throw new UsageError('no scenario left after the filters (see: resume-harness list, which takes the same arguments)');
  return chosen;
}

function unknownSelectors(unknown: readonly string[], known: readonly LoadedScenario[], lead: string): string {
  const ids = known.flatMap((l) => [l.scenario.id, ...(l.scenario.base ? [l.scenario.base] : [])]);
  return `${lead} ${unknown.map((u) => `"${u}"${didYouMean(u, ids)}`).join(', ')} (see: resume-harness list)`;
}

function checked(values: readonly string[] | undefined, allowed: readonly string[], name: string): ReadonlySet<string> | undefined {
  if (!values || values.length === 0) return undefined;
  for (const v of values) {
    if (!allowed.includes(v)) throw new UsageError(`--${name} "${v}" is not one of ${allowed.join(', ')}${didYouMean(v, allowed)}`);
  }
  return new Set(values);
}
