import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pruneRuns } from './prune-runs.ts';

describe('pruneRuns (--keep N)', () => {
  it('keeps the N newest run folders and touches nothing else', async () => {
    const root = mkdtempSync(join(tmpdir(), 'prune-'));
    const runs = ['2026-01-01T00-00-00-000Z-seed1', '2026-01-02T00-00-00-000Z-seed9', '2026-01-03T00-00-00-000Z-seed2', '2026-01-04T00-00-00-000Z-seed3'];
    for (const r of runs) {
      mkdirSync(join(root, r));
      writeFileSync(join(root, r, 'index.json'), '{}');
    }
    mkdirSync(join(root, 'my-notes'));
    writeFileSync(join(root, '2025-12-31T00-00-00-000Z-seed1.txt'), 'a file, not a run');
    symlinkSync(runs[3]!, join(root, 'latest'));
    const deleted = await pruneRuns(root, 2);
    expect(deleted).toEqual([join(root, runs[0]!), join(root, runs[1]!)]);
    expect(readdirSync(root).sort()).toEqual(['2025-12-31T00-00-00-000Z-seed1.txt', runs[2], runs[3], 'latest', 'my-notes'].sort());
    expect(await pruneRuns(root, 2)).toEqual([]);
    expect(await pruneRuns(join(root, 'absent'), 1)).toEqual([]);
    expect(existsSync(join(root, runs[3]!, 'index.json'))).toBe(true);
  });
});
