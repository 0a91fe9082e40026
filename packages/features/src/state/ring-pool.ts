/**
 * The event rings of one entity kind, pooled: a ring of capacity 2^k (k = 1 … maxClass)
 * is a block of `lanes × 2^k` float64 in the pool of class k. The layout inside a block is
 * its user's (EntityWindows puts records first, then value lanes and deques).
 *
 * Why pools: an entity per JS object with its own typed arrays costs ~600 bytes of
 * overhead, an allocation per new entity (most card × terminal pairs are seen once or
 * twice) and old-generation garbage collection pauses once entities are evicted. Here
 * nothing is allocated per event or per entity in the steady state.
 *
 * Each class's blocks are dense: releasing a block moves the class's last block into the
 * hole (swap-remove) and reports whose block moved, so the pool holds exactly the live
 * blocks. A class stores its blocks in pages of about 1 MiB (at least one block): growing
 * adds a page and never copies the blocks already there, so no event pays for copying a
 * pool of many megabytes; the last page is dropped once two pages' worth stand empty.
 *
 * @example
 * const pool = new RingPool(3, 8);          // 3 lanes, rings of 2 … 256 events
 * const b = pool.alloc(1, 42);              // a 2-event block owned by entity slot 42
 * pool.page(1, b)[pool.base(1, b) + 2 * 2]; // lane 2, ring slot 0
 * pool.release(1, b);                       // -1: no other block moved
 */
export class RingPool {
  /** Float64 lanes per event. */
  readonly lanes: number;
  /** Largest class: rings up to 2^maxClass events. */
  readonly maxClass: number;
  /** Per class, its pages, and per page the owner slot of each of its blocks. */
  private readonly pages: Float64Array[][] = [];
  private readonly owners: Int32Array[][] = [];
  private readonly counts: Int32Array;
  /** Blocks per page, per class: log2 of it. */
  private readonly pageShift: Int32Array;
  /** Bytes of the live blocks. */
  liveBytes = 0;

  constructor(lanes: number, maxClass: number) {
    this.lanes = lanes;
    this.maxClass = maxClass;
    this.counts = new Int32Array(maxClass + 1);
    this.pageShift = new Int32Array(maxClass + 1);
    for (let k = 0; k <= maxClass; k++) {
      this.pages.push([]);
      this.owners.push([]);
      // ~128k doubles (1 MiB) a page, a power of two of blocks, at least one block (an
      // entity kind that keeps no events has no lanes and never allocates a block).
      let shift = 0;
      while (lanes > 0 && (2 << shift) * (lanes << k) <= 1 << 17) shift++;
      this.pageShift[k] = shift;
    }
  }

  /** Doubles in one block of class k. */
  blockSize(k: number): number {
    return this.lanes << k;
  }

  /** The array holding block b of class k (valid until the next alloc or release). */
  page(k: number, b: number): Float64Array {
    return this.pages[k][b >>> this.pageShift[k]];
  }

  /** Offset of block b of class k in its page. */
  base(k: number, b: number): number {
    return (b & ((1 << this.pageShift[k]) - 1)) * (this.lanes << k);
  }

  /** Live blocks of class k. */
  count(k: number): number {
    return this.counts[k];
  }

  /**
   * A new block of class k owned by `owner`, zeroed; returns its index. Zeroed rather than
   * left with a released block's data so that a block's bytes depend only on its owner's
   * history: equal states give byte-equal snapshots (a memset of the block, which the
   * ring's growth copies into anyway).
   */
  alloc(k: number, owner: number): number {
    const n = this.counts[k];
    const per = 1 << this.pageShift[k];
    if (n === this.pages[k].length * per) {
      this.pages[k].push(new Float64Array(per * (this.lanes << k)));
      this.owners[k].push(new Int32Array(per));
    } else {
      const o = this.base(k, n);
      this.page(k, n).fill(0, o, o + (this.lanes << k));
    }
    this.owners[k][n >>> this.pageShift[k]][n & (per - 1)] = owner;
    this.counts[k] = n + 1;
    this.liveBytes += (this.lanes << k) * 8;
    return n;
  }

  /**
   * Frees block b of class k. The class's last block moves into its place; returns the
   * owner of the moved block (whose block index is now b), or -1 when none moved.
   */
  release(k: number, b: number): number {
    const last = this.counts[k] - 1;
    const size = this.lanes << k;
    let moved = -1;
    const sh = this.pageShift[k];
    const per = 1 << sh;
    if (b !== last) {
      // A memmove either way (a JS loop over a block of up to ~20 KB is several times
      // slower); only a move across pages needs a view, one small object per release.
      const from = this.page(k, last), fb = this.base(k, last), to = this.page(k, b), tb = this.base(k, b);
      if (to === from) to.copyWithin(tb, fb, fb + size);
      else to.set(from.subarray(fb, fb + size), tb);
      moved = this.owners[k][last >>> sh][last & (per - 1)];
      this.owners[k][b >>> sh][b & (per - 1)] = moved;
    }
    this.counts[k] = last;
    this.liveBytes -= size * 8;
    if (this.pages[k].length * per - last >= 2 * per) { this.pages[k].pop(); this.owners[k].pop(); }
    return moved;
  }

  /** Drops every block. */
  clear(): void {
    for (let k = 0; k <= this.maxClass; k++) {
      this.pages[k] = [];
      this.owners[k] = [];
      this.counts[k] = 0;
    }
    this.liveBytes = 0;
  }

  /** Bytes of the pool's arrays, free room included. */
  allocatedBytes(): number {
    let s = 0;
    for (let k = 0; k <= this.maxClass; k++) {
      for (const p of this.pages[k]) s += p.byteLength;
      for (const o of this.owners[k]) s += o.byteLength;
    }
    return s;
  }
}
