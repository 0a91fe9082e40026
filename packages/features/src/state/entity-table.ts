import { KeyIndex } from './key-index';
import { RingPool } from './ring-pool';
import type { EntityKey } from './state-store';

/**
 * Bytes counted per held entity on top of its header and ring: its key index cells
 * (16 bytes each, 2 to 4 cells per key at the index's load), the stored key and the
 * slot's links (recency, free list, ring reference). Not counted: a string key's own
 * bytes, the old index table while the index grows, the unused rest of the last page
 * (bench:features reports real heap and array-buffer bytes next to the accounted ones).
 */
export const ENTITY_OVERHEAD_BYTES = 96;

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
 * the hot path costs one {@link KeyIndex} lookup per entity and event.
 *
 * @example
 * const t = new EntityTable({ headerSize: 4, lanes: 2, maxClass: 8, signature: 'x' }, 1000, 1 << 20);
 * const s = t.create('card-1');      // slot 0, header zeroed
 * t.headerPage(s)[t.headerOffset(s)] = 17;
 * t.find('card-1');                  // 0
 */
export class EntityTable {
  readonly shape: EntityShape;
  readonly maxEntities: number;
  readonly maxBytes: number;
  /**
   * Everything per slot lives in pages of HEADER_PAGE_SLOTS entities, added as the table
   * grows and never copied (no event pays for moving every entity's data, and a table of
   * millions of entities needs no single huge array):
   * - headers: field f of slot s at `headerPage(s)[headerOffset(s) + f]`;
   * - links: per slot [prev, next, ring block, ring class] (recency list; a free slot's
   *   `next` chains the free list);
   * - keys: numeric keys in a typed array (no boxed number per entity), strings apart.
   */
  private headerPages: Float64Array[] = [];
  private linkPages: Int32Array[] = [];
  private keyPages: Float64Array[] = [];
  /** String keys per page, created with the first string key on the page. */
  private strKeyPages: ((string | undefined)[] | undefined)[] = [];
  readonly pool: RingPool;
  private readonly index = new KeyIndex((slot) => this.keyOf(slot));
  /** First free slot (-1: none). */
  private freeHead = -1;
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
  }

  /** Ring class of a live slot (0 = no ring yet). */
  ringClassOf(s: number): number {
    return this.linkPages[s >>> HEADER_PAGE_SHIFT][((s & (HEADER_PAGE_SLOTS - 1)) << 2) + 3];
  }

  /** Ring block of a live slot within its class's pool. */
  ringBlockOf(s: number): number {
    return this.linkPages[s >>> HEADER_PAGE_SHIFT][((s & (HEADER_PAGE_SLOTS - 1)) << 2) + 2];
  }

  /** Entities held. */
  get size(): number {
    return this.live;
  }

  /** Bytes held: headers, rings and the per-entity overhead. */
  get bytes(): number {
    return this.live * this.slotBytes + this.pool.liveBytes;
  }

  /** Bytes one entity holds (0 when absent). */
  entityBytes(key: EntityKey): number {
    const s = this.index.get(key);
    if (s < 0) return 0;
    const k = this.ringClassOf(s);
    return this.slotBytes + (k > 0 ? this.pool.blockSize(k) * 8 : 0);
  }

  /** The slot of `key`, or -1. Does not touch recency. */
  find(key: EntityKey): number {
    return this.index.get(key);
  }

  /** The key held in a live slot. */
  keyOf(slot: number): EntityKey {
    const p = slot >>> HEADER_PAGE_SHIFT, i = slot & (HEADER_PAGE_SLOTS - 1);
    return this.strKeyPages[p]?.[i] ?? this.keyPages[p][i];
  }

  /**
   * A new entity for `key` (not held), its header zeroed and no ring, marked most
   * recently seen. Evicts the least recently seen entities first while the kind is at
   * `maxEntities` or its bytes would pass `maxBytes`.
   */
  create(key: EntityKey): number {
    while (this.live > 0 && (this.live >= this.maxEntities || this.bytes + this.slotBytes > this.maxBytes)) this.evictOldest();
    let s: number;
    if (this.freeHead >= 0) {
      s = this.freeHead;
      this.freeHead = this.links(s)[this.linkOffset(s) + 1];
    } else {
      s = this.used++;
      // Slots are handed out in order: a slot's pages when the first slot on them is.
      if (s >>> HEADER_PAGE_SHIFT === this.headerPages.length) {
        this.headerPages.push(new Float64Array(HEADER_PAGE_SLOTS * this.shape.headerSize));
        this.linkPages.push(new Int32Array(HEADER_PAGE_SLOTS * 4));
        this.keyPages.push(new Float64Array(HEADER_PAGE_SLOTS));
        this.strKeyPages.push(undefined);
      }
    }
    const o = this.headerOffset(s);
    this.headerPage(s).fill(0, o, o + this.shape.headerSize);
    this.links(s)[this.linkOffset(s) + 3] = 0;
    const p = s >>> HEADER_PAGE_SHIFT, i = s & (HEADER_PAGE_SLOTS - 1);
    if (typeof key === 'string') (this.strKeyPages[p] ??= new Array<string | undefined>(HEADER_PAGE_SLOTS).fill(undefined))[i] = key;
    else this.keyPages[p][i] = key;
    this.index.set(key, s);
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
    const old = this.ringClassOf(s);
    const extra = (this.pool.blockSize(k) - (old > 0 ? this.pool.blockSize(old) : 0)) * 8;
    this.pinned = s;
    while (this.bytes + extra > this.maxBytes && this.live > 1) this.evictOldest();
    this.pinned = -1;
    if (this.bytes + extra > this.maxBytes) return false;
    const b = this.pool.alloc(k, s);
    if (old > 0) {
      const ob = this.ringBlockOf(s);
      copier.copyRing(this.pool.page(old, ob), this.pool.base(old, ob), old, this.pool.page(k, b), this.pool.base(k, b), k);
      this.releaseRing(old, ob);
    }
    const l = this.links(s), lo = this.linkOffset(s);
    l[lo + 3] = k;
    l[lo + 2] = b;
    return true;
  }

  /** Forgets `key`; true when it was held. */
  delete(key: EntityKey): boolean {
    const s = this.index.get(key);
    if (s < 0) return false;
    this.remove(s);
    return true;
  }

  /** Forgets everything. */
  clear(): void {
    this.index.clear();
    this.pool.clear();
    this.headerPages = [];
    this.linkPages = [];
    this.keyPages = [];
    this.strKeyPages = [];
    this.used = 0;
    this.freeHead = -1;
    this.live = 0;
    this.newest = -1;
    this.oldest = -1;
  }

  private evictOldest(): void {
    let s = this.oldest;
    if (s === this.pinned) s = this.links(s)[this.linkOffset(s)];
    if (s >= 0) this.remove(s);
  }

  private remove(s: number): void {
    this.unlink(s);
    this.index.delete(this.keyOf(s));
    const sk = this.strKeyPages[s >>> HEADER_PAGE_SHIFT];
    if (sk) sk[s & (HEADER_PAGE_SLOTS - 1)] = undefined;
    const l = this.links(s), lo = this.linkOffset(s);
    const k = l[lo + 3];
    if (k > 0) this.releaseRing(k, l[lo + 2]);
    l[lo + 3] = 0;
    l[lo + 1] = this.freeHead;
    this.freeHead = s;
    this.live--;
  }

  private releaseRing(k: number, b: number): void {
    const moved = this.pool.release(k, b);
    if (moved >= 0) this.links(moved)[this.linkOffset(moved) + 2] = b;
  }

  /** The link page of slot s, and s's offset in it ([prev, next, ring block, ring class]). */
  private links(s: number): Int32Array {
    return this.linkPages[s >>> HEADER_PAGE_SHIFT];
  }

  private linkOffset(s: number): number {
    return (s & (HEADER_PAGE_SLOTS - 1)) << 2;
  }

  /** Inserts s as the newest. */
  private link(s: number): void {
    const l = this.links(s), o = this.linkOffset(s);
    l[o] = -1;
    l[o + 1] = this.newest;
    if (this.newest >= 0) this.links(this.newest)[this.linkOffset(this.newest)] = s;
    this.newest = s;
    if (this.oldest < 0) this.oldest = s;
  }

  private unlink(s: number): void {
    const l = this.links(s), o = this.linkOffset(s);
    const p = l[o];
    const n = l[o + 1];
    if (p >= 0) this.links(p)[this.linkOffset(p) + 1] = n;
    else this.newest = n;
    if (n >= 0) this.links(n)[this.linkOffset(n)] = p;
    else this.oldest = p;
  }
}
