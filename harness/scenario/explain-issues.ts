/**
 * Turns zod issues into problems a person can fix: the JSON path of the field at fault and a
 * sentence saying what is wrong with it. Unions are the hard part — zod says only "Invalid
 * input" — so for a union the branch the author evidently meant (the one that recognises the
 * most of the fields written) is explained instead, and when no branch stands out, the forms
 * the union accepts are listed.
 */
import type { z } from 'zod';

export interface Explained {
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
}

type Issue = z.core.$ZodIssue;
type Path = ReadonlyArray<PropertyKey>;
// zod's internal definition, read to find the schema of a field: only the parts used here.
interface Def {
  type: string;
  innerType?: Schema;
  in?: Schema;
  shape?: Record<string, Schema>;
  element?: Schema;
  items?: Schema[];
  valueType?: Schema;
  options?: Schema[];
  values?: unknown[];
}
interface Schema {
  _zod: { def: Def; optin?: 'optional' | 'defaulted' };
}

const WRAPPERS = new Set(['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch', 'nonoptional']);

function unwrap(schema: Schema | undefined): Schema | undefined {
  let s = schema;
  for (let i = 0; s && i < 20; i++) {
    const def = s._zod.def;
    if (WRAPPERS.has(def.type) && def.innerType) s = def.innerType;
    else if (def.type === 'pipe' && def.in) s = def.in;
    else break;
  }
  return s;
}

function child(schema: Schema | undefined, key: PropertyKey, value: unknown): Schema | undefined {
  const s = unwrap(schema);
  if (!s) return undefined;
  const def = s._zod.def;
  if (def.type === 'object' && def.shape) return def.shape[String(key)];
  if (def.type === 'array') return def.element;
  if (def.type === 'tuple' && typeof key === 'number') return def.items?.[key];
  if (def.type === 'record') return def.valueType;
  if (def.type === 'union' && def.options) return child(pickOption(def, value), key, value);
  return undefined;
}

/** The branch of a union a value is written for: by its discriminator, else the one that knows most of its fields. */
function pickOption(def: Def & { discriminator?: string }, value: unknown): Schema | undefined {
  const options = def.options ?? [];
  const fields = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  if (def.discriminator !== undefined) {
    const wanted = fields[def.discriminator];
    return options.find((o) => unwrap(unwrap(o)?._zod.def.shape?.[def.discriminator!])?._zod.def.values?.includes(wanted));
  }
  const keys = Object.keys(fields);
  let best: Schema | undefined;
  let bestCount = 0;
  for (const option of options) {
    const shape = unwrap(option)?._zod.def.shape;
    const count = shape ? keys.filter((k) => k in shape).length : 0;
    if (count > bestCount) {
      best = option;
      bestCount = count;
    }
  }
  return best;
}

function schemaAt(schema: Schema | undefined, path: Path, root: unknown): Schema | undefined {
  let s = schema;
  let v = root;
  for (const key of path) {
    s = child(s, key, v);
    v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key as string] : undefined;
  }
  return s;
}

function valueAt(value: unknown, path: Path): unknown {
  let v = value;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key as string];
  }
  return v;
}

/** A field a file may leave out: optional, or with a default. */
const isOptional = (schema: Schema | undefined): boolean => schema?._zod.optin !== undefined;

/** One accepted form of a union branch, for a reader: `{ turn, phase? }`, `"never"`, `an array`. */
function formOf(schema: Schema | undefined): string {
  const s = unwrap(schema);
  if (!s) return '…';
  const def = s._zod.def;
  if (def.type === 'object' && def.shape) {
    const entries = Object.entries(def.shape);
    // A single-key form (an action) names its kind; "?" would only confuse there.
    const keys = entries.map(([k, v]) => (entries.length > 1 && isOptional(v) ? `${k}?` : k));
    return `{ ${keys.join(', ')} }`;
  }
  if (def.type === 'literal' && def.values) return def.values.map((v) => JSON.stringify(v)).join(' | ');
  if (def.type === 'enum') return 'one of its names';
  if (def.type === 'array') return `a list of ${formOf(def.element)}`;
  if (def.type === 'union' && def.options) return def.options.map(formOf).join(' | ');
  return `a ${def.type}`;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return `${typeof value === 'string' ? 'the string' : `the ${typeof value}`} ${text.length > 40 ? `${text.slice(0, 39)}…` : text}`;
}

const article = (word: string): string => (/^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`);
const quoteAll = (values: readonly unknown[]): string => values.map((v) => JSON.stringify(v)).join(', ');

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

function suggestion(key: string, known: readonly string[]): string {
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const d = distance(key, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const limit = Math.max(1, Math.min(3, Math.floor(key.length / 3)));
  return best !== null && bestDistance <= limit ? ` (did you mean "${best}"?)` : '';
}

interface Score {
  readonly mismatch: boolean;
  readonly unknownFields: number;
  readonly issues: number;
}

/** How badly a union branch fits: a wrong kind of value, then fields it does not know, then anything else. */
function scoreOf(issues: readonly Issue[], schema: Schema | undefined, value: unknown): Score {
  let mismatch = false;
  let unknownFields = 0;
  let nested: Score | null = null;
  for (const issue of issues) {
    if (issue.path.length > 0) continue;
    if (issue.code === 'invalid_type' || issue.code === 'invalid_value') mismatch = true;
    if (issue.code === 'unrecognized_keys') unknownFields += issue.keys.length;
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const options = unwrap(schema)?._zod.def.options ?? [];
      nested = issue.errors.map((branch, i) => scoreOf(branch, options[i], value)).sort(compareScores)[0] ?? null;
    }
  }
  if (nested) return { mismatch: mismatch || nested.mismatch, unknownFields: unknownFields + nested.unknownFields, issues: issues.length - 1 + nested.issues };
  return { mismatch, unknownFields, issues: issues.length };
}

function compareScores(a: Score, b: Score): number {
  return Number(a.mismatch) - Number(b.mismatch) || a.unknownFields - b.unknownFields || a.issues - b.issues;
}

/**
 * Explains one issue. `schema` is the schema the issue's path is relative to, `root` the value
 * it was parsed from, `prefix` where that value sits in the file.
 */
export function explainIssue(issue: Issue, schema: Schema | undefined, root: unknown, prefix: Path = []): Explained[] {
  const path = [...prefix, ...issue.path] as Array<string | number>;
  const value = valueAt(root, issue.path);
  const last = path.at(-1);
  const fieldName = last === undefined ? '' : String(last);

  switch (issue.code) {
    case 'invalid_union': {
      const disc = (issue as { discriminator?: string; options?: unknown[] }).discriminator;
      if (disc !== undefined) {
        const allowed = quoteAll((issue as { options?: unknown[] }).options ?? []);
        return [{ path, message: value === undefined ? `missing required field "${disc}": one of ${allowed}` : `"${disc}" must be one of ${allowed}; got ${describeValue(value)}` }];
      }
      const union = unwrap(schemaAt(schema, issue.path, root));
      const options = union?._zod.def.options ?? [];
      const scored = issue.errors.map((branch, i) => ({ i, branch, score: scoreOf(branch, options[i], value) })).sort((a, b) => compareScores(a.score, b.score));
      const best = scored[0];
      const tied = best ? scored.filter((s) => compareScores(s.score, best.score) === 0).length : 0;
      const clear = best && !best.score.mismatch && (best.score.unknownFields === 0 || tied === 1);
      if (best && clear) {
        return best.branch.flatMap((inner) => explainIssue(inner, options[best.i], value, path));
      }
      const forms = options.map(formOf).join(' | ');
      const fields = value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
      const got = fields.length > 0 ? `got field${fields.length > 1 ? 's' : ''} ${quoteAll(fields)}` : `got ${describeValue(value)}`;
      const what = typeof last === 'number' ? `item ${fieldName}` : fieldName ? `"${fieldName}"` : 'the value';
      return [{ path, message: `${what} matches none of its forms (${got}); expected exactly one of: ${forms}` }];
    }
    case 'unrecognized_keys': {
      // zod reports the branch of a union that only failed on unknown fields directly, through the union.
      let target = unwrap(schemaAt(schema, issue.path, root));
      if (target?._zod.def.type === 'union') target = unwrap(pickOption(target._zod.def, value));
      const shape = target?._zod.def.shape;
      const known = shape ? Object.keys(shape) : [];
      return issue.keys.map((key) => ({ path: [...path, key], message: `unknown field "${key}"${suggestion(key, known)}${known.length > 0 && known.length <= 16 ? `; known fields: ${known.join(', ')}` : ''}` }));
    }
    case 'invalid_type':
      if (value === undefined) return [{ path, message: `missing required field "${fieldName}" (${article(issue.expected)})` }];
      return [{ path, message: `expected ${article(issue.expected)}, got ${describeValue(value)}` }];
    case 'invalid_value':
      if (value === undefined) return [{ path, message: `missing required field "${fieldName}": one of ${quoteAll(issue.values)}` }];
      return [{ path, message: issue.values.length === 1 ? `must be ${JSON.stringify(issue.values[0])}; got ${describeValue(value)}` : `must be one of ${quoteAll(issue.values)}; got ${describeValue(value)}` }];
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const bound = small ? (issue as { minimum: number | bigint }).minimum : (issue as { maximum: number | bigint }).maximum;
      const inclusive = (issue as { inclusive?: boolean }).inclusive !== false;
      const origin = (issue as { origin?: string }).origin;
      if (origin === 'array') return [{ path, message: small ? `needs at least ${bound} item${Number(bound) === 1 ? '' : 's'}` : `takes at most ${bound} item${Number(bound) === 1 ? '' : 's'}` }];
      if (origin === 'string') return [{ path, message: small && Number(bound) === 1 ? 'must not be empty' : `must be ${small ? 'at least' : 'at most'} ${bound} characters long` }];
      const op = small ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<';
      return [{ path, message: `must be ${op} ${bound}; got ${describeValue(value)}` }];
    }
    case 'invalid_format':
      return [{ path, message: `${issue.message}; got ${describeValue(value)}` }];
    default:
      return [{ path, message: issue.message }];
  }
}
