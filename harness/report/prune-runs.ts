/**
 * `--keep N`: a run writes about 18 MB and nothing cleaned them up. Keeps the N newest run
 * folders under a reports root and deletes the older ones. Only folders named as the CLI
 * names a run (`2026-12-03T07-00-00-000Z-seed42`) are candidates, so nothing else a user
 * keeps there (and never `latest`) is touched; the names sort by time.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

export const RUN_FOLDER = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z-seed\d+$/;

/** The folders deleted, oldest first. */
export async function pruneRuns(reportsRoot: string, keep: number): Promise<string[]> {
  const entries = await readdir(reportsRoot, { withFileTypes: true }).catch(() => []);
  const runs = entries.filter((e) => e.isDirectory() && RUN_FOLDER.test(e.name)).map((e) => e.name).sort();
  const old = runs.slice(0, Math.max(0, runs.length - keep));
  for (const name of old) await rm(join(reportsRoot, name), { recursive: true, force: true });
  return old.map((name) => join(reportsRoot, name));
}
