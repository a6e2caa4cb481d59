import { describe, expect, it } from 'vitest';
import { shardFlag, shardOf } from './shard.ts';

describe('--shard i/n', () => {
  it('splits round robin: every item in exactly one shard', () => {
    const items = Array.from({ length: 10 }, (_, i) => i);
    const shards = [1, 2, 3].map((index) => shardOf(items, { index, count: 3 }));
    expect(shards).toEqual([[0, 3, 6, 9], [1, 4, 7], [2, 5, 8]]);
    expect(shards.flat().sort((a, b) => a - b)).toEqual(items);
    expect(shardOf(items, undefined)).toEqual(items);
  });

  it('reads i/n and refuses anything else', () => {
    expect(shardFlag('2/4')).toEqual({ index: 2, count: 4 });
    expect(shardFlag(undefined)).toBeUndefined();
    for (const bad of ['0/4', '5/4', '2', 'a/b', '1/0']) expect(() => shardFlag(bad)).toThrow(/--shard must be i\/n/);
  });
});
