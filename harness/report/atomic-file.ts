/**
 * Every report file is written whole or not at all: a temporary file next to the target,
 * then a rename, which POSIX makes atomic. A crash mid-run leaves complete files behind, and
 * a reader never sees half a JSON document.
 */
import { mkdir, readlink, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

let counter = 0;

/**
 * `mkdir -p` that fails instead of hanging. Node's `mkdir(…, { recursive: true })` never
 * returns where a parent exists but refuses a child with ENOENT (under /proc or /sys: libuv's
 * mkdirp takes ENOENT to mean "make the parent", gets EEXIST, and tries the child again, for
 * ever) — `run --report-dir /proc/forbidden` hung after its first line. Here one level at a
 * time, each error passed on as it is.
 */
export async function makeDirectory(path: string): Promise<void> {
  const missing: string[] = [];
  for (let at = resolve(path); ; ) {
    const found = await stat(at).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (found) {
      if (!found.isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${at}'`), { code: 'ENOTDIR', path: at });
      break;
    }
    missing.push(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const dir of missing.reverse()) {
    await mkdir(dir).catch((error: NodeJS.ErrnoException) => {
      // Made by another writer meanwhile (scenarios finishing at once): what we wanted.
      if (error.code !== 'EEXIST') throw error;
    });
  }
}

export async function writeFileAtomic(path: string, content: string): Promise<void> {
  await makeDirectory(dirname(path));
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
