/**
 * Two runs with one seed give byte-identical reports once the `wall` key is dropped: the
 * property that makes a field failure reproducible from the seed printed at the end of a run.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../harness/scenario/loader.ts';
import { builtinSut } from '../../harness/sut/builtin-sut.ts';
import { brokenSut, runAndReport } from '../testing/report-fixtures.ts';

/**
 * Every pair, a client that gives up included: its post-mortem file is written synchronously,
 * so no real I/O is under way while the virtual clock runs on.
 */
const ids = ['goaway', 'flapping', 'delayed-close'];
const PAIRS = new Set(['builtin', 'broken'].flatMap((sut) => ids.map((id) => `${sut} ${id}`)));
const scenarios = loadCatalog().map((l) => l.scenario).filter((s) => ids.includes(s.id));
const only = (sut: { id: string }, scenario: { id: string }): boolean => PAIRS.has(`${sut.id} ${scenario.id}`);

/** Each per-scenario JSON of a run folder, re-serialised without `wall`, by relative path. */
function withoutWall(runDir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of readdirSync(runDir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.json') || entry.name === 'index.json') continue;
    const path = join(entry.parentPath, entry.name);
    const { wall, ...rest } = JSON.parse(readFileSync(path, 'utf8'));
    expect(Object.keys(wall).sort()).toEqual(['reportedAt', 'runId', 'wallMs']);
    out.set(path.slice(runDir.length), `${JSON.stringify(rest, null, 2)}\n`);
  }
  return out;
}

/** The first line where two texts differ, with its neighbours, or null: a readable failure. */
function firstDifference(a: string, b: string): string | null {
  const x = a.split('\n');
  const y = b.split('\n');
  const i = x.findIndex((line, k) => line !== y[k]);
  if (i < 0 && x.length === y.length) return null;
  const at = i < 0 ? Math.min(x.length, y.length) : i;
  return `line ${at + 1}:\n- ${x.slice(Math.max(0, at - 2), at + 2).join('\n- ')}\n+ ${y.slice(Math.max(0, at - 2), at + 2).join('\n+ ')}`;
}

describe('determinism', () => {
  it('gives identical per-scenario JSON apart from `wall` for the same seed, and different JSON for another', async () => {
    const root = mkdtempSync(join(tmpdir(), 'determinism-'));
    const first = await runAndReport(scenarios, [builtinSut(), brokenSut()], { seed: 1234, reportsRoot: root, runId: 'first', only });
    const second = await runAndReport(scenarios, [builtinSut(), brokenSut()], { seed: 1234, reportsRoot: root, runId: 'second', only });
    const a = withoutWall(first.summary.runDir);
    const b = withoutWall(second.summary.runDir);
    expect(a.size).toBe(PAIRS.size);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [path, text] of a) expect(firstDifference(text, b.get(path) ?? ''), path).toBeNull();

    // The files differ only in `wall`: the comparison above saw everything else.
    const raw = readFileSync(join(first.summary.runDir, 'broken', 'goaway.json'), 'utf8');
    expect(raw).toContain('"runId": "first"');
    expect(raw.match(/"runId"/g)).toHaveLength(1);

    const index = (dir: string): unknown => {
      const { wall: _wall, ...rest } = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
      return rest;
    };
    expect(index(second.summary.runDir)).toEqual(index(first.summary.runDir));

    const other = await runAndReport(scenarios.slice(0, 1), [brokenSut()], { seed: 99, reportsRoot: root, runId: 'other' });
    expect(withoutWall(other.summary.runDir).get('/broken/goaway.json')).not.toBe(a.get('/broken/goaway.json'));
  });
});
