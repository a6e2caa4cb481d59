/**
 * Every report file is written whole or not at all: a temporary file next to the target,
 * then a rename, which POSIX makes atomic. A crash mid-run leaves complete files behind, and
 * a reader never sees half a JSON document.
 */
import { mkdir, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

let counter = 0;

export async function writeFileAtomic(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  // pid + counter, not a random name: unique within the process, and nothing else writes here.
  const temp = `${path}.${process.pid}.${++counter}.tmp`;
  try {
    await writeFile(temp, content, 'utf8');
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Points `<reportsRoot>/latest` at the run folder: a relative symlink (so the reports folder
 * can be moved), swapped in by rename. Where symlinks are not allowed (Windows without
 * developer mode), a small file holding the run id takes its place.
 */
export async function pointLatest(reportsRoot: string, runId: string): Promise<'symlink' | 'file'> {
  const latest = join(reportsRoot, 'latest');
  const temp = `${latest}.${process.pid}.${++counter}.tmp`;
  try {
    if ((await readlink(latest).catch(() => null)) === runId) return 'symlink';
    await symlink(runId, temp, 'dir');
    await rename(temp, latest);
    return 'symlink';
  } catch {
    await rm(temp, { force: true });
    await rm(latest, { force: true, recursive: false }).catch(() => undefined);
    await writeFileAtomic(latest, `${runId}\n`);
    return 'file';
  }
}
