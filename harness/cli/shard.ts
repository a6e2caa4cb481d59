/**
 * `--shard i/n`: this machine's share of the scenarios, the way vitest and Playwright split a
 * suite over a CI matrix. Round robin over the selection in catalog order, so each shard gets
 * scenarios of every group; `merge-reports` joins the shards' folders into one.
 */
import { UsageError } from '../errors.ts';

export interface Shard {
  /** 1-based, as written. */
  readonly index: number;
  readonly count: number;
}

export function shardFlag(value: string | undefined): Shard | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) throw new UsageError(`--shard must be i/n with 1 ≤ i ≤ n (e.g. --shard 2/4), got "${value}"`);
  return { index, count };
}

export function shardOf<T>(items: readonly T[], shard: Shard | undefined): T[] {
  if (!shard) return [...items];
  return items.filter((_, i) => i % shard.count === shard.index - 1);
}
