/**
 * Where a scenario's files go inside a run folder. The builtin client's reports sit at the
 * top (`goaway.json`), every other system under test in a folder of its own
 * (`module-client/goaway.json`), so a matrix run never overwrites one client's report
 * with another's.
 */
import { createHash } from 'node:crypto';

export const BUILTIN_SUT = 'builtin';

/** A file-system-safe folder name for a SUT id such as `module:./clients/my-client.ts` or `cmd:node x.js`. */
export function sanitizeSutId(id: string): string {
  const safe = id
    .split(/[^A-Za-z0-9._-]+/)
    // `.` and `..` segments must never become path steps; leading and trailing dashes are noise.
    .map((part) => part.replace(/^[-.]+|[-.]+$/g, ''))
    .filter((part) => part.length > 0)
    .join('-')
    .slice(0, 80)
    .replace(/[-.]+$/, '');
  return safe.length > 0 ? safe : `sut-${shortHash(id)}`;
}

export const shortHash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 8);

/**
 * Assigns each SUT id its folder once per run; two ids that sanitise alike (`cmd:a b`,
 * `cmd:a-b`) get a hash suffix instead of sharing a folder.
 */
export class SutFolders {
  private readonly folders = new Map<string, string>();
  private readonly taken = new Set<string>();

  folderOf(sutId: string): string {
    const known = this.folders.get(sutId);
    if (known !== undefined) return known;
    let folder = sutId === BUILTIN_SUT ? '' : sanitizeSutId(sutId);
    if (this.taken.has(folder)) folder = `${folder || 'sut'}-${shortHash(sutId)}`;
    this.folders.set(sutId, folder);
    this.taken.add(folder);
    return folder;
  }

  /** The path of a scenario's file relative to the run folder, with `/` separators (links and index.json use it as is). */
  fileOf(sutId: string, scenarioId: string, extension: 'json' | 'html'): string {
    const folder = this.folderOf(sutId);
    return folder ? `${folder}/${scenarioId}.${extension}` : `${scenarioId}.${extension}`;
  }
}

/** The relative link from a file at `from` (relative to the run folder) to `to`. */
export function relativeLink(from: string, to: string): string {
  const depth = from.split('/').length - 1;
  return `${'../'.repeat(depth)}${to}`;
}
