/**
 * Scenario files and captures fuzzed the way the mock server is (issue 13 §1): catalog files
 * mutated by fast-check (bytes cut or inserted, a field set to any JSON, a key removed or added)
 * go through `resume-harness validate`, which must exit 0 or 2 and, for 2, name the file and the
 * place of each problem; a client's result file (the capture a command client leaves,
 * sut-contract §4) mutated the same way goes through judgeResultFile, which must return a
 * report with a reason, never throw.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { main } from '../../../harness/cli/main.ts';
import { catalogFiles, displayPath, validateFiles } from '../../../harness/scenario/loader.ts';
import { judgeResultFile } from '../../../harness/sut/cmd-sut.ts';

export type Mutation =
  | { readonly kind: 'cut'; readonly at: number; readonly length: number }
  | { readonly kind: 'insert'; readonly at: number; readonly text: string }
  | { readonly kind: 'set'; readonly pick: number; readonly value: unknown }
  | { readonly kind: 'delete'; readonly pick: number }
  | { readonly kind: 'add'; readonly pick: number; readonly key: string; readonly value: unknown };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.string({ unit: 'grapheme', maxLength: 8 }), fc.constantFrom(',', '}', '"', ']', '\u0000', 'NaN', '\\')) }),
  fc.record({ kind: fc.constant('set' as const), pick: fc.nat(), value: fc.jsonValue({ maxDepth: 2 }) }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('add' as const), pick: fc.nat(), key: fc.string({ minLength: 1, maxLength: 10 }), value: fc.jsonValue({ maxDepth: 1 }) }),
);

/** Every path in a JSON value that holds something, objects' and arrays' members included. */
function paths(value: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [at];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...at, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...at, k]));
  return out;
}

/** The mutated text, and the path a structural mutation touched (none for a byte-level one). */
export function mutate(text: string, m: Mutation): { text: string; path: Array<string | number> | null } {
  if (m.kind === 'cut') {
    const at = m.at % Math.max(1, text.length);
    return { text: text.slice(0, at) + text.slice(at + m.length), path: null };
  }
  if (m.kind === 'insert') {
    const at = m.at % (text.length + 1);
    return { text: text.slice(0, at) + m.text + text.slice(at), path: null };
  }
  const root = JSON.parse(text) as unknown;
  const all = paths(root).filter((p) => p.length > 0);
  const containers = paths(root).filter((p) => { const v = valueAt(root, p); return v !== null && typeof v === 'object' && !Array.isArray(v); });
  if (m.kind === 'add') {
    const path = containers[m.pick % containers.length]!;
    (valueAt(root, path) as Record<string, unknown>)[m.key] = m.value;
    return { text: JSON.stringify(root, null, 2), path: [...path, m.key] };
  }
  const path = all[m.pick % all.length]!;
  const parent = valueAt(root, path.slice(0, -1)) as Record<string | number, unknown>;
  const key = path.at(-1)!;
  if (m.kind === 'set') parent[key] = m.value;
  else if (Array.isArray(parent)) parent.splice(key as number, 1);
  else delete parent[key];
  return { text: JSON.stringify(root, null, 2), path };
}

function valueAt(root: unknown, path: ReadonlyArray<string | number>): unknown {
  let v = root;
  for (const k of path) v = (v as Record<string | number, unknown>)[k];
  return v;
}

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

export interface FileFuzzFigures {
  readonly inputs: number;
  readonly scenarioFiles: number;
  readonly captures: number;
  /** Inputs refused with a precise error (exit 2 / an invalid report with a reason). */
  readonly refused: number;
  readonly accepted: number;
  /** Anything thrown, or an exit code other than 0 and 2. */
  readonly crashes: string[];
  /** Refusals that do not name the file, or the place of a structural mutation, or the line of a byte-level one. */
  readonly imprecise: string[];
}

const VALID_RESULT = JSON.stringify({ status: 'completed', conversationId: 'conv_1', turns: 12, reconnects: 2, contextLost: false }, null, 2);

export async function fuzzScenarioFiles(options: { count: number; seed: number }): Promise<FileFuzzFigures> {
  const sources = catalogFiles().map((file) => readFileSync(file, 'utf8'));
  const dir = mkdtempSync(join(tmpdir(), 'resume-harness-file-fuzz-'));
  const file = join(dir, 'fuzzed.scenario.json');
  const figures = { inputs: 0, scenarioFiles: 0, captures: 0, refused: 0, accepted: 0, crashes: [] as string[], imprecise: [] as string[] };
  const cases = fc.sample(fc.tuple(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.boolean()), { seed: options.seed, numRuns: options.count });
  try {
    for (const [pick, mutations, capture] of cases) {
      figures.inputs += 1;
      let text = capture ? VALID_RESULT : sources[pick % sources.length]!;
      let path: Array<string | number> | null = null;
      for (const m of mutations) {
        try {
          const next = mutate(text, m);
          text = next.text;
          path = next.path ?? path;
        } catch {
          // The text is no longer JSON: structural mutations stop applying, byte-level ones go on.
        }
      }
      // A byte-level mutation after a structural one may have broken the JSON: then only the line can be named.
      try { JSON.parse(text); } catch { path = null; }
      const shownPath = path === null ? null : path.map((k) => (typeof k === 'number' ? `[${k}]` : k));
      if (capture) {
        figures.captures += 1;
        try {
          const report = judgeResultFile({ state: 'text', text }, 0, null);
          if (report.state === 'reported') figures.accepted += 1;
          else if (report.state === 'invalid' && report.reason.length > 0) figures.refused += 1;
          else figures.imprecise.push(`capture: ${report.state} without a reason`);
        } catch (error) {
          figures.crashes.push(`capture ${JSON.stringify(text.slice(0, 80))}: ${(error as Error).stack ?? String(error)}`);
        }
        continue;
      }
      figures.scenarioFiles += 1;
      writeFileSync(file, text);
      const stdout = new Collect();
      const stderr = new Collect();
      let code: number;
      try {
        code = await main(['validate', file], { stdout: stdout as unknown as NodeJS.WriteStream, stderr: stderr as unknown as NodeJS.WriteStream, cwd: dir });
      } catch (error) {
        figures.crashes.push(`scenario file ${JSON.stringify(text.slice(0, 80))}: ${(error as Error).stack ?? String(error)}`);
        continue;
      }
      if (code === 0) {
        figures.accepted += 1;
        continue;
      }
      if (code !== 2) {
        figures.crashes.push(`validate exited ${code}: ${stderr.text.slice(0, 200)}`);
        continue;
      }
      figures.refused += 1;
      // Each problem names the file and a place: the field, or the line and column of broken JSON.
      const { problems } = validateFiles([file]);
      const named = problems.length > 0 && problems.every((p) => p.file === displayPath(file));
      const placed = problems.every((p) => (p.code === 'SCENARIO_NOT_JSON' ? /at line \d+, column \d+$/.test(p.problem) && !p.problem.includes('\n') : p.path.length > 0 || p.problem === 'a scenario file holds one JSON object'));
      const shownProblems = problems.map((p) => `${p.path || '(no place)'}: ${p.problem} [${p.code}]`).join(' | ');
      if (!named || !placed) figures.imprecise.push(`${shownPath ? `after a mutation at ${shownPath.join('.')}` : 'after byte mutations'}: ${shownProblems.slice(0, 300)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
