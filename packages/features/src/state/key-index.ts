import type { EntityKey } from './state-store';

/**
 * Entity key → slot. Numeric keys (card ids, terminal ids, a pair of small ids packed
 * into one number) live in an open-addressing table with linear probing, key and slot
 * side by side in one Float64Array, so a lookup costs one cache miss; a JS `Map` costs
 * two or three dependent misses (bucket, entry, the boxed key), which at a million
 * entities is most of an event's time. String keys use a `Map` (strings cache their
 * hash, and their equality check needs the string anyway).
 *
 * Deletion shifts the following run back (Knuth 6.4, Algorithm R), so there are no
 * tombstones and probe runs stay short at any churn.
 *
 * @example
 * const ix = new KeyIndex();
 * ix.set(42, 0); ix.set('card-7', 1);
 * ix.get(42); // 0
 * ix.delete(42); ix.get(42); // -1
 */
export class KeyIndex {
  /** [key, slot + 1] pairs; slot + 1 = 0 marks an empty cell. */
  private table = new Float64Array(2 * 64);
  private mask = 63;
  private count = 0;
  private readonly strings = new Map<string, number>();
  private readonly f64 = new Float64Array(1);
  private readonly u32 = new Uint32Array(this.f64.buffer);

  /** The slot of `key`, or -1. */
  get(key: EntityKey): number {
    if (typeof key === 'string') {
      const s = this.strings.get(key);
      return s === undefined ? -1 : s;
    }
    const t = this.table;
    const mask = this.mask;
    let i = this.hash(key);
    for (;;) {
      const v = t[2 * i + 1];
      if (v === 0) return -1;
      if (t[2 * i] === key) return v - 1;
      i = (i + 1) & mask;
    }
  }

  /** Maps a key that is not held to `slot`. */
  set(key: EntityKey, slot: number): void {
    if (typeof key === 'string') {
      this.strings.set(key, slot);
      return;
    }
    if (2 * (this.count + 1) > this.mask + 1) this.resize(2 * (this.mask + 1));
    this.insert(key, slot);
    this.count++;
  }

  /** Forgets `key`; true when it was held. */
  delete(key: EntityKey): boolean {
    if (typeof key === 'string') return this.strings.delete(key);
    const t = this.table;
    const mask = this.mask;
    let i = this.hash(key);
    for (;;) {
      if (t[2 * i + 1] === 0) return false;
      if (t[2 * i] === key) break;
      i = (i + 1) & mask;
    }
    // Close the hole: move back every later entry of the run whose home is not between
    // the hole and itself (cyclically).
    let j = i;
    for (;;) {
      t[2 * i + 1] = 0;
      let home: number;
      do {
        j = (j + 1) & mask;
        if (t[2 * j + 1] === 0) {
          this.count--;
          return true;
        }
        home = this.hash(t[2 * j]);
      } while (i <= j ? i < home && home <= j : i < home || home <= j);
      t[2 * i] = t[2 * j];
      t[2 * i + 1] = t[2 * j + 1];
      i = j;
    }
  }

  /** Forgets every key. */
  clear(): void {
    this.table = new Float64Array(2 * 64);
    this.mask = 63;
    this.count = 0;
    this.strings.clear();
  }

  /** Home cell of a number: both 32-bit words mixed (murmur3 finaliser constants); -0 and 0 agree. */
  private hash(key: number): number {
    this.f64[0] = key === 0 ? 0 : key;
    let h = Math.imul(this.u32[0] ^ Math.imul(this.u32[1], 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h & this.mask;
  }

  private insert(key: number, slot: number): void {
    const t = this.table;
    let i = this.hash(key);
    while (t[2 * i + 1] !== 0) i = (i + 1) & this.mask;
    t[2 * i] = key;
    t[2 * i + 1] = slot + 1;
  }

  private resize(cells: number): void {
    const old = this.table;
    this.table = new Float64Array(2 * cells);
    this.mask = cells - 1;
    for (let i = 0; i < old.length; i += 2) if (old[i + 1] !== 0) this.insert(old[i], old[i + 1] - 1);
  }
}
