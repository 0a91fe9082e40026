/**
 * The event rings of one entity kind, pooled: a ring of capacity 2^k (k = 1 … maxClass)
 * is a block of `lanes × 2^k` float64 in the pool of class k, laid out lane by lane (lane
 * l of slot s at `base + l·2^k + s`), so a scan over one lane reads contiguous memory.
 *
 * Why pools: an entity per JS object with its own typed arrays costs ~600 bytes of
 * overhead, an allocation per new entity (most card × terminal pairs are seen once or
 * twice) and old-generation garbage collection pauses once entities are evicted. Here
 * nothing is allocated per event or per entity in the steady state.
 *
 * Each class's blocks are kept dense: releasing a block moves the class's last block
 * into the hole (swap-remove) and reports whose block moved, so the pool holds exactly
 * the live blocks and a pool array shrinks when it falls below a quarter full. Memory is
 * therefore the live rings (the store's byte budget counts them) plus at most the slack
 * of the pool arrays' growth.
 *
 * @example
 * const pool = new RingPool(3, 8);          // 3 lanes, rings of 2 … 256 events
 * const b = pool.alloc(1, 42);              // a 2-event block owned by entity slot 42
 * pool.data(1)[pool.base(1, b) + 2 * 2];    // lane 2, ring slot 0
 * pool.release(1, b);                       // -1: no other block moved
 */
export class RingPool {
  /** Float64 lanes per event. */
  readonly lanes: number;
  /** Largest class: rings up to 2^maxClass events. */
  readonly maxClass: number;
  private readonly arrays: Float64Array[] = [];
  private readonly owners: Int32Array[] = [];
  private readonly counts: Int32Array;
  /** Bytes of the live blocks. */
  liveBytes = 0;

  constructor(lanes: number, maxClass: number) {
    this.lanes = lanes;
    this.maxClass = maxClass;
    this.counts = new Int32Array(maxClass + 1);
    for (let k = 0; k <= maxClass; k++) {
      this.arrays.push(new Float64Array(0));
      this.owners.push(new Int32Array(0));
    }
  }

  /** Doubles in one block of class k. */
  blockSize(k: number): number {
    return this.lanes << k;
  }

  /** The pool array of class k (re-read after any alloc or release: it may be replaced). */
  data(k: number): Float64Array {
    return this.arrays[k];
  }

  /** Offset of block b of class k in `data(k)`. */
  base(k: number, b: number): number {
    return b * (this.lanes << k);
  }

  /** Live blocks of class k. */
  count(k: number): number {
    return this.counts[k];
  }

  /** A new block of class k owned by `owner` (contents undefined); returns its index. */
  alloc(k: number, owner: number): number {
    const n = this.counts[k];
    const size = this.lanes << k;
    if ((n + 1) * size > this.arrays[k].length) this.resize(k, Math.max(4, n * 2));
    this.owners[k][n] = owner;
    this.counts[k] = n + 1;
    this.liveBytes += size * 8;
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
    if (b !== last) {
      const a = this.arrays[k];
      a.copyWithin(b * size, last * size, (last + 1) * size);
      moved = this.owners[k][last];
      this.owners[k][b] = moved;
    }
    this.counts[k] = last;
    this.liveBytes -= size * 8;
    const capBlocks = this.arrays[k].length / size;
    if (capBlocks > 16 && last < capBlocks / 4) this.resize(k, capBlocks / 2);
    return moved;
  }

  /** Drops every block. */
  clear(): void {
    for (let k = 0; k <= this.maxClass; k++) {
      this.arrays[k] = new Float64Array(0);
      this.owners[k] = new Int32Array(0);
      this.counts[k] = 0;
    }
    this.liveBytes = 0;
  }

  /** Bytes of the pool arrays, free room included. */
  allocatedBytes(): number {
    let s = 0;
    for (let k = 0; k <= this.maxClass; k++) s += this.arrays[k].byteLength + this.owners[k].byteLength;
    return s;
  }

  private resize(k: number, blocks: number): void {
    const size = this.lanes << k;
    const n = this.counts[k];
    const a = new Float64Array(blocks * size);
    a.set(this.arrays[k].subarray(0, n * size));
    const o = new Int32Array(blocks);
    o.set(this.owners[k].subarray(0, n));
    this.arrays[k] = a;
    this.owners[k] = o;
  }
}
