import { KeyIndex, type KeyMatcher } from './key-index';
import { RingPool } from './ring-pool';
import type { EntityKey } from './state-store';
import { StringArena } from './string-arena';
import { StringKey } from './string-key';

/**
 * Bytes counted per held entity on top of its header, ring and string key: its key index
 * cells (16 bytes each, 2 to 4 cells per key at the index's load), the stored key or
 * hash, the slot's recency links, free-list entry and ring reference. The slack of arrays
 * that grow by doubling is not counted (bench:features reports real heap and array-buffer
 * bytes next to the accounted ones).
 */
export const ENTITY_OVERHEAD_BYTES = 96;

/** Bytes counted per string key on top of its arena block: its slot's length and block index. */
const STRING_KEY_SLOT_BYTES = 8;

/** Bytes counted for a string key of `length` code units: its arena block and slot fields. */
function stringKeyBytes(length: number): number {
  return StringArena.blockBytes(StringArena.classOf(length)) + STRING_KEY_SLOT_BYTES;
}

/**
 * Moves an entity's events from its old ring block (class `fromClass`) into a new one
 * (class `toClass`) when the ring grows; the ring's owner knows its layout. An object
 * rather than a callback, so a growth allocates no closure.
 */
export interface RingCopier {
  copyRing(from: Float64Array, fromBase: number, fromClass: number, to: Float64Array, toBase: number, toClass: number): void;
}

/** Entities per header page (a power of two). */
const HEADER_PAGE_SHIFT = 10;
const HEADER_PAGE_SLOTS = 1 << HEADER_PAGE_SHIFT;

/** The shape of one entity kind's state, fixed by the evaluator that uses the table. */
export interface EntityShape {
  /** Float64 header fields per entity (running window state, pointers). */
  readonly headerSize: number;
  /** Float64 lanes per held event (0: the entity keeps no events). */
  readonly lanes: number;
  /** Largest ring class: rings hold up to 2^maxClass events. */
  readonly maxClass: number;
  /** Identifies the layout, so a store is not shared by evaluators with different layouts. */
  readonly signature: string;
}

/**
 * The state of one entity kind (all cards, or all terminals): a key index, a fixed-size
 * float64 header per entity, a ring of recent events per entity in a {@link RingPool},
 * and a recency list. Entities live in integer slots; `find` gives an entity's slot or
 * -1, `create` gives a new one, evicting the least recently seen entities while the kind
 * holds `maxEntities` or more than `maxBytes`.
 *
 * Recency is an intrusive doubly linked list over slots (`touch` is two link updates), so
 * the hot path costs one {@link KeyIndex} lookup per entity and event. String keys are
 * kept as code units in a {@link StringArena}, not as JS strings; the evaluator looks
 * them up as a {@link StringKey} (`find` and `create` take one), so a composite key is
 * never joined per event.
 *
 * @example
 * const t = new EntityTable({ headerSize: 4, lanes: 2, maxClass: 8, signature: 'x' }, 1000, 1 << 20);
 * const s = t.create('card-1');      // slot 0, header zeroed
 * t.headerPage(s)[t.headerOffset(s)] = 17;
 * t.find('card-1');                  // 0
 */
export class EntityTable implements KeyMatcher {
  readonly shape: EntityShape;
  readonly maxEntities: number;
  readonly maxBytes: number;
  /**
   * Headers in pages of HEADER_PAGE_SLOTS entities: field f of slot s is at
   * `headerPage(s)[headerOffset(s) + f]`. Pages are added as the table grows and never
   * copied, so no event pays for moving every header, and a table of millions of
   * entities needs no single huge array.
   */
  private headerPages: Float64Array[] = [];
  /** Ring class per slot (0 = no ring yet). */
  ringClass: Uint8Array;
  /** Ring block per slot within its class's pool. */
  ringBlock: Int32Array;
  readonly pool: RingPool;
  private readonly index = new KeyIndex(this);
  /** Per slot: the numeric key, or a string key's hash (no boxed number per entity). */
  private numKeys = new Float64Array(0);
  /**
   * Per slot: a string key's length in code units + 1 (0: a numeric key) and its arena
   * block. Allocated with the first string key, so a numeric table's slots stay 25 bytes.
   */
  private strLen1: Int32Array = new Int32Array(0);
  private keyBlock: Int32Array = new Int32Array(0);
  private readonly arena = new StringArena();
  private stringKeys = 0;
  /** The StringKey that `find(string)` and friends of the public API look up with. */
  private readonly scratchKey = new StringKey();
  private prev: Int32Array;
  private next: Int32Array;
  private free: Int32Array;
  private nFree = 0;
  private capacity = 0;
  /** Slots ever handed out (slots below are live or on the free list). */
  private used = 0;
  /** Most recently seen slot, least recently seen slot (-1 when empty). */
  private newest = -1;
  private oldest = -1;
  private live = 0;
  private readonly slotBytes: number;
  /** Slot protected from eviction while its own ring grows. */
  private pinned = -1;

  constructor(shape: EntityShape, maxEntities: number, maxBytes: number) {
    this.shape = shape;
    this.maxEntities = maxEntities;
    this.maxBytes = maxBytes;
    this.pool = new RingPool(shape.lanes, shape.maxClass);
    this.slotBytes = shape.headerSize * 8 + ENTITY_OVERHEAD_BYTES;
    this.ringClass = new Uint8Array(0);
    this.ringBlock = new Int32Array(0);
    this.prev = new Int32Array(0);
    this.next = new Int32Array(0);
    this.free = new Int32Array(0);
  }

  /** Entities held. */
  get size(): number {
    return this.live;
  }

  /** Bytes held: headers, rings, string keys and the per-entity overhead. */
  get bytes(): number {
    return this.live * this.slotBytes + this.pool.liveBytes + this.arena.liveBytes + this.stringKeys * STRING_KEY_SLOT_BYTES;
  }

  /** Bytes one entity holds (0 when absent). */
  entityBytes(key: EntityKey | StringKey): number {
    const s = this.find(key);
    if (s < 0) return 0;
    const k = this.ringClass[s];
    const len = this.stringLength(s);
    return this.slotBytes + (k > 0 ? this.pool.blockSize(k) * 8 : 0) + (len >= 0 ? stringKeyBytes(len) : 0);
  }

  /** The slot of `key` (a string key as such or as a StringKey), or -1. Does not touch recency. */
  find(key: EntityKey | StringKey): number {
    return typeof key === 'number' ? this.index.getNumber(key) : this.findString(key);
  }

  private findString(key: string | StringKey): number {
    return this.index.getString(this.asStringKey(key));
  }

  /** A string key as a StringKey (the public API's strings go through `scratchKey`). */
  private asStringKey(key: string | StringKey): StringKey {
    return typeof key === 'string' ? this.scratchKey.setString(key) : key;
  }

  /** The key held in a live slot (a string key is rebuilt from the arena: allocates). */
  keyOf(slot: number): EntityKey {
    const len = this.stringLength(slot);
    return len < 0 ? this.numKeys[slot] : this.arena.read(StringArena.classOf(len), this.keyBlock[slot], len);
  }

  /** KeyMatcher: whether slot s holds the string key `key`. */
  matchesKey(s: number, key: StringKey): boolean {
    const len = this.strLen1[s] - 1;
    return len === key.length && this.arena.equals(StringArena.classOf(len), this.keyBlock[s], key);
  }

  /** Slot s's string key length, or -1 for a numeric key. */
  private stringLength(s: number): number {
    return this.strLen1.length === 0 ? -1 : this.strLen1[s] - 1;
  }

  /**
   * A new entity for `key` (not held), its header zeroed and no ring, marked most
   * recently seen. Evicts the least recently seen entities first while the kind is at
   * `maxEntities` or its bytes would pass `maxBytes`.
   */
  create(key: EntityKey | StringKey): number {
    const sk = typeof key === 'number' ? null : this.asStringKey(key);
    const need = this.slotBytes + (sk === null ? 0 : stringKeyBytes(sk.length));
    while (this.live > 0 && (this.live >= this.maxEntities || this.bytes + need > this.maxBytes)) this.evictOldest();
    let s: number;
    if (this.nFree > 0) s = this.free[--this.nFree];
    else {
      if (this.used === this.capacity) this.grow();
      s = this.used++;
      // Slots are handed out in order: a header page when the first slot on it is.
      if (s >>> HEADER_PAGE_SHIFT === this.headerPages.length) this.headerPages.push(new Float64Array(HEADER_PAGE_SLOTS * this.shape.headerSize));
    }
    const o = this.headerOffset(s);
    this.headerPage(s).fill(0, o, o + this.shape.headerSize);
    this.ringClass[s] = 0;
    if (sk === null) {
      this.numKeys[s] = key as number;
      if (this.strLen1.length > 0) this.strLen1[s] = 0;
      this.index.setNumber(key as number, s);
    } else {
      const kc = StringArena.classOf(sk.length);
      const b = this.arena.alloc(kc);
      this.arena.write(kc, b, sk);
      if (this.strLen1.length === 0) {
        this.strLen1 = new Int32Array(this.capacity);
        this.keyBlock = new Int32Array(this.capacity);
      }
      this.numKeys[s] = sk.hash;
      this.strLen1[s] = sk.length + 1;
      this.keyBlock[s] = b;
      this.stringKeys++;
      this.index.setString(sk.hash, s);
    }
    this.live++;
    this.link(s);
    return s;
  }

  /** The header page of slot s. */
  headerPage(s: number): Float64Array {
    return this.headerPages[s >>> HEADER_PAGE_SHIFT];
  }

  /** Offset of slot s's header in its page. */
  headerOffset(s: number): number {
    return (s & (HEADER_PAGE_SLOTS - 1)) * this.shape.headerSize;
  }

  /** Marks a slot as the most recently seen. */
  touch(s: number): void {
    if (this.newest === s) return;
    this.unlink(s);
    this.link(s);
  }

  /**
   * Gives slot s a ring of class k (`copier.copyRing` moves its events into the new block
   * before the old block is released), evicting other least recently seen entities while
   * the bytes would pass `maxBytes`. Returns false (nothing changed) when even alone it
   * would not fit.
   */
  setRing(s: number, k: number, copier: RingCopier): boolean {
    const old = this.ringClass[s];
    const extra = (this.pool.blockSize(k) - (old > 0 ? this.pool.blockSize(old) : 0)) * 8;
    this.pinned = s;
    while (this.bytes + extra > this.maxBytes && this.live > 1) this.evictOldest();
    this.pinned = -1;
    if (this.bytes + extra > this.maxBytes) return false;
    const b = this.pool.alloc(k, s);
    if (old > 0) {
      const ob = this.ringBlock[s];
      copier.copyRing(this.pool.page(old, ob), this.pool.base(old, ob), old, this.pool.page(k, b), this.pool.base(k, b), k);
      this.releaseRing(old, ob);
    }
    this.ringClass[s] = k;
    this.ringBlock[s] = b;
    return true;
  }

  /** Forgets `key`; true when it was held. */
  delete(key: EntityKey | StringKey): boolean {
    const s = this.find(key);
    if (s < 0) return false;
    this.remove(s);
    return true;
  }

  /** Forgets everything. */
  clear(): void {
    this.index.clear();
    this.pool.clear();
    this.arena.clear();
    this.stringKeys = 0;
    this.capacity = 0;
    this.used = 0;
    this.nFree = 0;
    this.live = 0;
    this.newest = -1;
    this.oldest = -1;
    this.grow(0);
  }

  private evictOldest(): void {
    let s = this.oldest;
    if (s === this.pinned) s = this.prev[s];
    if (s >= 0) this.remove(s);
  }

  private remove(s: number): void {
    this.unlink(s);
    const len = this.stringLength(s);
    if (len < 0) this.index.deleteNumber(this.numKeys[s], s);
    else {
      this.index.deleteString(this.numKeys[s], s);
      this.arena.release(StringArena.classOf(len), this.keyBlock[s]);
      this.strLen1[s] = 0;
      this.stringKeys--;
    }
    const k = this.ringClass[s];
    if (k > 0) this.releaseRing(k, this.ringBlock[s]);
    this.ringClass[s] = 0;
    this.free[this.nFree++] = s;
    this.live--;
  }

  private releaseRing(k: number, b: number): void {
    const moved = this.pool.release(k, b);
    if (moved >= 0) this.ringBlock[moved] = b;
  }

  /** Inserts s as the newest. */
  private link(s: number): void {
    this.prev[s] = -1;
    this.next[s] = this.newest;
    if (this.newest >= 0) this.prev[this.newest] = s;
    this.newest = s;
    if (this.oldest < 0) this.oldest = s;
  }

  private unlink(s: number): void {
    const p = this.prev[s];
    const n = this.next[s];
    if (p >= 0) this.next[p] = n;
    else this.newest = n;
    if (n >= 0) this.prev[n] = p;
    else this.oldest = p;
  }

  /**
   * Resizes the slot arrays to `cap` slots (default: double, up to maxEntities), keeping
   * what fits. Their ~25 bytes a slot (33 with string keys) are copied at once (~20–35 ms per kind at a million
   * slots). Paging them like the headers removed that, but measured ~10 % slower for the
   * 15-feature offline pass (two more dependent loads on every recency and ring lookup),
   * so they stay flat; the key index, whose rehash was the larger part, grows incrementally.
   */
  private grow(cap = Math.min(this.maxEntities, Math.max(64, this.capacity * 2))): void {
    if (cap === 0) this.headerPages = []; // a cleared table starts over
    const rc = new Uint8Array(cap);
    rc.set(this.ringClass.subarray(0, cap));
    this.ringClass = rc;
    const nk = new Float64Array(cap);
    nk.set(this.numKeys.subarray(0, cap));
    this.numKeys = nk;
    const resizeI32 = (a: Int32Array): Int32Array => {
      const b = new Int32Array(cap);
      b.set(a.subarray(0, cap));
      return b;
    };
    this.ringBlock = resizeI32(this.ringBlock);
    if (this.strLen1.length > 0 || cap === 0) {
      this.strLen1 = resizeI32(this.strLen1);
      this.keyBlock = resizeI32(this.keyBlock);
    }
    this.prev = resizeI32(this.prev);
    this.next = resizeI32(this.next);
    this.free = resizeI32(this.free);
    this.capacity = cap;
  }
}
