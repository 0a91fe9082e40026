import { compensatedAdd, compensatedAddSquare } from './compensated-sum';
import {
  C_DC, C_N, C_PEAK, C_S1, C_S2, C_STRIDE, L_COUNT, L_HI, L_KNOWN, L_LO, L_NEXT_HI, L_NEXT_LO, L_POS, L_STRIDE, W_COLS, W_COUNT, W_NEXT, W_TAIL,
  type WindowLayout,
} from './window-layout';

/**
 * Fixed per-history overhead in the byte budget (see `byteSize`): this object, its typed
 * arrays and their buffers, the store's entry and key, measured with `bench:features`
 * (heap growth per held entity minus array contents, Node 20).
 */
const HISTORY_OVERHEAD_BYTES = 640;
/** Event indices are renumbered before they leave the int32 range (`rebase`). */
const REBASE_AT = 2 ** 30;
const EMPTY = -1;
/** Sums are rebuilt when Σx² falls below this fraction of its peak (2^-40). */
const REFRESH_BELOW = 2 ** -40;

/**
 * The recent events of one entity and the running state of its windows.
 *
 * Events are numbered in arrival order (absolute indices `lo … hi-1` are held) and live
 * in a power-of-two ring of float64 (slot `i & (capacity - 1)`): per event its time, the
 * values its windows aggregate, for entities with label-delayed windows the outcome (NaN
 * until known) and a tag matching outcomes to events, and per distinct-count column a flag
 * "this value occurs again later". In front of the ring, in the same array, sits the
 * window state the `WindowLayout` describes: per window a tail index and running count,
 * compensated Σx and Σx², distinct counts; per min / max a monotone deque (Lemire 2006,
 * "Streaming maximum-minimum filter using no more than three comparisons per element")
 * over the longest window with one pointer per shorter window; per label window two
 * pointers and its counts. Each event enters each window once (at commit) and leaves it
 * once (when a later event's time pushes the tail past it), so the cost per event no
 * longer grows with the events an entity holds.
 *
 * Only events inside the entity's longest horizon are kept (and the newest, for time since
 * last), and never more than `maxEvents`, so the state of an entity is bounded whatever its
 * traffic.
 *
 * @example
 * const layout = new WindowLayout({ ncols: 1, windows: [3600], momentCols: [1], distinctCols: [0],
 *   minCols: [], maxCols: [], labelDelays: [], labelWindows: [] });
 * const h = new EntityHistory(layout, 8);
 * const st = new Float64Array(layout.stateSize);
 * h.commit(st, 100, new Float64Array([5]), 0); // time 100 s, value 5, tag 0
 * h.size; // 1
 */
export class EntityHistory {
  /** The window state block (`layout.stateSize` doubles), then the ring of events. */
  data: Float64Array;
  /** Monotone deques of event indices, `capacity` slots per deque; null without min / max. */
  deques: Int32Array | null = null;
  /**
   * Per distinct column, an open-addressing table (linear probing) value → newest event
   * index, as pairs `[value, index]` (index -1 = empty), so one probe reads one cache line.
   */
  table: Float64Array | null = null;
  tableCap = 0;
  /** Absolute index of the oldest held event, and of the next event to append. */
  lo = 0;
  hi = 0;
  /** Events dropped because `maxEvents` was reached before they left the horizon. */
  truncated = 0;
  /** Time of the newest event (kept here so the late-event check reads no ring slot). */
  private newest = -Infinity;
  readonly layout: WindowLayout;
  readonly maxEvents: number;
  private cap: number;

  constructor(layout: WindowLayout, maxEvents: number, initialCapacity = 4) {
    this.layout = layout;
    this.maxEvents = maxEvents;
    this.cap = Math.min(nextPow2(initialCapacity), nextPow2(maxEvents));
    this.data = new Float64Array(layout.stateSize + this.cap * layout.slotStride);
    if (layout.dequeCol.length > 0) this.deques = new Int32Array(layout.dequeCol.length * this.cap);
  }

  /** Number of events held. */
  get size(): number {
    return this.hi - this.lo;
  }

  /** Capacity of the ring in events (a power of two). */
  get capacity(): number {
    return this.cap;
  }

  /** Offset in `data` of event `i`'s slot. */
  slotOffset(i: number): number {
    return this.layout.stateSize + (i & (this.cap - 1)) * this.layout.slotStride;
  }

  /** Time of event `i` (seconds). */
  timeAt(i: number): number {
    return this.data[this.slotOffset(i)];
  }

  /** Time of the newest event, -Infinity when empty. */
  newestTs(): number {
    return this.hi === this.lo ? -Infinity : this.newest;
  }

  /**
   * Bytes this history holds, as the store's byte budget counts them: the typed arrays'
   * contents plus a fixed 640 bytes for the JS objects around them.
   */
  byteSize(): number {
    return this.data.length * 8 + (this.deques ? this.deques.length * 4 : 0)
      + (this.table ? this.table.length * 8 : 0) + HISTORY_OVERHEAD_BYTES;
  }

  /**
   * The most bytes one history of this layout can reach: the ring at its largest
   * power-of-two capacity and value tables at 8 slots per event.
   */
  static worstCaseBytes(layout: WindowLayout, maxEvents: number): number {
    const cap = nextPow2(maxEvents);
    return (layout.stateSize + cap * layout.slotStride) * 8 + layout.dequeCol.length * cap * 4
      + layout.distinctCol.length * 8 * cap * 16 + HISTORY_OVERHEAD_BYTES;
  }

  /**
   * Moves the window state block `st` (a copy of this history's, or this history's own)
   * forward to time `t` (>= every held time): events at or before `t - w` leave window w,
   * events at or before `t - delay` enter label window (delay, w) and those at or before
   * `t - delay - w` leave it. Reads the ring, writes only `st`.
   */
  advance(st: Float64Array, t: number): void {
    const L = this.layout;
    const data = this.data;
    const mask = this.cap - 1;
    const S = L.slotStride;
    const base = L.stateSize;
    const hi = this.hi;
    const windows = L.windows;
    const WS = L.windowStride;
    for (let b = 0; b < windows.length; b++) {
      const wo = b * WS;
      const cutoff = t - windows[b];
      if (st[wo + W_NEXT] > cutoff) continue;
      let tail = st[wo + W_TAIL];
      let next = Infinity;
      while (tail < hi) {
        const off = base + (tail & mask) * S;
        if (data[off] > cutoff) {
          next = data[off];
          break;
        }
        this.leaveWindow(st, wo, off);
        tail++;
      }
      st[wo + W_TAIL] = tail;
      st[wo + W_NEXT] = next;
      this.refreshSums(st, wo, tail);
    }
    const delays = L.labelDelays;
    const lwins = L.labelWindows;
    const lab = L.labelSlot;
    for (let g = 0; g < delays.length; g++) {
      const go = L.labelOffset + g * L_STRIDE;
      const hiCut = t - delays[g];
      const loCut = hiCut - lwins[g];
      if (st[go + L_NEXT_HI] > hiCut && st[go + L_NEXT_LO] > loCut) continue;
      let hg = st[go + L_HI];
      let nextHi = Infinity;
      while (hg < hi) {
        const off = base + (hg & mask) * S;
        if (data[off] > hiCut) {
          nextHi = data[off];
          break;
        }
        const y = data[off + lab];
        st[go + L_COUNT]++;
        if (y === y) {
          st[go + L_KNOWN]++;
          if (y > 0) st[go + L_POS]++;
        }
        hg++;
      }
      st[go + L_HI] = hg;
      st[go + L_NEXT_HI] = nextHi;
      let lg = st[go + L_LO];
      while (lg < hg) {
        const off = base + (lg & mask) * S;
        if (data[off] > loCut) break;
        this.leaveLabels(st, go, data[off + lab]);
        lg++;
      }
      st[go + L_LO] = lg;
      st[go + L_NEXT_LO] = lg < hi ? data[base + (lg & mask) * S] : Infinity;
    }
    if (L.dequeCol.length > 0) this.syncDeques(st);
  }

  /** Removes the event at slot offset `off` from window block `wo` of `st`. */
  private leaveWindow(st: Float64Array, wo: number, off: number): void {
    const L = this.layout;
    const data = this.data;
    const C = L.ncols;
    st[wo + W_COUNT]--;
    for (let c = 0; c < C; c++) {
      const x = data[off + 1 + c];
      if (x !== x) continue;
      const co = wo + W_COLS + c * C_STRIDE;
      const n = st[co + C_N] - 1;
      st[co + C_N] = n;
      if (L.momentCols[c] === 1) {
        if (n === 0) {
          // An empty window sums to exactly 0, whatever rounding residue is left.
          st[co + C_S1] = 0; st[co + C_S1 + 1] = 0; st[co + C_S2] = 0; st[co + C_S2 + 1] = 0; st[co + C_PEAK] = 0;
        } else {
          compensatedAdd(st, co + C_S1, -x);
          compensatedAddSquare(st, co + C_S2, x, -1);
        }
      }
      const d = L.distinctOf[c];
      // The value leaves the window's distinct set unless it occurs again later (those
      // later events are all inside the window: they are newer than this one).
      if (d >= 0 && data[off + L.flagSlot + d] === 0) st[co + C_DC]--;
    }
  }

  /**
   * Rebuilds a window's compensated sums from its events when Σx² fell below 2^-40 of its
   * peak: the sums' error is about 2^-105 of the peak, which would otherwise show in the
   * variance of the small values left (up to √(2^-105 · 10^18) ≈ 10^-7 after amounts of 10^9).
   * Rare (it needs the squares to shrink 10^12-fold), and bounded by the window's events.
   */
  private refreshSums(st: Float64Array, wo: number, tail: number): void {
    const L = this.layout;
    for (let c = 0; c < L.ncols; c++) {
      if (L.momentCols[c] !== 1) continue;
      const co = wo + W_COLS + c * C_STRIDE;
      if (!(st[co + C_S2] < st[co + C_PEAK] * REFRESH_BELOW)) continue;
      st[co + C_S1] = 0; st[co + C_S1 + 1] = 0; st[co + C_S2] = 0; st[co + C_S2 + 1] = 0;
      for (let i = tail; i < this.hi; i++) {
        const x = this.data[this.slotOffset(i) + 1 + c];
        if (x !== x) continue;
        compensatedAdd(st, co + C_S1, x);
        compensatedAddSquare(st, co + C_S2, x, 1);
      }
      st[co + C_PEAK] = st[co + C_S2];
    }
  }

  private leaveLabels(st: Float64Array, go: number, y: number): void {
    st[go + L_COUNT]--;
    if (y === y) {
      st[go + L_KNOWN]--;
      if (y > 0) st[go + L_POS]--;
    }
  }

  /** Drops deque fronts older than the longest window and moves each window's pointer to its first event. */
  private syncDeques(st: Float64Array): void {
    const L = this.layout;
    const dq = this.deques!;
    const cap = this.cap;
    const mask = cap - 1;
    const B = L.windows.length;
    const WS = L.windowStride;
    const tailMax = st[(B - 1) * WS + W_TAIL];
    for (let q = 0; q < L.dequeCol.length; q++) {
      const qo = L.dequeOffset + q * L.dequeStride;
      const qb = q * cap;
      let front = st[qo];
      const back = st[qo + 1];
      while (front < back && dq[qb + (front & mask)] < tailMax) front++;
      st[qo] = front;
      for (let b = 0; b < B; b++) {
        let p = st[qo + 2 + b];
        if (p < front) p = front;
        const tb = st[b * WS + W_TAIL];
        while (p < back && dq[qb + (p & mask)] < tb) p++;
        st[qo + 2 + b] = p;
      }
    }
  }

  /**
   * The extreme of column `c` over window `b` of state block `st` (advanced to the current
   * time): the event at the window's deque pointer. `empty` when the window holds no value.
   */
  extreme(st: Float64Array, q: number, b: number, c: number, empty: number): number {
    const L = this.layout;
    const qo = L.dequeOffset + q * L.dequeStride;
    const p = st[qo + 2 + b];
    if (p >= st[qo + 1]) return empty;
    const i = this.deques![q * this.cap + (p & (this.cap - 1))];
    return this.data[this.slotOffset(i) + 1 + c];
  }

  /** Newest index of value `x` in distinct table `d`, or -1 (callers ignore indices below `lo`). */
  lastIndexOf(d: number, x: number): number {
    const tb = this.table;
    if (tb === null) return EMPTY;
    if (x === 0) x = 0; // -0 and 0 are one value
    const mask = this.tableCap - 1;
    const base = 2 * d * this.tableCap;
    let h = hashOf(this.layout, x) & mask;
    for (;;) {
      const v = tb[base + 2 * h + 1];
      if (v === EMPTY) return EMPTY;
      if (tb[base + 2 * h] === x) return v;
      h = (h + 1) & mask;
    }
  }

  /**
   * Commits an event at `t` (>= every held time) whose windows were computed with state
   * block `st` (this history's block advanced to `t`): `st` becomes the state, events that
   * left every horizon are dropped (and the oldest when `maxEvents` are held, counted in
   * `truncated`), the event is appended and enters every window. Returns true when an
   * array was reallocated, so the store can re-account the size.
   */
  commit(st: Float64Array, t: number, values: Float64Array, tag: number): boolean {
    const L = this.layout;
    const W = L.stateSize;
    if (st !== this.data) {
      const data = this.data;
      for (let k = 0; k < W; k++) data[k] = st[k];
    }
    // The newest event always stays, so time since last survives a gap longer than the horizon.
    const cutoff = t - L.horizon;
    let newLo = this.lo;
    while (this.hi - newLo > 1 && this.timeAt(newLo) <= cutoff) newLo++;
    if (this.hi - newLo >= this.maxEvents) {
      // Full at the cap: the oldest event drops out early (documented as truncation).
      newLo = this.hi - this.maxEvents + 1;
      this.truncated++;
    }
    if (newLo > this.lo) this.dropBefore(newLo);
    let grew = false;
    if (this.hi - this.lo === this.cap) {
      this.grow();
      grew = true;
    }
    const i = this.hi;
    const data0 = this.data;
    const off0 = this.slotOffset(i);
    const C = L.ncols;
    data0[off0] = t;
    for (let c = 0; c < C; c++) data0[off0 + 1 + c] = values[c];
    if (L.withLabels) {
      data0[off0 + L.labelSlot] = NaN;
      data0[off0 + L.labelSlot + 1] = tag;
    }
    const D = L.distinctCol.length;
    for (let d = 0; d < D; d++) data0[off0 + L.flagSlot + d] = 0;
    const WS = L.windowStride;
    const B = L.windows.length;
    for (let d = 0; d < D; d++) {
      const c = L.distinctCol[d];
      const x = values[c];
      if (x !== x) continue;
      if (this.ensureTableRoom(d)) grew = true;
      const prev = this.upsert(d, x, i);
      const data = this.data;
      if (prev >= this.lo) data[this.slotOffset(prev) + L.flagSlot + d] = 1;
      // New to window b unless its previous occurrence is still inside.
      for (let b = 0; b < B; b++) {
        const wo = b * WS;
        if (prev < data[wo + W_TAIL]) data[wo + W_COLS + c * C_STRIDE + C_DC]++;
      }
    }
    const data = this.data;
    for (let g = 0; g < L.labelDelays.length; g++) {
      const go = L.labelOffset + g * L_STRIDE;
      if (data[go + L_HI] === i) data[go + L_NEXT_HI] = t;
      if (data[go + L_LO] === i) data[go + L_NEXT_LO] = t;
    }
    for (let b = 0; b < B; b++) {
      const wo = b * WS;
      if (data[wo + W_TAIL] === i) data[wo + W_NEXT] = t;
      data[wo + W_COUNT]++;
      for (let c = 0; c < C; c++) {
        const x = values[c];
        if (x !== x) continue;
        const co = wo + W_COLS + c * C_STRIDE;
        data[co + C_N]++;
        if (L.momentCols[c] === 1) {
          compensatedAdd(data, co + C_S1, x);
          compensatedAddSquare(data, co + C_S2, x, 1);
          if (data[co + C_S2] > data[co + C_PEAK]) data[co + C_PEAK] = data[co + C_S2];
        }
      }
    }
    const Q = L.dequeCol.length;
    if (Q > 0) {
      const dq = this.deques!;
      const cap = this.cap;
      const mask = cap - 1;
      for (let q = 0; q < Q; q++) {
        const c = L.dequeCol[q];
        const x = values[c];
        if (x !== x) continue;
        const isMax = L.dequeMax[q] === 1;
        const qo = L.dequeOffset + q * L.dequeStride;
        const qb = q * cap;
        const front = data[qo];
        let back = data[qo + 1];
        // Events the new one dominates can never be an extreme again (ties: the newer stays).
        while (back > front) {
          const xj = data[this.slotOffset(dq[qb + ((back - 1) & mask)]) + 1 + c];
          if (isMax ? xj <= x : xj >= x) back--;
          else break;
        }
        dq[qb + (back & mask)] = i;
        for (let b = 0; b < B; b++) if (data[qo + 2 + b] > back) data[qo + 2 + b] = back;
        data[qo + 1] = back + 1;
      }
    }
    this.hi = i + 1;
    this.newest = t;
    if (this.hi >= REBASE_AT) this.rebase();
    return grew;
  }

  /** Drops events `lo … newLo-1`, taking out of the running state those still counted. */
  private dropBefore(newLo: number): void {
    const L = this.layout;
    const data = this.data;
    const WS = L.windowStride;
    for (let b = 0; b < L.windows.length; b++) {
      const wo = b * WS;
      let tail = data[wo + W_TAIL];
      if (tail >= newLo) continue;
      while (tail < newLo) {
        this.leaveWindow(data, wo, this.slotOffset(tail));
        tail++;
      }
      data[wo + W_TAIL] = tail;
      data[wo + W_NEXT] = tail < this.hi ? this.timeAt(tail) : Infinity;
      this.refreshSums(data, wo, tail);
    }
    for (let g = 0; g < L.labelDelays.length; g++) {
      const go = L.labelOffset + g * L_STRIDE;
      let lg = data[go + L_LO];
      const hg = data[go + L_HI];
      while (lg < newLo) {
        if (lg < hg) this.leaveLabels(data, go, data[this.slotOffset(lg) + L.labelSlot]);
        lg++;
      }
      data[go + L_LO] = lg;
      data[go + L_NEXT_LO] = lg < this.hi ? this.timeAt(lg) : Infinity;
      if (hg < lg) {
        data[go + L_HI] = lg;
        data[go + L_NEXT_HI] = data[go + L_NEXT_LO];
      }
    }
    this.lo = newLo;
    if (L.dequeCol.length > 0) this.syncDeques(data);
  }

  /** Doubles the ring (and deques), moving each held event to its slot under the new mask. */
  private grow(): void {
    const L = this.layout;
    const W = L.stateSize;
    const S = L.slotStride;
    const cap = this.cap;
    const cap2 = cap * 2;
    const old = this.data;
    const data = new Float64Array(W + cap2 * S);
    for (let k = 0; k < W; k++) data[k] = old[k];
    for (let i = this.lo; i < this.hi; i++) {
      const from = W + (i & (cap - 1)) * S;
      const to = W + (i & (cap2 - 1)) * S;
      for (let k = 0; k < S; k++) data[to + k] = old[from + k];
    }
    const Q = L.dequeCol.length;
    if (Q > 0) {
      const od = this.deques!;
      const dq = new Int32Array(Q * cap2);
      for (let q = 0; q < Q; q++) {
        const qo = L.dequeOffset + q * L.dequeStride;
        for (let p = data[qo]; p < data[qo + 1]; p++) dq[q * cap2 + (p & (cap2 - 1))] = od[q * cap + (p & (cap - 1))];
      }
      this.deques = dq;
    }
    this.data = data;
    this.cap = cap2;
  }

  /**
   * Keeps distinct table `d` at most half full before an insert: rebuilds every table from
   * the held events (dropping values no longer held), doubling while one would be more than
   * a quarter full. Returns true when the tables were reallocated.
   */
  private ensureTableRoom(d: number): boolean {
    const L = this.layout;
    if (this.table !== null && (this.data[L.usedOffset + d] + 1) * 2 <= this.tableCap) return false;
    let cap = Math.max(8, this.tableCap);
    let realloc = this.table === null;
    for (;;) {
      if (this.rebuildTables(cap, realloc)) return realloc;
      cap *= 2;
      realloc = true;
    }
  }

  /** Refills the tables from the held events; false (nothing kept) when one would exceed a quarter of `cap`. */
  private rebuildTables(cap: number, realloc: boolean): boolean {
    const L = this.layout;
    const D = L.distinctCol.length;
    if (realloc) {
      this.table = new Float64Array(2 * D * cap);
      this.tableCap = cap;
    }
    const tb = this.table!;
    for (let k = 1; k < tb.length; k += 2) tb[k] = EMPTY;
    for (let d = 0; d < D; d++) {
      this.data[L.usedOffset + d] = 0;
      const c = L.distinctCol[d];
      for (let i = this.lo; i < this.hi; i++) {
        const x = this.data[this.slotOffset(i) + 1 + c];
        if (x === x) this.upsert(d, x, i);
      }
      if (this.data[L.usedOffset + d] * 4 > cap) return false;
    }
    return true;
  }

  /** Sets the newest index of `x` in table `d` to `i`; returns the previous one or -1. */
  private upsert(d: number, x: number, i: number): number {
    if (x === 0) x = 0;
    const tb = this.table!;
    const mask = this.tableCap - 1;
    const base = 2 * d * this.tableCap;
    let h = hashOf(this.layout, x) & mask;
    for (;;) {
      const k = base + 2 * h;
      const v = tb[k + 1];
      if (v === EMPTY) {
        tb[k] = x;
        tb[k + 1] = i;
        this.data[this.layout.usedOffset + d]++;
        return EMPTY;
      }
      if (tb[k] === x) {
        tb[k + 1] = i;
        return v;
      }
      h = (h + 1) & mask;
    }
  }

  /**
   * Renumbers events so the oldest held one gets an index below the capacity (slots do not
   * move). `commit` calls it before indices leave the int32 range; any time is safe.
   */
  rebase(): void {
    const L = this.layout;
    const mask = this.cap - 1;
    const shift = this.lo - (this.lo & mask);
    if (shift === 0) return;
    const data = this.data;
    this.lo -= shift;
    this.hi -= shift;
    for (let b = 0; b < L.windows.length; b++) data[b * L.windowStride + W_TAIL] -= shift;
    for (let g = 0; g < L.labelDelays.length; g++) {
      data[L.labelOffset + g * L_STRIDE + L_LO] -= shift;
      data[L.labelOffset + g * L_STRIDE + L_HI] -= shift;
    }
    const dq = this.deques;
    for (let q = 0; q < L.dequeCol.length; q++) {
      const qo = L.dequeOffset + q * L.dequeStride;
      for (let p = data[qo]; p < data[qo + 1]; p++) dq![q * this.cap + (p & mask)] -= shift;
      // Deque positions are counters too; shifting them by a multiple of the capacity keeps slots.
      const ps = data[qo] - (data[qo] & mask);
      for (let k = 0; k < L.dequeStride; k++) data[qo + k] -= ps;
    }
    if (this.table !== null) this.rebuildTables(this.tableCap, false);
  }

  /**
   * Records outcome `label` of the held event at time `ts` (with tag `tag` when `byTag`,
   * else the oldest one at `ts` whose outcome is unknown), updating the counts of the label
   * windows it is in. Returns 1 when found, else 0.
   */
  recordOutcome(ts: number, tag: number, label: number, byTag: boolean): number {
    const L = this.layout;
    if (!L.withLabels) return 0;
    // Times ascend with the index: bisect to the first event at `ts`, then walk the ties.
    let lo = this.lo;
    let hi = this.hi;
    while (lo < hi) {
      const mid = lo + ((hi - lo) >>> 1);
      if (this.timeAt(mid) < ts) lo = mid + 1;
      else hi = mid;
    }
    const data = this.data;
    for (let i = lo; i < this.hi; i++) {
      const off = this.slotOffset(i);
      if (data[off] !== ts) break;
      const y = data[off + L.labelSlot];
      if (byTag ? data[off + L.labelSlot + 1] !== tag : y === y) continue;
      data[off + L.labelSlot] = label;
      for (let g = 0; g < L.labelDelays.length; g++) {
        const go = L.labelOffset + g * L_STRIDE;
        if (data[go + L_LO] <= i && i < data[go + L_HI]) {
          if (y === y) {
            data[go + L_KNOWN]--;
            if (y > 0) data[go + L_POS]--;
          }
          data[go + L_KNOWN]++;
          if (label > 0) data[go + L_POS]++;
        }
      }
      return 1;
    }
    return 0;
  }
}

/** Hash of a double: integers mixed directly, other values through both 32-bit words (murmur3 finaliser). */
function hashOf(L: WindowLayout, x: number): number {
  let h: number;
  if ((x | 0) === x) h = x;
  else {
    L.f64[0] = x;
    h = L.u32[0] ^ Math.imul(L.u32[1], 0x9e3779b1);
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
