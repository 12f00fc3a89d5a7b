/**
 * A small seeded PRNG (sfc32, seeded through splitmix32) so that fake data is
 * reproducible from one integer seed and never depends on Math.random.
 */

export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number;
  /** One element of a non-empty array. */
  pick<T>(xs: readonly T[]): T;
}

/** splitmix32 step: spreads a plain integer seed over all 32 bits. */
function splitmix32(state: number): [number, number] {
  const s = (state + 0x9e3779b9) | 0;
  let z = s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return [s, z >>> 0];
}

/** Creates a deterministic generator from a 32-bit (or any finite) integer seed. */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError("createRng needs a finite seed");
  // Fold seeds beyond 32 bits in, so 2^32 + 1 and 1 give different streams.
  let st = (Math.trunc(seed) ^ Math.trunc(seed / 0x100000000)) | 0;
  let a: number, b: number, c: number, d: number;
  [st, a] = splitmix32(st);
  [st, b] = splitmix32(st);
  [st, c] = splitmix32(st);
  [, d] = splitmix32(st);
  const u32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Discard the first outputs: sfc32 mixes poorly for a few rounds after seeding.
  for (let i = 0; i < 12; i++) u32();
  const next = (): number => u32() / 0x100000000;
  return {
    next,
    int(lo: number, hi: number): number {
      return lo + Math.floor(next() * (hi - lo + 1));
    },
    pick<T>(xs: readonly T[]): T {
      if (xs.length === 0) throw new RangeError("pick from an empty array");
      return xs[Math.floor(next() * xs.length)];
    },
  };
}

/** Derives an independent seed for sub-stream `k` of `seed` (e.g. one per column). */
export function deriveSeed(seed: number, k: number): number {
  const [, z] = splitmix32((Math.trunc(seed) ^ Math.imul(k + 1, 0x27d4eb2d)) | 0);
  return z;
}
