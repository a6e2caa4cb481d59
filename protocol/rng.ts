/**
 * Seeded randomness. Same seed, same sequence, on every machine: the harness's
 * reproducibility promise rests on nothing in a run drawing from Math.random.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  int(minInclusive: number, maxInclusive: number): number;
  between(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  /** An independent stream for a named purpose, so adding draws in one place never shifts another. */
  fork(label: string): Rng;
}

function hashString(text: string): number {
  // FNV-1a, 32 bit.
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function createRng(seed: number | string): Rng {
  const base = typeof seed === 'number' ? seed >>> 0 : hashString(seed);
  // sfc32 seeded through splitmix-style mixing of the 32-bit seed.
  let a = base ^ 0x9e3779b9;
  let b = Math.imul(base, 0x85ebca6b) >>> 0;
  let c = Math.imul(base ^ (base >>> 16), 0xc2b2ae35) >>> 0;
  let d = 1;
  const next32 = (): number => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) next32();
  const rng: Rng = {
    next: () => next32() / 4294967296,
    int: (min, max) => min + Math.floor(rng.next() * (max - min + 1)),
    between: (min, max) => min + rng.next() * (max - min),
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[Math.floor(rng.next() * items.length)] as (typeof items)[number];
    },
    fork: (label) => createRng(`${base}/${label}`),
  };
  return rng;
}
