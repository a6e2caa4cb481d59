/**
 * Turns `run`'s positional arguments into scenarios: ids and globs pick from the catalog,
 * paths load user files. Every file is validated before anything runs.
 */
import { resolve } from 'node:path';
import { catalogFiles, isScenarioFilePath, loadFiles, selectScenarios, type LoadedScenario } from '../scenario/loader.ts';
import { UsageError } from '../errors.ts';

export function loadSelection(selectors: readonly string[], cwd: string): LoadedScenario[] {
  const paths = selectors.filter(isScenarioFilePath).map((p) => resolve(cwd, p));
  const ids = selectors.filter((s) => !isScenarioFilePath(s));
  const catalog = loadFiles(catalogFiles());
  const user = paths.length > 0 ? loadFiles(paths) : [];
  if (paths.length > 0 && ids.length === 0) return user;
  const { selected, unknown } = selectScenarios(ids, catalog);
  if (unknown.length > 0) throw new UsageError(`no scenario matches ${unknown.map((u) => `"${u}"`).join(', ')} (see: resume-harness list)`);
  const taken = new Set(user.map((u) => u.scenario.id));
  return [...user, ...selected.filter((s) => !taken.has(s.scenario.id))];
}
