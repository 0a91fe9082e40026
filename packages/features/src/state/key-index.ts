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
 * Growth is incremental: at half load a table twice the size takes new keys, and every
 * later set or delete moves a few cells of the old table into it (the old table is
 * read-only meanwhile: a delete marks its cell there). Rehashing a million keys at once
 * would stop one event for ~80 ms; spread out, no call moves more than MIGRATE_STEP cells.
 *
 * @example
 * const ix = new KeyIndex();
 * ix.set(42, 0); ix.set('card-7', 1);
 * ix.get(42); // 0
 * ix.delete(42); ix.get(42); // -1
 */
/**
 * Old cells moved per set or delete while a resize is under way. A resize starts with
 * `cells / 2` keys and the next one comes `cells / 2` inserts later; moving 4 cells a call
 * empties the old table after `cells / 4` of them, with room to spare (2 is the least that
 * always finishes, and every moved key is a random write, so more would cost each call).
 */
const MIGRATE_STEP = 4;

export class KeyIndex {
  /** [key, slot + 1] pairs; slot + 1 = 0 marks an empty cell. */
  private table = new Float64Array(2 * 64);
  private mask = 63;
  /** Live numeric keys (in either table). */
  private count = 0;
  /** The table being emptied into `table` during a resize (slot + 1 = -1: deleted), and the next cell to move. */
  private old: Float64Array | null = null;
  private oldMask = 0;
  private moved = 0;
  private readonly strings = new Map<string, number>();
  private readonly f64 = new Float64Array(1);
  private readonly u32 = new Uint32Array(this.f64.buffer);

  /** The slot of `key`, or -1. */
  get(key: EntityKey): number {
    if (typeof key === 'string') {
      const s = this.strings.get(key);
      return s === undefined ? -1 : s;
    }
    const h = this.hash(key);
    const t = this.table;
    const mask = this.mask;
    let i = h & mask;
    for (;;) {
      const v = t[2 * i + 1];
      if (v === 0) break;
      if (t[2 * i] === key) return v - 1;
      i = (i + 1) & mask;
    }
    const o = this.old;
    if (o === null) return -1;
    i = h & this.oldMask;
    for (;;) {
      const v = o[2 * i + 1];
      if (v === 0) return -1;
      if (o[2 * i] === key) return v > 0 ? v - 1 : -1;
      i = (i + 1) & this.oldMask;
    }
  }

  /** Maps a key that is not held to `slot`. */
  set(key: EntityKey, slot: number): void {
    if (typeof key === 'string') {
      this.strings.set(key, slot);
      return;
    }
    if (this.old !== null) this.migrate(MIGRATE_STEP);
    if (2 * (this.count + 1) > this.mask + 1) {
      if (this.old !== null) this.migrate(Infinity); // only when gets alone filled the new table
      this.old = this.table;
      this.oldMask = this.mask;
      this.moved = 0;
      this.table = new Float64Array(4 * (this.mask + 1));
      this.mask = 2 * this.mask + 1;
      this.migrate(MIGRATE_STEP);
    }
    this.insert(key, slot);
    this.count++;
  }

  /** Forgets `key`; true when it was held. */
  delete(key: EntityKey): boolean {
    if (typeof key === 'string') return this.strings.delete(key);
    const h = this.hash(key);
    let found = false;
    const o = this.old;
    if (o !== null) {
      // A copy not moved yet, or one already moved: either way it must not be found again.
      let i = h & this.oldMask;
      for (;;) {
        const v = o[2 * i + 1];
        if (v === 0) break;
        if (o[2 * i] === key) { if (v > 0) { o[2 * i + 1] = -1; found = true; } break; }
        i = (i + 1) & this.oldMask;
      }
    }
    const inNew = this.deleteFromTable(h, key);
    if (inNew || found) this.count--;
    if (this.old !== null) this.migrate(MIGRATE_STEP);
    return inNew || found;
  }

  /** Removes `key` from `table` (its hash h), closing the hole; true when it was there. */
  private deleteFromTable(h: number, key: number): boolean {
    const t = this.table;
    const mask = this.mask;
    let i = h & mask;
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
        if (t[2 * j + 1] === 0) return true;
        home = this.hash(t[2 * j]) & mask;
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
    this.old = null;
    this.strings.clear();
  }

  /** Hash of a number (mask it for a home cell): both 32-bit words mixed (murmur3 finaliser constants); -0 and 0 agree. */
  private hash(key: number): number {
    this.f64[0] = key === 0 ? 0 : key;
    let h = Math.imul(this.u32[0] ^ Math.imul(this.u32[1], 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h >>> 0;
  }

  private insert(key: number, slot: number): void {
    const t = this.table;
    let i = this.hash(key) & this.mask;
    while (t[2 * i + 1] !== 0) i = (i + 1) & this.mask;
    t[2 * i] = key;
    t[2 * i + 1] = slot + 1;
  }

  /** Moves up to `n` cells of the old table into the new one; drops the old table when done. */
  private migrate(n: number): void {
    const o = this.old!;
    const end = o.length >> 1;
    let i = this.moved;
    for (const stop = Math.min(end, i + n); i < stop; i++) if (o[2 * i + 1] > 0) this.insert(o[2 * i], o[2 * i + 1] - 1);
    this.moved = i;
    if (i === end) this.old = null;
  }
}
