/**
 * A reusable open-addressing set of float64 values for distinct counts during one history
 * scan. `clear()` is O(1): a slot is live only when its stamp equals the current
 * generation, so no array is wiped between events.
 *
 * @example
 * const s = new DistinctSet(16);
 * s.add(3); s.add(3); s.add(4); // true, false, true
 * s.clear();
 */
export class DistinctSet {
  private readonly values: Float64Array;
  private readonly stamps: Uint32Array;
  private readonly mask: number;
  private generation = 1;
  private readonly f64 = new Float64Array(1);
  private readonly u32 = new Uint32Array(this.f64.buffer);
  /** Values added since the last clear. */
  count = 0;

  /** @param maxValues most distinct values one scan can add. */
  constructor(maxValues: number) {
    let cap = 8;
    while (cap < maxValues * 2) cap *= 2;
    this.values = new Float64Array(cap);
    this.stamps = new Uint32Array(cap);
    this.mask = cap - 1;
  }

  clear(): void {
    this.count = 0;
    this.generation++;
    if (this.generation === 0xffffffff) {
      this.stamps.fill(0);
      this.generation = 1;
    }
  }

  /** Adds `x` (normalising -0 to 0); true when it was not in the set. */
  add(x: number): boolean {
    if (x === 0) x = 0;
    this.f64[0] = x;
    // Mix both 32-bit words (murmur3 finaliser constants) so nearby ids spread out.
    let h = Math.imul(this.u32[0] ^ Math.imul(this.u32[1], 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    let i = h & this.mask;
    const g = this.generation;
    for (;;) {
      if (this.stamps[i] !== g) {
        this.stamps[i] = g;
        this.values[i] = x;
        this.count++;
        return true;
      }
      if (this.values[i] === x) return false;
      i = (i + 1) & this.mask;
    }
  }
}
