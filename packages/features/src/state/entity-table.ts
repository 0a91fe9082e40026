import { FeatureError } from '../errors';
import { KeyIndex, type KeyMatcher } from './key-index';
import { RingPool } from './ring-pool';
import { ByteReader, ByteWriter, pad8 } from './snapshot-bytes';
import type { EntityKey } from './state-store';
import { StringArena } from './string-arena';
import { StringKey } from './string-key';

/**
 * Bytes counted per held entity on top of its header, ring and string key: its key index
 * cells (16 bytes each, 2 to 4 cells per key at the index's load), the stored key or
 * hash, the slot's recency links, free-list entry and ring reference (96, as measured),
 * plus its admission segment (1) and version (8). The slack of arrays that grow by
 * doubling is not counted (bench:features reports real heap and array-buffer bytes next
 * to the accounted ones).
 */
export const ENTITY_OVERHEAD_BYTES = 105;

/**
 * How a full table chooses whom to evict.
 * - `'segmented'` (default): a segmented LRU (Karedla, Love & Wherry 1994, "Caching
 *   strategies to improve disk system performance"; the main space of Caffeine's
 *   W-TinyLFU). A new entity enters the probation segment; seen again, it moves to the
 *   protected segment (at most 80 % of the entities and of the bytes; past that, the
 *   protected segment's least recently seen goes back to probation's most recent end).
 *   Eviction takes probation's least recently seen first, protected entities only when
 *   probation is empty. A flood of entities seen once (card testing with throwaway
 *   cards) then churns probation and never pushes out a cardholder seen twice.
 * - `'lru'`: plain least-recently-seen eviction.
 */
export type AdmissionPolicy = 'segmented' | 'lru';

/** Share of a table's entities and bytes the protected segment may hold. */
const PROTECTED_SHARE = 0.8;
/** Segment ids, and the ends of each segment's list in `ends` (2 g: newest, 2 g + 1: oldest). */
const PROBATION = 0;
const PROTECTED = 1;

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
  /** Copies the events of the ring at `from[fromBase …]` (class `fromClass`) into the larger ring at `to[toBase …]` (class `toClass`). */
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
  /**
   * Seconds after an entity's last event when nothing of it counts any more (its longest
   * window, or label delay + window). A shared store expires entities on it; absent:
   * never (a shape made by hand).
   */
  readonly horizonSeconds?: number;
}

/**
 * The state of one entity kind (all cards, or all terminals): a key index, a fixed-size
 * float64 header per entity, a ring of recent events per entity in a ring pool,
 * recency lists and a version per entity. Entities live in integer slots; `find` gives an
 * entity's slot or -1, `create` gives a new one, evicting entities (in the order of the
 * {@link AdmissionPolicy}) while the kind holds `maxEntities` or more than `maxBytes`.
 *
 * Recency is an intrusive doubly linked list per admission segment over slots (`touch`
 * is two link updates), so the hot path costs one key-index lookup per entity and
 * event. Versions come from a table-wide counter that only increases (not even `clear`
 * resets it): creating, removing and `markWritten` give the slot the next value, so a
 * version read earlier equals the slot's version now iff nothing wrote that entity in
 * between, also across eviction and reuse of the slot. String keys are
 * kept as code units in a string arena, not as JS strings; the evaluator looks
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
  readonly admission: AdmissionPolicy;
  /** Entities evicted to make room since the table was made (not deletes or clears). */
  evicted = 0;
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
  private ringPool: RingPool;
  private index = new KeyIndex(this);
  /** Per slot: the numeric key, or a string key's hash (no boxed number per entity). */
  private numKeys = new Float64Array(0);
  /**
   * Per slot: a string key's length in code units + 1 (0: a numeric key) and its arena
   * block. Allocated with the first string key, so a numeric table's slots stay 34 bytes.
   */
  private strLen1: Int32Array = new Int32Array(0);
  private keyBlock: Int32Array = new Int32Array(0);
  private arena = new StringArena();
  private stringKeys = 0;
  /** The StringKey that `find(string)` and friends of the public API look up with. */
  private readonly scratchKey = new StringKey();
  private prev: Int32Array;
  private next: Int32Array;
  /** Per slot: its segment (PROBATION or PROTECTED; always PROBATION under 'lru'). */
  private seg: Uint8Array;
  /** Per slot: its version (see the class comment). */
  private ver: Float64Array;
  /** The version counter: the last value handed out. */
  private clock = 0;
  private free: Int32Array;
  private nFree = 0;
  private capacity = 0;
  /** Slots ever handed out (slots below are live or on the free list). */
  private used = 0;
  /** Per segment g: its most recently seen slot at 2 g, its least recently seen at 2 g + 1 (-1 when empty). */
  private ends = new Int32Array([-1, -1, -1, -1]);
  private live = 0;
  /** The protected segment: entities and bytes held, and the most of each it may hold. */
  private protCount = 0;
  private protBytes = 0;
  private readonly protMaxCount: number;
  private readonly protMaxBytes: number;
  private readonly segmented: boolean;
  private readonly slotBytes: number;
  /** Slot protected from eviction while its own ring grows. */
  private pinned = -1;

  /**
   * @param shape the layout of an entity's state
   * @param maxEntities most entities held
   * @param maxBytes most bytes held (see `bytes`)
   * @param admission eviction order (default 'segmented', see {@link AdmissionPolicy})
   */
  constructor(shape: EntityShape, maxEntities: number, maxBytes: number, admission: AdmissionPolicy = 'segmented') {
    checkTableArguments(shape, maxEntities, maxBytes, admission);
    this.shape = shape;
    this.maxEntities = maxEntities;
    this.maxBytes = maxBytes;
    this.admission = admission;
    this.segmented = admission === 'segmented';
    this.protMaxCount = this.segmented ? Math.floor(maxEntities * PROTECTED_SHARE) : 0;
    this.protMaxBytes = this.segmented ? maxBytes * PROTECTED_SHARE : 0;
    this.ringPool = new RingPool(shape.lanes, shape.maxClass);
    this.slotBytes = shape.headerSize * 8 + ENTITY_OVERHEAD_BYTES;
    this.ringClass = new Uint8Array(0);
    this.ringBlock = new Int32Array(0);
    this.prev = new Int32Array(0);
    this.next = new Int32Array(0);
    this.seg = new Uint8Array(0);
    this.ver = new Float64Array(0);
    this.free = new Int32Array(0);
  }

  /** The ring blocks of this kind, per class. */
  get pool(): RingPool {
    return this.ringPool;
  }

  /** Entities held. */
  get size(): number {
    return this.live;
  }

  /** Bytes held: headers, rings, string keys and the per-entity overhead. */
  get bytes(): number {
    return this.live * this.slotBytes + this.ringPool.liveBytes + this.arena.liveBytes + this.stringKeys * STRING_KEY_SLOT_BYTES;
  }

  /** Bytes one entity holds (0 when absent). */
  entityBytes(key: EntityKey | StringKey): number {
    const s = this.find(key);
    return s < 0 ? 0 : this.bytesAt(s);
  }

  /** Bytes the entity in live slot s holds. */
  private bytesAt(s: number): number {
    const k = this.ringClass[s];
    const len = this.stringLength(s);
    return this.slotBytes + (k > 0 ? this.ringPool.blockSize(k) * 8 : 0) + (len >= 0 ? stringKeyBytes(len) : 0);
  }

  /** The version of live slot s (see the class comment). */
  versionOf(s: number): number {
    return this.ver[s];
  }

  /** Records that live slot s was written: it gets a fresh version. */
  markWritten(s: number): void {
    this.ver[s] = ++this.clock;
  }

  /** The last version handed out (never decreases, also not on `clear`). */
  get versionClock(): number {
    return this.clock;
  }

  /** Whether live slot s is in the protected segment (always false under 'lru'). */
  isProtected(s: number): boolean {
    return this.seg[s] === PROTECTED;
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
   * recently seen in the probation segment, with a fresh version. Evicts first (in the
   * admission policy's order) while the kind is at `maxEntities` or its bytes would pass
   * `maxBytes`.
   */
  create(key: EntityKey | StringKey): number {
    const sk = typeof key === 'number' ? null : this.asStringKey(key);
    const need = this.slotBytes + (sk === null ? 0 : stringKeyBytes(sk.length));
    while (this.live > 0 && (this.live >= this.maxEntities || this.bytes + need > this.maxBytes)) this.evictOne();
    const s = this.newSlot();
    this.bindKey(s, key, sk);
    this.ver[s] = ++this.clock;
    this.live++;
    this.link(s, PROBATION);
    return s;
  }

  /** A free slot (reused or new), its header zeroed and no ring. */
  private newSlot(): number {
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
    return s;
  }

  /** Maps `key` (`sk`: it as a StringKey, null for a number) to slot s. */
  private bindKey(s: number, key: EntityKey | StringKey, sk: StringKey | null): void {
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
  }

  /** The header page of slot s. */
  headerPage(s: number): Float64Array {
    return this.headerPages[s >>> HEADER_PAGE_SHIFT];
  }

  /** Offset of slot s's header in its page. */
  headerOffset(s: number): number {
    return (s & (HEADER_PAGE_SLOTS - 1)) * this.shape.headerSize;
  }

  /**
   * Marks a slot as the most recently seen; under 'segmented' a probation entity seen
   * again moves to the protected segment. O(1), allocates nothing.
   */
  touch(s: number): void {
    const g = this.seg[s];
    if (g === PROBATION && this.segmented) this.promote(s);
    else if (this.ends[2 * g] !== s) {
      this.unlink(s);
      this.link(s, g);
    }
  }

  /** Moves probation slot s to the protected segment's most recent end, demoting its oldest while over the cap. */
  private promote(s: number): void {
    this.unlink(s);
    this.link(s, PROTECTED);
    this.protCount++;
    this.protBytes += this.bytesAt(s);
    this.rebalance();
  }

  /** Demotes the protected segment's least recently seen to probation's most recent end while it holds too much. */
  private rebalance(): void {
    while (this.protCount > 0 && (this.protCount > this.protMaxCount || this.protBytes > this.protMaxBytes)) {
      const v = this.ends[2 * PROTECTED + 1];
      this.unlink(v);
      this.protCount--;
      this.protBytes -= this.bytesAt(v);
      this.link(v, PROBATION);
    }
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
    while (this.bytes + extra > this.maxBytes && this.live > 1) this.evictOne();
    this.pinned = -1;
    if (this.bytes + extra > this.maxBytes) return false;
    const pool = this.ringPool;
    const b = pool.alloc(k, s);
    if (old > 0) {
      const ob = this.ringBlock[s];
      copier.copyRing(pool.page(old, ob), pool.base(old, ob), old, pool.page(k, b), pool.base(k, b), k);
      this.releaseRing(old, ob);
    }
    this.ringClass[s] = k;
    this.ringBlock[s] = b;
    if (this.seg[s] === PROTECTED) {
      this.protBytes += extra;
      this.rebalance();
    }
    return true;
  }

  /** Forgets `key`; true when it was held. */
  delete(key: EntityKey | StringKey): boolean {
    const s = this.find(key);
    if (s < 0) return false;
    this.remove(s);
    return true;
  }

  /** Forgets everything (the version counter goes on: versions read before never come back). */
  clear(): void {
    this.index.clear();
    this.ringPool.clear();
    this.arena.clear();
    this.stringKeys = 0;
    this.capacity = 0;
    this.used = 0;
    this.nFree = 0;
    this.live = 0;
    this.ends.fill(-1);
    this.protCount = 0;
    this.protBytes = 0;
    this.grow(0);
  }

  /**
   * Evicts one entity: probation's least recently seen, or when probation is empty the
   * protected segment's (never the pinned slot, whose ring is growing).
   */
  private evictOne(): void {
    let s = this.ends[2 * PROBATION + 1];
    if (s === this.pinned) s = this.prev[s];
    if (s < 0) {
      s = this.ends[2 * PROTECTED + 1];
      if (s === this.pinned) s = this.prev[s];
    }
    if (s >= 0) {
      this.remove(s);
      this.evicted++;
    }
  }

  private remove(s: number): void {
    if (this.seg[s] === PROTECTED) {
      this.protCount--;
      this.protBytes -= this.bytesAt(s);
    }
    this.unlink(s);
    this.seg[s] = PROBATION;
    this.ver[s] = ++this.clock;
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

  /** Inserts s as the newest of segment g. */
  private link(s: number, g: number): void {
    const ends = this.ends;
    const h = ends[2 * g];
    this.seg[s] = g;
    this.prev[s] = -1;
    this.next[s] = h;
    if (h >= 0) this.prev[h] = s;
    else ends[2 * g + 1] = s;
    ends[2 * g] = s;
  }

  /** Takes s out of its segment's list. */
  private unlink(s: number): void {
    const ends = this.ends;
    const g = this.seg[s];
    const p = this.prev[s];
    const n = this.next[s];
    if (p >= 0) this.next[p] = n;
    else ends[2 * g] = n;
    if (n >= 0) this.prev[n] = p;
    else ends[2 * g + 1] = p;
  }

  /**
   * Bytes `writeSnapshot` writes: the shape, the counter, and per entity 24 bytes of key,
   * segment, ring class and version, its string key's code units (padded to 8 bytes), its
   * header and its ring block.
   */
  snapshotByteLength(): number {
    let n = 16 + pad8(2 * this.shape.signature.length) + 16;
    const hb = 8 * this.shape.headerSize;
    for (let g = PROBATION; g <= PROTECTED; g++) {
      for (let s = this.ends[2 * g + 1]; s >= 0; s = this.prev[s]) {
        const len = this.stringLength(s);
        const k = this.ringClass[s];
        n += 24 + (len > 0 ? pad8(2 * len) : 0) + hb + (k > 0 ? 8 * this.ringPool.blockSize(k) : 0);
      }
    }
    return n;
  }

  /**
   * Writes the table (little-endian, every field at a multiple of its width): u32
   * headerSize, lanes, maxClass, signature length, the signature's UTF-16 units (padded to
   * 8 bytes), f64 version counter, f64 entity count; then the entities of the probation
   * segment and then of the protected one, each from least to most recently seen: u32 key
   * length + 1 (0: a numeric key), u8 segment, u8 ring class, u16 0, f64 version, f64 the
   * numeric key or the string key's hash, the string key's units (padded), the header's
   * float64s and the ring block's raw float64s. A ring slot is `seq & (capacity - 1)`, so
   * the block restored into a block of the same class keeps every event where it was.
   * Slot numbers are not written: the same entities, versions and order give the same bytes.
   */
  writeSnapshot(w: ByteWriter): void {
    const { headerSize, lanes, maxClass, signature } = this.shape;
    w.u32(headerSize); w.u32(lanes); w.u32(maxClass); w.u32(signature.length);
    w.stringRun(signature);
    w.f64(this.clock);
    w.f64(this.live);
    const pool = this.ringPool;
    for (let g = PROBATION; g <= PROTECTED; g++) {
      for (let s = this.ends[2 * g + 1]; s >= 0; s = this.prev[s]) {
        const len = this.stringLength(s);
        const k = this.ringClass[s];
        w.u32(len < 0 ? 0 : len + 1); w.u8(g); w.u8(k); w.u16(0);
        w.f64(this.ver[s]);
        w.f64(this.numKeys[s]);
        if (len > 0) {
          const kc = StringArena.classOf(len);
          const b = this.keyBlock[s];
          w.u16Run(this.arena.page(kc, b), this.arena.offset(kc, b), len);
        }
        w.f64Run(this.headerPage(s), this.headerOffset(s), headerSize);
        if (k > 0) {
          const b = this.ringBlock[s];
          w.f64Run(pool.page(k, b), pool.base(k, b), pool.blockSize(k));
        }
      }
    }
  }

  /**
   * A new table read from what `writeSnapshot` wrote, with the given bounds and policy:
   * entities re-created in the written order (so recency, segments and later evictions
   * are the same), versions and the counter as written. Checks every field and refuses
   * with `FeatureError` `invalid_snapshot`: a truncated record, a segment, ring class,
   * version or key that cannot be (a string key whose hash differs, a key twice), more
   * entities or bytes than the bounds allow. `path` locates the table in messages.
   */
  static readSnapshot(r: ByteReader, maxEntities: number, maxBytes: number, admission: AdmissionPolicy, path: ReadonlyArray<string | number>): EntityTable {
    const bad = (what: string, details: Record<string, unknown> = {}): FeatureError =>
      new FeatureError('invalid_snapshot', `restore: ${what} (at byte ${r.pos}); the bytes are not a snapshot this store can restore`, path, { details: { offset: r.pos, ...details } });
    const headerSize = r.u32(), lanes = r.u32(), maxClass = r.u32(), sigLen = r.u32();
    if (headerSize > 1 << 20 || lanes > 1 << 20 || maxClass > 30 || sigLen > 1 << 20) throw bad('an implausible table shape', { headerSize, lanes, maxClass, sigLen });
    const signature = r.string(sigLen, 'the layout signature');
    const t = new EntityTable({ headerSize, lanes, maxClass, signature }, maxEntities, maxBytes, admission);
    const clock = r.f64();
    const live = r.f64();
    if (!(Number.isSafeInteger(clock) && clock >= 0)) throw bad(`a version counter of ${clock}`);
    if (!(Number.isInteger(live) && live >= 0)) throw bad(`an entity count of ${live}`);
    if (live > maxEntities) throw bad(`${live} entities, more than this store's maxEntities ${maxEntities}`, { entities: live, maxEntities });
    const pool = t.ringPool;
    const sk = t.scratchKey;
    let lastSeg = PROBATION;
    for (let i = 0; i < live; i++) {
      r.need(24, 'an entity record');
      const keyLen1 = r.u32(), g = r.u8(), k = r.u8(), zero = r.u16();
      const version = r.f64(), numKey = r.f64();
      if (zero !== 0 || g > PROTECTED || g < lastSeg || (g === PROTECTED && admission === 'lru')) throw bad(`entity ${i}: segment ${g} out of order or not allowed under '${admission}'`);
      lastSeg = g;
      if (k > maxClass || (k > 0 && lanes === 0)) throw bad(`entity ${i}: ring class ${k} (largest ${maxClass}, lanes ${lanes})`);
      if (!(Number.isSafeInteger(version) && version >= 1 && version <= clock)) throw bad(`entity ${i}: version ${version} outside [1, ${clock}]`);
      let key: number | StringKey;
      if (keyLen1 === 0) {
        if (numKey !== numKey) throw bad(`entity ${i}: a NaN key`);
        key = numKey;
      } else {
        const str = r.string(keyLen1 - 1, `entity ${i}'s key`);
        key = sk.setString(str);
        if (sk.hash !== numKey) throw bad(`entity ${i}: the key's hash does not match its characters`);
      }
      if (t.find(key) >= 0) throw bad(`entity ${i}: a key held twice`);
      r.need(8 * headerSize + (k > 0 ? 8 * pool.blockSize(k) : 0), `entity ${i}'s header and ring`);
      const s = t.newSlot();
      t.bindKey(s, key, keyLen1 === 0 ? null : sk);
      t.ver[s] = version;
      t.live++;
      t.link(s, g);
      r.f64Run(t.headerPage(s), t.headerOffset(s), headerSize);
      if (k > 0) {
        const b = pool.alloc(k, s);
        r.f64Run(pool.page(k, b), pool.base(k, b), pool.blockSize(k));
        t.ringClass[s] = k;
        t.ringBlock[s] = b;
      }
      if (g === PROTECTED) {
        t.protCount++;
        t.protBytes += t.bytesAt(s);
      }
    }
    t.clock = clock;
    if (t.bytes > maxBytes) throw bad(`${t.bytes} bytes of state, more than this store's maxBytes ${maxBytes}`, { bytes: t.bytes, maxBytes });
    t.rebalance(); // only does something when this store's bounds are smaller than the snapshot's
    return t;
  }

  /**
   * Takes over the state of `from` (a table of the same shape read by `readSnapshot`),
   * which must not be used afterwards. The table object stays the same, so window engines
   * that hold it see the restored state.
   */
  adopt(from: EntityTable): void {
    const sh = this.shape, fs = from.shape;
    if (sh.signature !== fs.signature || sh.headerSize !== fs.headerSize || sh.lanes !== fs.lanes || sh.maxClass !== fs.maxClass) {
      throw new FeatureError('invalid_snapshot', 'restore: the snapshot holds another window layout for this entity kind', ['bytes']);
    }
    this.headerPages = from.headerPages;
    this.ringClass = from.ringClass;
    this.ringBlock = from.ringBlock;
    this.ringPool = from.ringPool;
    this.index = from.index;
    this.index.rebind(this);
    this.numKeys = from.numKeys;
    this.strLen1 = from.strLen1;
    this.keyBlock = from.keyBlock;
    this.arena = from.arena;
    this.stringKeys = from.stringKeys;
    this.prev = from.prev;
    this.next = from.next;
    this.seg = from.seg;
    this.ver = from.ver;
    this.clock = from.clock;
    this.free = from.free;
    this.nFree = from.nFree;
    this.capacity = from.capacity;
    this.used = from.used;
    this.ends = from.ends;
    this.live = from.live;
    this.protCount = from.protCount;
    this.protBytes = from.protBytes;
    this.pinned = -1;
    this.rebalance();
  }

  /**
   * Resizes the slot arrays to `cap` slots (default: double, up to maxEntities), keeping
   * what fits. Their ~34 bytes a slot (42 with string keys) are copied at once (~20–35 ms per kind at a million
   * slots). Paging them like the headers removed that, but measured ~10 % slower for the
   * 15-feature offline pass (two more dependent loads on every recency and ring lookup),
   * so they stay flat; the key index, whose rehash was the larger part, grows incrementally.
   */
  private grow(cap = Math.min(this.maxEntities, Math.max(64, this.capacity * 2))): void {
    if (cap === 0) this.headerPages = []; // a cleared table starts over
    // A new array of the same type with the first `cap` values.
    const resize = <A extends Uint8Array | Int32Array | Float64Array>(a: A): A => {
      const b = new (a.constructor as new (n: number) => A)(cap);
      b.set(a.subarray(0, cap));
      return b;
    };
    this.ringClass = resize(this.ringClass);
    this.numKeys = resize(this.numKeys);
    this.ringBlock = resize(this.ringBlock);
    if (this.strLen1.length > 0 || cap === 0) {
      this.strLen1 = resize(this.strLen1);
      this.keyBlock = resize(this.keyBlock);
    }
    this.prev = resize(this.prev);
    this.next = resize(this.next);
    this.free = resize(this.free);
    this.seg = resize(this.seg);
    this.ver = resize(this.ver);
    this.capacity = cap;
  }
}

/** The constructor's arguments, refused by name (cold: once per entity kind). */
function checkTableArguments(shape: EntityShape, maxEntities: number, maxBytes: number, admission: AdmissionPolicy): void {
  const bad = (path: string, expected: string, got: unknown): never => {
    throw new FeatureError('invalid_argument', `new EntityTable: ${path} must be ${expected}, got ${got === null ? 'null' : typeof got === 'object' ? 'an object' : String(got)}`, [path]);
  };
  if (shape === null || typeof shape !== 'object') bad('shape', 'an EntityShape { headerSize, lanes, maxClass, signature }', shape);
  for (const k of ['headerSize', 'lanes', 'maxClass'] as const) {
    const v = shape[k];
    if (!Number.isInteger(v) || v < 0 || v > 1 << 20) bad(`shape.${k}`, 'a non-negative integer', v);
  }
  if (typeof shape.signature !== 'string') bad('shape.signature', 'a string', shape.signature);
  if (!Number.isInteger(maxEntities) || maxEntities < 1 || maxEntities > 2 ** 30) bad('maxEntities', 'an integer in [1, 2^30]', maxEntities);
  if (!(maxBytes > 0 && maxBytes < Infinity)) bad('maxBytes', 'a positive finite number', maxBytes);
  if (admission !== 'segmented' && admission !== 'lru') bad('admission', '"segmented" or "lru"', admission);
}
