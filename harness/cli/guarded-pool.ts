/**
 * `run --jobs N`, bounded by the harness's own starvation guard (issue 14 §3, issue 12 §2).
 * Scenarios run N at a time; a run whose verdict the measured scheduling lag made UNKNOWN
 * (run/starvation.ts) says the machine cannot carry N at once: the pool halves its width for
 * the rest of the run, and the starved scenario is run again at the end, alone, where a
 * sequential run would have judged it. So `--jobs 4` on a busy machine gives the verdicts of
 * `--jobs 1`, only later.
 */
export interface PoolEvents<T> {
  /** The pool narrowed to `width` after `item` was starved. */
  narrowed?(width: number, item: T): void;
  /** `item` is run again alone, after the others. */
  rerunAlone?(item: T): void;
}

/**
 * Runs `task` over `items`, at most `width` at once. `task` returns whether the run was starved
 * (and so not final): such items are run once more, one at a time, after the pool drained, with
 * `final: true` (whatever they return then stands). Every item is run to completion, in order of
 * start; a task that throws rejects the whole pool (the caller's runs do not throw).
 */
export async function guardedPool<T>(items: readonly T[], width: number, task: (item: T, final: boolean) => Promise<boolean>, events: PoolEvents<T> = {}): Promise<void> {
  let limit = Math.max(1, width);
  let next = 0;
  let active = 0;
  const starved: T[] = [];
  await new Promise<void>((resolve, reject) => {
    const pump = (): void => {
      if (next >= items.length && active === 0) return resolve();
      while (active < limit && next < items.length) {
        const item = items[next++]!;
        active++;
        // With one at a time there is no one else to blame: the verdict stands (and the run's own retry at a safe scale has been made).
        const final = width <= 1;
        task(item, final).then((wasStarved) => {
          active--;
          if (wasStarved && !final) {
            starved.push(item);
            if (limit > 1) {
              limit = Math.max(1, Math.floor(limit / 2));
              events.narrowed?.(limit, item);
            }
          }
          pump();
        }, reject);
      }
    };
    pump();
  });
  for (const item of starved) {
    events.rerunAlone?.(item);
    await task(item, true);
  }
}
