/**
 * Reads scenario files, validates them all before anything runs, and expands variants.
 * Every problem is collected (not just the first), each with file, field and problem.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { ScenarioError, pathToString, type ScenarioProblem } from './errors.ts';
import { Scenario, ScenarioFile } from './schema.ts';

export const CATALOG_DIR = resolve(fileURLToPath(new URL('../../scenarios/', import.meta.url)));
export const SCENARIO_SUFFIX = '.scenario.json';

export interface LoadedScenario {
  readonly scenario: Scenario;
  readonly file: string;
}

export function catalogFiles(dir: string = CATALOG_DIR): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith(SCENARIO_SUFFIX)) out.push(full);
    }
  };
  walk(dir);
  return out;
}

export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}

/** Validates and expands one file; returns its scenarios or its problems. */
export function loadFile(file: string): { scenarios: LoadedScenario[]; problems: ScenarioProblem[] } {
  const shown = displayPath(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { scenarios: [], problems: [{ code: 'SCENARIO_NOT_FOUND', file: shown, path: '', problem: (error as Error).message }] };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { scenarios: [], problems: [{ code: 'SCENARIO_NOT_JSON', file: shown, path: '', problem: `not valid JSON: ${(error as Error).message}` }] };
  }
  const fileCheck = ScenarioFile.safeParse(raw);
  if (!fileCheck.success) return { scenarios: [], problems: issuesToProblems(shown, '', fileCheck.error.issues) };

  const { variants = [], ...baseRaw } = raw as Record<string, unknown> & { variants?: Array<Record<string, unknown>> };
  const baseId = String(baseRaw.id);
  const scenarios: LoadedScenario[] = [];
  const problems: ScenarioProblem[] = [];
  const base = Scenario.safeParse(stripSchema(baseRaw));
  if (!base.success) problems.push(...issuesToProblems(shown, '', base.error.issues));
  else scenarios.push({ scenario: base.data, file });
  variants.forEach((variant, i) => {
    const at = `variants[${i}]`;
    const id = String(variant.id);
    if (!id.startsWith(`${baseId}.`)) {
      problems.push({ code: 'SCENARIO_BAD_VARIANT_ID', file: shown, path: `${at}.id`, problem: `variant id "${id}" must start with "${baseId}."` });
      return;
    }
    const merged = deepMerge(stripSchema(baseRaw), variant);
    const parsed = Scenario.safeParse({ ...merged, base: baseId });
    if (!parsed.success) problems.push(...issuesToProblems(shown, at, parsed.error.issues));
    else scenarios.push({ scenario: parsed.data, file });
  });
  return { scenarios, problems };
}

/** Loads every file; throws one ScenarioError listing every problem, including duplicate ids. */
export function loadFiles(files: readonly string[]): LoadedScenario[] {
  const all: LoadedScenario[] = [];
  const problems: ScenarioProblem[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const result = loadFile(file);
    problems.push(...result.problems);
    for (const loaded of result.scenarios) {
      const previous = seen.get(loaded.scenario.id);
      if (previous !== undefined) {
        problems.push({ code: 'SCENARIO_DUPLICATE_ID', file: displayPath(file), path: 'id', problem: `id "${loaded.scenario.id}" is already defined in ${displayPath(previous)}` });
        continue;
      }
      seen.set(loaded.scenario.id, file);
      all.push(loaded);
    }
  }
  if (problems.length > 0) throw new ScenarioError(problems);
  return all;
}

export function loadCatalog(dir: string = CATALOG_DIR): LoadedScenario[] {
  return loadFiles(catalogFiles(dir));
}

/**
 * Picks scenarios by id, glob (`goaway*`, `*.close-*`) or file path. A bare base id
 * selects its variants too. Unknown selectors are an error, not an empty run.
 */
export function selectScenarios(selectors: readonly string[], catalog: readonly LoadedScenario[]): { selected: LoadedScenario[]; unknown: string[] } {
  if (selectors.length === 0) return { selected: [...catalog], unknown: [] };
  const picked = new Set<LoadedScenario>();
  const unknown: string[] = [];
  for (const selector of selectors) {
    const re = globToRegExp(selector);
    const matches = catalog.filter((l) => re.test(l.scenario.id) || l.scenario.base === selector);
    if (matches.length === 0) unknown.push(selector);
    for (const m of matches) picked.add(m);
  }
  return { selected: catalog.filter((l) => picked.has(l)), unknown };
}

export function isScenarioFilePath(arg: string): boolean {
  return arg.endsWith('.json') || arg.includes('/');
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

function stripSchema(raw: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = raw;
  return rest;
}

function issuesToProblems(file: string, prefix: string, issues: readonly z.core.$ZodIssue[]): ScenarioProblem[] {
  return issues.map((issue) => {
    const path = pathToString(issue.path);
    return { code: 'SCENARIO_INVALID' as const, file, path: prefix && path ? `${prefix}.${path}` : prefix || path, problem: describeIssue(issue) };
  });
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_union') return `${issue.message}: expected one of the documented forms`;
  return issue.message;
}

/** Objects merge key by key; arrays and scalars in the override replace the base. */
export function deepMerge(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const prior = out[key];
    out[key] = isPlainObject(prior) && isPlainObject(value) ? deepMerge(prior, value) : value;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const scenarioFileName = (id: string): string => `${id}${SCENARIO_SUFFIX}`;
export { basename };
