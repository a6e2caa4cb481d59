/**
 * Reads scenario files, validates them all before anything runs, and expands variants.
 * Every problem is collected (not just the first), each with file, field and problem.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { ScenarioError, type ScenarioProblem } from '../errors.ts';
import { explainIssue } from './explain-issues.ts';
import { firstJsonErrorOffset } from './json-position.ts';
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
    return { scenarios: [], problems: [{ code: 'SCENARIO_NOT_JSON', file: shown, path: '', problem: `not valid JSON: ${jsonErrorText(text, error as Error)}` }] };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { scenarios: [], problems: [{ code: 'SCENARIO_INVALID', file: shown, path: '', problem: 'a scenario file holds one JSON object' }] };
  }
  const { variants: rawVariants, ...baseRaw } = raw as Record<string, unknown>;
  const baseId = typeof baseRaw.id === 'string' ? baseRaw.id : null;
  const problems: ScenarioProblem[] = [];
  const idProblems: ScenarioProblem[] = [];
  const scenarios: LoadedScenario[] = [];

  // Variant ids: they are checked even when a field elsewhere is wrong, so one run names every mistake.
  const usable: Array<{ variant: Record<string, unknown>; at: string }> = [];
  const idsSeen = new Map<string, string>(baseId === null ? [] : [[baseId, 'id']]);
  (Array.isArray(rawVariants) ? rawVariants : []).forEach((variant, i) => {
    const at = `variants[${i}]`;
    if (variant === null || typeof variant !== 'object' || Array.isArray(variant)) return;
    const id = (variant as Record<string, unknown>).id;
    if (typeof id !== 'string' || baseId === null) return;
    if (!id.startsWith(`${baseId}.`)) {
      idProblems.push({ code: 'SCENARIO_BAD_VARIANT_ID', file: shown, path: `${at}.id`, problem: `variant id "${id}" must start with "${baseId}." (the base id, then a dot)` });
      return;
    }
    const earlier = idsSeen.get(id);
    if (earlier !== undefined) {
      idProblems.push({ code: 'SCENARIO_DUPLICATE_ID', file: shown, path: `${at}.id`, problem: `id "${id}" is already used by ${earlier} in this file` });
      return;
    }
    idsSeen.set(id, `${at}.id`);
    usable.push({ variant: variant as Record<string, unknown>, at });
  });

  const fileCheck = ScenarioFile.safeParse(raw);
  if (!fileCheck.success) {
    return { scenarios: [], problems: [...issuesToProblems(shown, ScenarioFile, raw, fileCheck.error.issues), ...idProblems] };
  }
  const base = Scenario.safeParse(stripSchema(baseRaw));
  if (!base.success) problems.push(...issuesToProblems(shown, Scenario, stripSchema(baseRaw), base.error.issues));
  else scenarios.push({ scenario: base.data, file });
  for (const { variant, at } of usable) {
    const merged = { ...deepMerge(stripSchema(baseRaw), variant), base: baseId };
    const parsed = Scenario.safeParse(merged);
    if (!parsed.success) problems.push(...issuesToProblems(shown, Scenario, merged, parsed.error.issues, at));
    else scenarios.push({ scenario: parsed.data, file });
  }
  return { scenarios, problems: [...problems, ...idProblems] };
}

/**
 * Validates files without throwing: every problem of every file, and ids defined twice across
 * them (what `resume-harness validate` reports).
 */
export function validateFiles(files: readonly string[]): { scenarios: LoadedScenario[]; problems: ScenarioProblem[] } {
  const all: LoadedScenario[] = [];
  const problems: ScenarioProblem[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const result = loadFile(file);
    problems.push(...result.problems);
    for (const loaded of result.scenarios) {
      const previous = seen.get(loaded.scenario.id);
      if (previous !== undefined) {
        problems.push({ code: 'SCENARIO_DUPLICATE_ID', file: displayPath(file), path: idPathOf(file, loaded.scenario.id), problem: `id "${loaded.scenario.id}" is already defined in ${displayPath(previous)}` });
        continue;
      }
      seen.set(loaded.scenario.id, file);
      all.push(loaded);
    }
  }
  return { scenarios: all, problems };
}

/** Loads every file; throws one ScenarioError listing every problem, including duplicate ids. */
export function loadFiles(files: readonly string[]): LoadedScenario[] {
  const { scenarios, problems } = validateFiles(files);
  if (problems.length > 0) throw new ScenarioError(problems);
  return scenarios;
}

/** Where an id sits in its file: `id` for the base, `variants[i].id` for a variant. */
function idPathOf(file: string, id: string): string {
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as { id?: unknown; variants?: Array<{ id?: unknown }> };
    const i = raw.variants?.findIndex((v) => v.id === id) ?? -1;
    return i >= 0 ? `variants[${i}].id` : 'id';
  } catch {
    return 'id';
  }
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

/** JSON.parse's message with the position turned into a line and column a person can find. */
export function jsonErrorText(text: string, error: Error): string {
  const match = / in JSON at position (\d+)(?: \(line \d+ column \d+\))?/.exec(error.message);
  // V8 gives no position for some messages ("Unexpected token 'N', "…" is not valid JSON"): find it.
  const position = match ? Number(match[1]) : firstJsonErrorOffset(text);
  if (position < 0) return error.message;
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  // V8's own snippet of the text may hold line breaks: the place is said by line and column instead.
  const token = /^(Unexpected token .+?), [\s\S]* is not valid JSON$/.exec(error.message);
  const message = match ? error.message.replace(match[0], '') : (token?.[1] ?? error.message);
  return `${message} at line ${line}, column ${column}`;
}

function stripSchema(raw: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = raw;
  return rest;
}

function issuesToProblems(file: string, schema: z.ZodType, root: unknown, issues: readonly z.core.$ZodIssue[], prefix = ''): ScenarioProblem[] {
  const seen = new Set<string>();
  const out: ScenarioProblem[] = [];
  for (const issue of issues) {
    for (const explained of explainIssue(issue, schema as never, root)) {
      const path = pathToString(explained.path);
      const full = prefix && path ? `${prefix}.${path}` : prefix || path;
      const key = `${full}\u0000${explained.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ code: 'SCENARIO_INVALID', file, path: full, problem: explained.message });
    }
  }
  return out;
}

/** A zod path as people write it: `variants[1].server.expiry.closeCode`. */
export function pathToString(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
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
