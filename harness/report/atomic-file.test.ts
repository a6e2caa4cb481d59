import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

// Where symlinks are refused (Windows without developer mode), `latest` becomes a file.
const refuseSymlinks = vi.hoisted(() => ({ on: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...real,
    symlink: (...args: Parameters<typeof real.symlink>) => (refuseSymlinks.on ? Promise.reject(Object.assign(new Error('EPERM'), { code: 'EPERM' })) : real.symlink(...args)),
  };
});

const { makeDirectory, pointLatest, writeFileAtomic } = await import('./atomic-file.ts');

describe('atomic files', () => {
  it('writes whole files, creating folders, with no temporary left behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
    await writeFileAtomic(join(dir, 'a', 'b.json'), '{"x":1}\n');
    await writeFileAtomic(join(dir, 'a', 'b.json'), '{"x":2}\n');
    expect(readFileSync(join(dir, 'a', 'b.json'), 'utf8')).toBe('{"x":2}\n');
    expect(readdirSync(join(dir, 'a'))).toEqual(['b.json']);
  });

  it('points `latest` at the run with a relative symlink, replacing an older one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latest-'));
    symlinkSync('old-run', join(dir, 'latest'));
    expect(await pointLatest(dir, 'new-run')).toBe('symlink');
    expect(readlinkSync(join(dir, 'latest'))).toBe('new-run');
  });

  it('falls back to a file holding the run id when symlinks are refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latest-'));
    refuseSymlinks.on = true;
    try {
      expect(await pointLatest(dir, 'run-9')).toBe('file');
    } finally {
      refuseSymlinks.on = false;
    }
    expect(readFileSync(join(dir, 'latest'), 'utf8')).toBe('run-9\n');
    expect(readdirSync(dir)).toEqual(['latest']);
  });

  it('makes nested folders, and fails with the error where a parent refuses instead of hanging', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
    await makeDirectory(join(dir, 'a', 'b', 'c'));
    expect(statSync(join(dir, 'a', 'b', 'c')).isDirectory()).toBe(true);
    await makeDirectory(join(dir, 'a', 'b', 'c'));
    writeFileSync(join(dir, 'file'), 'x');
    await expect(makeDirectory(join(dir, 'file', 'sub'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  // Node's own recursive mkdir never returns here (a parent that exists, a child refused with ENOENT).
  it.runIf(existsSync('/proc/self'))('rejects a folder under /proc with ENOENT rather than looping', async () => {
    await expect(makeDirectory('/proc/forbidden/run')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
