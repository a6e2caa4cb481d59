/**
 * The --jobs pool: N at a time, narrowed when a run was starved, and the starved runs judged
 * again alone at the end (issue 14 §3: the verdicts of a sequential run).
 */
import { describe, expect, it } from 'vitest';
import { guardedPool } from './guarded-pool.ts';

/** A task whose completion order the test drives: each call waits for `release(item)`. */
function controlled(starvedOnce: ReadonlySet<string>) {
  const log: string[] = [];
  let active = 0;
  let widest = 0;
  const waiting = new Map<string, () => void>();
  const seen = new Set<string>();
  const task = async (item: string, final: boolean): Promise<boolean> => {
    active++;
    widest = Math.max(widest, active);
    log.push(`start ${item}${final ? ' (final)' : ''}`);
    await new Promise<void>((resolve) => waiting.set(item, resolve));
    active--;
    const first = !seen.has(item);
    seen.add(item);
    return first && starvedOnce.has(item);
  };
  const release = async (item: string): Promise<void> => {
    for (let i = 0; i < 20 && !waiting.has(item); i++) await Promise.resolve();
    const go = waiting.get(item);
    if (!go) throw new Error(`${item} is not running; log: ${log.join(', ')}`);
    waiting.delete(item);
    go();
    for (let i = 0; i < 20; i++) await Promise.resolve();
  };
  return { task, release, log, widest: () => widest, running: () => [...waiting.keys()] };
}

describe('guardedPool', () => {
  it('runs width at a time and every item once when nothing is starved', async () => {
    const c = controlled(new Set());
    const done = guardedPool(['a', 'b', 'c', 'd', 'e'], 2, c.task);
    await c.release('a');
    await c.release('b');
    await c.release('c');
    await c.release('d');
    await c.release('e');
    await done;
    expect(c.widest()).toBe(2);
    expect(c.log).toEqual(['start a', 'start b', 'start c', 'start d', 'start e']);
  });

  it('halves its width after a starved run and runs the starved item again alone, last, as final', async () => {
    const c = controlled(new Set(['b']));
    const narrowed: number[] = [];
    const alone: string[] = [];
    const done = guardedPool(['a', 'b', 'c', 'd', 'e', 'f'], 4, c.task, { narrowed: (w) => narrowed.push(w), rerunAlone: (i) => alone.push(i) });
    expect(c.running().sort()).toEqual(['a', 'b', 'c', 'd']);
    await c.release('b'); // starved: width 4 → 2, with a, c, d still running nothing new starts
    expect(narrowed).toEqual([2]);
    expect(c.running().sort()).toEqual(['a', 'c', 'd']);
    await c.release('a');
    expect(c.running().sort()).toEqual(['c', 'd']);
    await c.release('c');
    expect(c.running().sort()).toEqual(['d', 'e']);
    await c.release('d');
    await c.release('e');
    await c.release('f');
    expect(c.running()).toEqual(['b']);
    expect(alone).toEqual(['b']);
    await c.release('b');
    await done;
    expect(c.log.at(-1)).toBe('start b (final)');
    expect(c.log.filter((l) => l.startsWith('start b'))).toHaveLength(2);
  });

  it('with width 1 every run is final: nothing is run twice', async () => {
    const c = controlled(new Set(['a']));
    const done = guardedPool(['a', 'b'], 1, c.task);
    await c.release('a');
    await c.release('b');
    await done;
    expect(c.log).toEqual(['start a (final)', 'start b (final)']);
  });
});
