import type { StringKey } from './string-key';

/** Confirms a string key's hash match: whether a slot holds that key. */
export interface KeyMatcher {
  matchesKey(slot: number, key: StringKey): boolean;
}

/**
 * Entity key → slot, in open-addressing tables with linear probing, cell key and slot side
 * by side in one Float64Array, so a lookup costs one cache miss; a JS `Map` costs two or
 * three dependent misses (bucket, entry, the boxed key), which at a million entities is
 * most of an event's time.
 * - Numeric keys (card ids, terminal ids, a pair of small ids packed into one number) are
 *   their own cell keys.
 * - String keys go to a second table by their 53-bit hash (StringKey.hash), and a cell
 *   whose hash matches is confirmed by the owner (`KeyMatcher`, which holds the keys), so
 *   two strings with the same hash are still two entries.
 * - A key is deleted by its cell key and slot, which its owner knows: no key is needed.
 *
 * Deletion shifts the following run back (Knuth 6.4, Algorithm R), so there are no
 * tombstones and probe runs stay short at any churn.
 *
 * Growth is incremental: at half load a table twice the size takes new keys, and every
 * later set or delete moves a few cells of the old table into it (the old table is
 * read-only meanwhile: a delete marks its cell there). Rehashing a million keys at once
 * stopped one event for ~80 ms (a `Map` of strings: 60 ms, 170 ms at two million);
 * spread out, no call moves more than MIGRATE_STEP cells.
 *
 * @example
 * const ix = new KeyIndex(matcher);
 * ix.setNumber(42, 0);
 * ix.setString(key.hash, 1);        // matcher.matchesKey(1, key) must now hold
 * ix.getString(key);                // 1
 * ix.deleteNumber(42, 0); ix.getNumber(42); // -1
 */
export class KeyIndex {
  private readonly nums = new CellTable(null);
  private readonly strs: CellTable;

  constructor(matcher: KeyMatcher) {
    this.strs = new CellTable(matcher);
  }

  /** The slot of a numeric key, or -1. Small, so that callers inline it. */
  getNumber(key: number): number {
    return this.nums.get(key, null);
  }

  /** The slot of a string key, or -1. */
  getString(key: StringKey): number {
    return this.strs.get(key.hash, key);
  }

  /** Maps a numeric key that is not held to `slot`. */
  setNumber(key: number, slot: number): void {
    this.nums.set(key, slot);
  }

  /** Maps a string key (by its hash) that is not held to `slot` (the matcher must already confirm it there). */
  setString(hash: number, slot: number): void {
    this.strs.set(hash, slot);
  }

  /** Forgets the numeric key held at `slot`; true when it was there. */
  deleteNumber(key: number, slot: number): boolean {
    return this.nums.delete(key, slot);
  }

  /** Forgets the string key with this hash held at `slot`; true when it was there. */
  deleteString(hash: number, slot: number): boolean {
    return this.strs.delete(hash, slot);
  }

  /** Forgets every key. */
  clear(): void {
    this.nums.clear();
    this.strs.clear();
  }

  /** Confirms string matches with `matcher` from now on (a table that adopted this index, see EntityTable.adopt). */
  rebind(matcher: KeyMatcher): void {
    this.strs.matcher = matcher;
  }
}

/**
 * Old cells moved per set or delete while a resize is under way. A resize starts with
 * `cells / 2` keys and the next one comes `cells / 2` inserts later; moving 4 cells a call
 * empties the old table after `cells / 4` of them, with room to spare (2 is the least that
 * always finishes, and every moved key is a random write, so more would cost each call).
 */
const MIGRATE_STEP = 4;

/**
 * One open-addressing table of [cell key, slot + 1] (slot + 1 = 0: empty) with incremental
 * resizing. With a matcher, a cell key is a hash and a lookup's match is confirmed by
 * `matcher.matchesKey(slot, key)`; without, the cell key is the key.
 */
class CellTable {
  private table = new Float64Array(2 * 64);
  private mask = 63;
  /** Live keys (in either table). */
  private count = 0;
  /** The table being emptied into `table` during a resize (slot + 1 = -1: deleted), and the next cell to move. */
  private old: Float64Array | null = null;
  private oldMask = 0;
  private moved = 0;
  private readonly f64 = new Float64Array(1);
  private readonly u32 = new Uint32Array(this.f64.buffer);

  constructor(public matcher: KeyMatcher | null) {}

  get(ck: number, key: StringKey | null): number {
    const h = this.hash(ck);
    const t = this.table;
    const mask = this.mask;
    let i = h & mask;
    for (;;) {
      const v = t[2 * i + 1];
      if (v === 0) break;
      if (t[2 * i] === ck && this.confirms(v - 1, key)) return v - 1;
      i = (i + 1) & mask;
    }
    // Apart, so that the hot path stays small enough to inline into its callers.
    return this.old === null ? -1 : this.getOld(h, ck, key);
  }

  /** A lookup in the old table during a resize (hash h). */
  private getOld(h: number, ck: number, key: StringKey | null): number {
    const o = this.old!;
    let i = h & this.oldMask;
    for (;;) {
      const v = o[2 * i + 1];
      if (v === 0) return -1;
      // A deleted cell (v < 0) is only ever a key that is gone or was moved (and then found above).
      if (v > 0 && o[2 * i] === ck && this.confirms(v - 1, key)) return v - 1;
      i = (i + 1) & this.oldMask;
    }
  }

  set(ck: number, slot: number): void {
    if (this.old !== null) this.migrate(MIGRATE_STEP);
    if (2 * (this.count + 1) > this.mask + 1) {
      if (this.old !== null) this.migrate(Infinity); // only when lookups alone filled the new table
      this.old = this.table;
      this.oldMask = this.mask;
      this.moved = 0;
      this.table = new Float64Array(4 * (this.mask + 1));
      this.mask = 2 * this.mask + 1;
      this.migrate(MIGRATE_STEP);
    }
    this.insert(ck, slot);
    this.count++;
  }

  /** Removes the cell (ck, slot); true when it was there. */
  delete(ck: number, slot: number): boolean {
    const h = this.hash(ck);
    let found = false;
    const o = this.old;
    if (o !== null) {
      // A copy not moved yet, or one already moved: either way it must not be found again.
      let i = h & this.oldMask;
      for (;;) {
        const v = o[2 * i + 1];
        if (v === 0) break;
        if (v === slot + 1 && o[2 * i] === ck) { o[2 * i + 1] = -1; found = true; break; }
        i = (i + 1) & this.oldMask;
      }
    }
    const inNew = this.deleteFromTable(h, ck, slot);
    if (inNew || found) this.count--;
    if (this.old !== null) this.migrate(MIGRATE_STEP);
    return inNew || found;
  }

  clear(): void {
    this.table = new Float64Array(2 * 64);
    this.mask = 63;
    this.count = 0;
    this.old = null;
  }

  /** Whether slot's key is `key` (always, for a numeric table: its cell key is the key). */
  private confirms(slot: number, key: StringKey | null): boolean {
    return this.matcher === null || this.matcher.matchesKey(slot, key!);
  }

  /** Removes the cell (ck, slot) (hash h) from `table`, closing the hole; true when it was there. */
  private deleteFromTable(h: number, ck: number, slot: number): boolean {
    const t = this.table;
    const mask = this.mask;
    let i = h & mask;
    for (;;) {
      const v = t[2 * i + 1];
      if (v === 0) return false;
      if (v === slot + 1 && t[2 * i] === ck) break;
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

  /** Hash of a number (mask it for a home cell): both 32-bit words mixed (murmur3 finaliser constants); -0 and 0 agree. */
  private hash(key: number): number {
    this.f64[0] = key === 0 ? 0 : key;
    let h = Math.imul(this.u32[0] ^ Math.imul(this.u32[1], 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h >>> 0;
  }

  private insert(ck: number, slot: number): void {
    const t = this.table;
    let i = this.hash(ck) & this.mask;
    while (t[2 * i + 1] !== 0) i = (i + 1) & this.mask;
    t[2 * i] = ck;
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
