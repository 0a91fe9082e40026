/**
 * mulberry32 (Tommy Ettinger): a small seeded PRNG so randomized tests reproduce.
 * Returns uniform numbers in [0, 1).
 *
 * @example
 * const r = seededRandom(7); r(); // 0.2...
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
