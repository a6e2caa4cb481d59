/**
 * Faker's own Mersenne Twister (MT19937, 53-bit floats: what `new Faker()` draws from), drawing
 * the very same numbers, only re-seeded faster. The simulator and the mock re-seed one Faker
 * before every turn's words (persona.ts, sales-agent.ts), and faker's seeding rebuilt the
 * constant start state of `init_by_array` in a plain array on every call: in bench:load's
 * profile that seeding was 4 % of the harness's CPU per message. Here the state is a
 * Uint32Array and the constant start state is copied, not recomputed.
 *
 * Why a Uint32Array gives the same numbers: every read of a state word in MT19937 goes through
 * a bitwise operator (ToInt32/ToUint32), so only each word modulo 2^32 matters, and a
 * Uint32Array store keeps exactly that (ToUint32: truncation, then modulo 2^32; NaN and ±∞ give
 * 0, as the bitwise operators make of them). mersenne.test.ts checks it against faker's
 * `generateMersenne53Randomizer` on arbitrary seeds, numbers and arrays.
 */

/** Faker's randomizer interface (`Randomizer` in @faker-js/faker). */
export interface SeededRandomizer {
  /** Uniform in [0, 1), 53 bits. */
  next(): number;
  seed(seed: number | readonly number[]): void;
}

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER = 0x80000000;
const LOWER = 0x7fffffff;

/** init_genrand: the state from one number. */
function initGenrand(state: Uint32Array, seed: number): void {
  state[0] = seed;
  for (let i = 1; i < N; i++) {
    const prev = state[i - 1]! ^ (state[i - 1]! >>> 30);
    state[i] = Math.imul(1812433253, prev) + i;
  }
}

/** init_genrand(19650218), the start of every init_by_array: the same 624 words each time. */
const BY_ARRAY_START = new Uint32Array(N);
initGenrand(BY_ARRAY_START, 19650218);

function initByArray(state: Uint32Array, key: readonly number[]): void {
  state.set(BY_ARRAY_START);
  let i = 1;
  let j = 0;
  for (let k = Math.max(N, key.length); k !== 0; k--) {
    const prev = state[i - 1]! ^ (state[i - 1]! >>> 30);
    // The same double sum as faker's, then ToUint32 on the store (faker truncates and keeps the
    // double; its later bitwise reads take it modulo 2^32 all the same).
    state[i] = (state[i]! ^ Math.imul(prev, 1664525)) + key[j]! + j;
    i++;
    j++;
    if (i >= N) {
      state[0] = state[N - 1]!;
      i = 1;
    }
    if (j >= key.length) j = 0;
  }
  for (let k = N - 1; k !== 0; k--) {
    const prev = state[i - 1]! ^ (state[i - 1]! >>> 30);
    state[i] = (state[i]! ^ Math.imul(prev, 1566083941)) - i;
    i++;
    if (i >= N) {
      state[0] = state[N - 1]!;
      i = 1;
    }
  }
  state[0] = 0x80000000;
}

/** The next 624 words (genrand's regeneration step). */
function twist(state: Uint32Array): void {
  let kk = 0;
  for (; kk < N - M; kk++) {
    const y = (state[kk]! & UPPER) | (state[kk + 1]! & LOWER);
    state[kk] = state[kk + M]! ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
  }
  for (; kk < N - 1; kk++) {
    const y = (state[kk]! & UPPER) | (state[kk + 1]! & LOWER);
    state[kk] = state[kk + M - N]! ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
  }
  const y = (state[N - 1]! & UPPER) | (state[0]! & LOWER);
  state[N - 1] = state[M - 1]! ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
}

/** Faker's `generateMersenne53Randomizer(seed)`, number for number. */
export function mersenne53Randomizer(initial: number | readonly number[] = 0): SeededRandomizer {
  const state = new Uint32Array(N);
  let index = 0;
  const seed = (value: number | readonly number[]): void => {
    if (typeof value === 'number') initGenrand(state, value);
    else initByArray(state, value);
    twist(state);
    index = 0;
  };
  const nextU32 = (): number => {
    let y = state[index]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    if (++index >= N) {
      twist(state);
      index = 0;
    }
    return y >>> 0;
  };
  seed(initial);
  return {
    next: () => ((nextU32() >>> 5) * 67108864 + (nextU32() >>> 6)) * (1 / 9007199254740992),
    seed,
  };
}
