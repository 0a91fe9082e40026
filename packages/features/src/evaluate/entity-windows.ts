import { DistinctSet } from '../state/distinct-set';
import { ddAdd, ddAddMoments, ddAddSquare, ddDifference } from '../state/double-double';
import type { RingCopier } from '../state/entity-table';
import type { EntityStateTable } from '../state/state-store';
import type { StringKey } from '../state/string-key';
import { EntityWindowsLayout, HEAD, LAST, MIN_CLASS, NEXT, POINTERS, type EntityWindowsPlan } from './entity-windows-layout';

/*
 * Incremental entity windows: the state of every window of one entity kind, advanced
 * in O(1) amortised work per window and event instead of a rescan of the history.
 *
 * Each entity has a float64 header and a ring of its recent events (see EntityTable).
 * Events get consecutive sequence numbers; ring slot = seq & (capacity − 1).
 *
 * Header (per entity), pointers first so that what `load` needs shares a few cache lines:
 *   NEXT, HEAD, LAST       next sequence number, oldest held one, time of the newest event
 *   per window b           TAIL_b, the oldest event inside (t − w_b, t]
 *   per label delay d      HI_d, the first event after t − d
 *   per label group g      LO_g: events in [LO_g, HI_d) lie in (t − d − w, t − d]
 *   per min/max deque      its first position and length
 *   per moment column      running totals over the entity's life: n of values (optional
 *                          fields only), Σx and Σx² as double-doubles
 *   per window and distinct-count column: the count of values whose newest occurrence is inside
 *   per label group g      known and positive outcomes in [LO_g, HI_d)
 *
 * Ring block: first the event records, array-of-structs so that all a window reads of
 * one event sits together (the cost of an event is cache misses at the window tails, not
 * arithmetic): time; per moment column its value and the totals *before* the event
 * (exclusive prefix sums); per distinct-count column a flag "no later held event has
 * this value"; with label windows the outcome (NaN = unknown) and a tag that matches
 * outcomes to events. Then, per distinct-count column, its values in a lane of their own
 * (the backward scan for an earlier occurrence reads 8 bytes an event, not a record),
 * and per min/max column a monotone deque of (sequence, value) pairs.
 *
 * How each aggregate stays exact and O(1):
 * - count, Σx, Σx² over window b: totals minus the prefix stored in the record at
 *   TAIL_b, in double-double (see double-double.ts): for realistic values (cents up to
 *   1e9, a life of 1e6 events) the prefixes are exact, so a window's sum is the exact sum
 *   of its values, whatever the order they came in, and equal values have variance 0.
 *   The error is 2^-106 of the totals, so when the held events' sum falls below 2^-40 of
 *   the totals (a huge value has left the ring) every prefix is rebased on the oldest
 *   held event.
 * - min / max: a monotone deque per column over the longest window (values strictly
 *   decreasing for max, newer ties win); the max of window b is the first entry whose
 *   sequence is >= TAIL_b, found for all windows in one pass over the deque.
 * - distinct count: the flag marks the newest occurrence of each value; a window's count
 *   is the number of flagged events inside it, kept per window (an event that leaves
 *   takes its flag with it). A new event clears the flag of the previous occurrence of
 *   its value (found by a backward scan of the longest window, stopping at the first
 *   match) in the windows that hold it.
 * - label windows: one HI pointer per delay, and per group a LO pointer and two
 *   counters; recordOutcome on an event between the pointers updates the counters.
 *
 * Every event is queried on a copy of its entity's header (`load(slot)`, `query`), so
 * computing features writes nothing: an event refused after its features were computed
 * (a model failed, a decision was not reached) leaves the state bit-identical. `commit`
 * then writes the advanced copy back and appends the event. The header is a few hundred
 * bytes, so the copy in and out costs far less than the cache misses of the ring. A late
 * event (older than the entity's newest) is answered by a backward scan that reads only.
 */

/** Totals 2^40 times the held events' sum trigger a rebase of the prefixes (module comment). */
const REBASE_RATIO = 2 ** 40;

/**
 * The window engine of one entity kind. After `load` + `query` (or `queryLate`), its
 * public arrays hold the event's view of its entity, per window b and column c at
 * `b·C + c`: `wn[b]` (events), `wnv` (values, optional fields), `wsum` / `wsq` (Σx and
 * Σx² as double-double pairs at `2·(b·C + c)`), `wmin` / `wmax` (±Infinity when empty),
 * `dc` (distinct values) and `present` (the event's own value already occurs in the
 * window); per label group g at `3g`: `lab` (events, known, positive outcomes); `last`
 * (time of the newest earlier event, -Infinity when none).
 *
 * @example
 * const w = new EntityWindows(plan, layout, table);
 * w.load(slot); w.query(t, values);                                   // read-only
 * w.load(slot); w.query(t, values); w.commit(slot, key, t, values, tag, NaN);
 */
export class EntityWindows implements RingCopier {
  readonly plan: EntityWindowsPlan;
  readonly layout: EntityWindowsLayout;
  readonly table: EntityStateTable;
  readonly wn: Float64Array;
  readonly wnv: Float64Array;
  readonly wsum: Float64Array;
  readonly wsq: Float64Array;
  readonly wmin: Float64Array;
  readonly wmax: Float64Array;
  readonly dc: Float64Array;
  readonly present: Uint8Array;
  readonly lab: Float64Array;
  last = -Infinity;
  /** Header the event works on: `scratch` while querying, the table's (`ho` = its offset) while committing. */
  private H: Float64Array;
  private ho = 0;
  private readonly scratch: Float64Array;
  private readonly empty: Float64Array;
  /** Per distinct column: sequence of the newest earlier occurrence of the event's value in the longest window, or -1. */
  private readonly prevOcc: Float64Array;
  /** Flat lists: distinct columns (c, flag field), sum columns (c), deques (c, header offset, region, is max). */
  private readonly dcCols: Int32Array;
  private readonly sumCols: Int32Array;
  private readonly deques: Int32Array;
  private readonly sets: (DistinctSet | null)[];
  /** Scratch of the late-event scan, per column: n, Σx hi/lo, Σx² hi/lo, distinct. */
  private readonly lateRun: Float64Array;
  private readonly lateMin: Float64Array;
  private readonly lateMax: Float64Array;
  private readonly lateSeen: Float64Array;
  /** Sum of what `lastTime` and `load` read ahead, kept only so the reads are not optimised away. */
  private sink = 0;
  /** The held events [growHead, growNext) that `copyRing` moves when the ring grows. */
  private growHead = 0;
  private growNext = 0;
  /** Double-double scratch of the rebase: the held sum, then the base. */
  private readonly held = new Float64Array(4);
  /** Ring of the entity being processed: its pool array, block offset, capacity - 1. */
  private data: Float64Array = new Float64Array(0);
  private base = 0;
  private cap = 0;
  private mask = 0;

  constructor(plan: EntityWindowsPlan, layout: EntityWindowsLayout, table: EntityStateTable) {
    this.plan = plan;
    // The compiler's layout, not the table's shape: a table restored from a snapshot
    // carries only the shape's numbers and signature.
    this.layout = layout;
    this.table = table;
    const L = this.layout;
    const BC = L.B * L.C;
    this.wn = new Float64Array(L.B);
    this.wnv = new Float64Array(BC);
    this.wsum = new Float64Array(2 * BC);
    this.wsq = new Float64Array(2 * BC);
    this.wmin = new Float64Array(BC);
    this.wmax = new Float64Array(BC);
    this.dc = new Float64Array(BC);
    this.present = new Uint8Array(BC);
    this.lab = new Float64Array(3 * L.G);
    this.scratch = new Float64Array(L.headerSize);
    this.H = this.scratch;
    this.empty = new Float64Array(L.headerSize);
    this.empty[LAST] = -Infinity;
    this.prevOcc = new Float64Array(L.C).fill(-1);
    const dcCols: number[] = [];
    const sumCols: number[] = [];
    const deques: number[] = [];
    for (let c = 0; c < L.C; c++) {
      if (L.fFlag[c] >= 0) dcCols.push(c, L.fFlag[c]);
      if (L.totS[c] >= 0) sumCols.push(c);
      if (L.dqMax[c] >= 0) deques.push(c, L.dqMaxOff[c], L.dqMax[c], 1);
      if (L.dqMin[c] >= 0) deques.push(c, L.dqMinOff[c], L.dqMin[c], 0);
    }
    this.dcCols = Int32Array.from(dcCols);
    this.sumCols = Int32Array.from(sumCols);
    this.deques = Int32Array.from(deques);
    this.sets = Array.from(plan.distinct, (d) => (d ? new DistinctSet(plan.maxEvents) : null));
    this.lateRun = new Float64Array(L.C * 6);
    this.lateMin = new Float64Array(L.C);
    this.lateMax = new Float64Array(L.C);
    this.lateSeen = new Float64Array(L.C);
  }

  /**
   * Time of the newest committed event of a held entity. Reads one value on each cache
   * line of its header as well, so the lines `load` needs next arrive together.
   */
  lastTime(slot: number): number {
    const hd = this.table.headerPage(slot);
    const o = this.table.headerOffset(slot);
    let x = 0;
    for (let i = 8; i < this.layout.headerSize; i += 8) x += hd[o + i];
    this.sink = x;
    return hd[o + LAST];
  }

  private bindRing(slot: number): void {
    const k = slot >= 0 ? this.table.ringClass[slot] : 0;
    if (k > 0) {
      const b = this.table.ringBlock[slot];
      this.data = this.table.pool.page(k, b);
      this.base = this.table.pool.base(k, b);
      this.cap = 1 << k;
      this.mask = this.cap - 1;
    } else {
      this.cap = 0;
      this.mask = 0;
    }
  }

  /** Offset in `data` of the record of event q. */
  private rec(q: number): number {
    return this.base + (q & this.mask) * this.layout.R;
  }

  /** Offset in `data` of deque region j's entry at position p (sequence, then value). */
  private dq(j: number, p: number): number {
    return this.base + this.cap * (this.layout.R + this.layout.nValLanes + 2 * j) + (p & this.mask) * 2;
  }

  /** Offset in `data` of distinct-value lane v at event q. */
  private val(v: number, q: number): number {
    return this.base + this.cap * (this.layout.R + v) + (q & this.mask);
  }

  /** Column c's value at the event whose record is at r (event q). */
  private valueAt(c: number, r: number, q: number): number {
    const L = this.layout;
    return L.fCol[c] >= 0 ? this.data[r + L.fCol[c]] : this.data[this.val(L.valLane[c], q)];
  }

  /**
   * Binds the entity in `slot` (-1: not held yet) for `query`, on a copy of its header (the
   * state stays as it was until `commit`). Then reads the event at every window and label pointer in
   * one pass with no branches: these reads are the cache misses of an event (each
   * pointer sits at another place of the entity's history), and issued together they
   * overlap instead of waiting for one another. Call for every entity of an event, then
   * `query` each.
   */
  load(slot: number): void {
    const L = this.layout;
    const HS = L.headerSize;
    if (slot < 0) {
      this.scratch.set(this.empty);
      this.H = this.scratch;
      this.ho = 0;
    } else {
      const hd = this.table.headerPage(slot);
      const o = this.table.headerOffset(slot);
      const S = this.scratch;
      for (let i = 0; i < HS; i++) S[i] = hd[o + i];
      this.H = S;
      this.ho = 0;
    }
    this.bindRing(slot);
    if (this.cap === 0) return;
    const H = this.H, ho = this.ho, d = this.data;
    // Each pointer's record and the next one (a pointer that moves reads it; records are
    // wider than half a cache line). A pointer at NEXT reads stale slots: never used.
    const last = L.R - 1;
    let x = 0;
    for (let i = 0; i < L.nPointers; i++) {
      const q = H[ho + POINTERS + i];
      const r = this.rec(q), r1 = this.rec(q + 1);
      x += d[r] + d[r + last] + d[r1] + d[r1 + last];
    }
    const newest = H[ho + NEXT] - 1;
    x += d[this.rec(newest)];
    for (let c = 0; c < L.C; c++) if (L.valLane[c] >= 0) x += d[this.val(L.valLane[c], newest)];
    const dqs = this.deques;
    for (let j = 0; j < dqs.length; j += 4) x += d[this.dq(dqs[j + 2], H[ho + dqs[j + 1]])];
    this.sink = x;
  }

  /**
   * The view of an event at time t (not older than the entity's newest event) with
   * column values `x`, for the entity loaded last.
   */
  query(t: number, x: Float64Array): void {
    const L = this.layout;
    const H = this.H, ho = this.ho, d = this.data;
    const base = this.base, mask = this.mask, R = L.R;
    const next = H[ho + NEXT];
    const B = L.B, C = L.C;
    const windows = this.plan.windows;
    const winOff = L.winOff, dcOff = L.dcOff, dcCols = this.dcCols, nDc = dcCols.length;
    const sumCols = this.sumCols, nSum = sumCols.length;
    const totS = L.totS, totQ = L.totQ, totN = L.totN, fS = L.fS, fQ = L.fQ, fN = L.fN;
    const wsum = this.wsum, wsq = this.wsq, wnv = this.wnv;
    for (let b = 0; b < B; b++) {
      // Move the tail past the events that have left (t − w, t]; a leaving event takes
      // its distinct flags with it.
      const edge = t - windows[b];
      let tail = H[ho + winOff[b]];
      while (tail < next) {
        const r = base + (tail & mask) * R;
        if (d[r] > edge) break;
        for (let j = 0; j < nDc; j += 2) H[ho + dcOff[b * C + dcCols[j]]] -= d[r + dcCols[j + 1]];
        tail++;
      }
      H[ho + winOff[b]] = tail;
      this.wn[b] = next - tail;
      for (let j = 0; j < nDc; j += 2) this.dc[b * C + dcCols[j]] = H[ho + dcOff[b * C + dcCols[j]]];
      // Sums over [tail, next): totals minus the prefix before the tail event.
      const r = base + (tail & mask) * R;
      if (tail < next) {
        for (let j = 0; j < nSum; j++) {
          const c = sumCols[j];
          const bc = b * C + c;
          if (totN[c] >= 0) wnv[bc] = H[ho + totN[c]] - d[r + fN[c]];
          ddDifference(H, ho + totS[c], d, r + fS[c], wsum, 2 * bc);
          const q = totQ[c];
          if (q >= 0) ddDifference(H, ho + q, d, r + fQ[c], wsq, 2 * bc);
        }
      } else {
        for (let j = 0; j < nSum; j++) {
          const bc = b * C + sumCols[j];
          wnv[bc] = 0; wsum[2 * bc] = 0; wsum[2 * bc + 1] = 0; wsq[2 * bc] = 0; wsq[2 * bc + 1] = 0;
        }
      }
    }
    if (B > 0) {
      const longest = H[ho + winOff[B - 1]];
      // Newest earlier occurrence of the event's value, for distinct counts.
      for (let j = 0; j < nDc; j += 2) {
        const c = dcCols[j];
        const v = x[c];
        const lane = base + this.cap * (R + L.valLane[c]);
        let found = -1;
        if (v === v) {
          for (let q = next - 1; q >= longest; q--) {
            if (d[lane + (q & mask)] === v) { found = q; break; }
          }
        }
        this.prevOcc[c] = found;
        for (let b = 0; b < B; b++) this.present[b * C + c] = found >= 0 && found >= H[ho + winOff[b]] ? 1 : 0;
      }
      // Min / max: one pass over each deque, longest window (oldest tail) first.
      const dqs = this.deques;
      for (let j = 0; j < dqs.length; j += 4) {
        const c = dqs[j], dqo = dqs[j + 1], region = dqs[j + 2];
        const out = dqs[j + 3] === 1 ? this.wmax : this.wmin;
        const none = dqs[j + 3] === 1 ? -Infinity : Infinity;
        const first = H[ho + dqo];
        const end = first + H[ho + dqo + 1];
        const rb = base + this.cap * (R + L.nValLanes + 2 * region);
        let p = first;
        for (let b = B - 1; b >= 0; b--) {
          const tail = H[ho + winOff[b]];
          while (p < end && d[rb + (p & mask) * 2] < tail) p++;
          out[b * C + c] = p < end ? d[rb + (p & mask) * 2 + 1] : none;
        }
      }
    }
    // Label windows: [LO_g, HI_d) = events in (t − d − w, t − d].
    const G = L.G;
    const fl = L.fLabel;
    for (let k = 0; k < L.delays.length; k++) {
      let hi = H[ho + L.hiOff[k]];
      const edgeHi = t - L.delays[k];
      while (hi < next) {
        const r = base + (hi & mask) * R;
        if (d[r] > edgeHi) break;
        const y = d[r + fl];
        if (y === y) {
          for (let g = 0; g < G; g++) {
            if (L.labDelayIdx[g] === k) { H[ho + L.labCnt[g]] += 1; if (y > 0) H[ho + L.labCnt[g] + 1] += 1; }
          }
        }
        hi++;
      }
      H[ho + L.hiOff[k]] = hi;
    }
    for (let g = 0; g < G; g++) {
      const o = ho + L.labOff[g];
      const n = ho + L.labCnt[g];
      const hi = H[ho + L.hiOff[L.labDelayIdx[g]]];
      const edgeLo = t - this.plan.labSpan[g];
      let lo = H[o];
      while (lo < hi) {
        const r = base + (lo & mask) * R;
        if (d[r] > edgeLo) break;
        const y = d[r + fl];
        if (y === y) { H[n] -= 1; if (y > 0) H[n + 1] -= 1; }
        lo++;
      }
      H[o] = lo;
      this.lab[3 * g] = hi - lo;
      this.lab[3 * g + 1] = H[n];
      this.lab[3 * g + 2] = H[n + 1];
    }
    this.last = H[ho + LAST];
  }

  /** Doubles `saveQuery` writes: the advanced header copy and the earlier occurrences. */
  get querySize(): number {
    return this.layout.headerSize + this.layout.C;
  }

  /**
   * Copies what `commit` needs of the last `query` (the advanced header, the earlier
   * occurrences of distinct values) into `to` at `at`; returns the offset after it. Lets
   * another event be queried before this one commits (`restoreQuery` puts it back).
   */
  saveQuery(to: Float64Array, at: number): number {
    to.set(this.scratch, at);
    to.set(this.prevOcc, at + this.scratch.length);
    return at + this.scratch.length + this.prevOcc.length;
  }

  /** Puts back a query saved by `saveQuery`; returns the offset after it. */
  restoreQuery(from: Float64Array, at: number): number {
    const hs = this.scratch.length, c = this.prevOcc.length;
    this.scratch.set(from.subarray(at, at + hs));
    this.prevOcc.set(from.subarray(at + hs, at + hs + c));
    this.H = this.scratch;
    this.ho = 0;
    return at + hs + c;
  }

  /**
   * The view of a late event (older than the entity's newest): one backward scan of the
   * ring over the events at or before t, later ones skipped. Windows reaching further
   * back than the ring holds see only what it holds. Reads only.
   */
  queryLate(slot: number, t: number, x: Float64Array): void {
    const L = this.layout;
    const B = L.B;
    const C = L.C;
    this.bindRing(slot);
    const d = this.data;
    const hd = this.table.headerPage(slot);
    const head = hd[this.table.headerOffset(slot) + HEAD];
    const next = hd[this.table.headerOffset(slot) + NEXT];
    for (let c = 0; c < C; c++) this.sets[c]?.clear();
    const windows = this.plan.windows;
    const run = this.lateRun;
    const mn = this.lateMin;
    const mx = this.lateMax;
    const curSeen = this.lateSeen;
    run.fill(0);
    mn.fill(Infinity);
    mx.fill(-Infinity);
    curSeen.fill(-Infinity);
    this.lab.fill(0);
    let count = 0;
    let b = 0;
    const snapshot = (): void => {
      this.wn[b] = count;
      for (let c = 0; c < C; c++) {
        const bc = b * C + c;
        this.wnv[bc] = run[c * 6];
        this.wsum[2 * bc] = run[c * 6 + 1]; this.wsum[2 * bc + 1] = run[c * 6 + 2];
        this.wsq[2 * bc] = run[c * 6 + 3]; this.wsq[2 * bc + 1] = run[c * 6 + 4];
        this.dc[bc] = run[c * 6 + 5];
        this.wmin[bc] = mn[c];
        this.wmax[bc] = mx[c];
        this.present[bc] = curSeen[c] > t - windows[b] ? 1 : 0;
      }
    };
    let last = -Infinity;
    for (let q = next - 1; q >= head && this.cap > 0; q--) {
      const r = this.rec(q);
      const ts = d[r];
      if (ts > t) continue;
      if (last === -Infinity) last = ts;
      while (b < B && ts <= t - windows[b]) { snapshot(); b++; }
      if (b < B) {
        count++;
        for (let c = 0; c < C; c++) {
          const v = this.valueAt(c, r, q);
          if (v !== v) continue;
          run[c * 6] += 1;
          ddAdd(run, c * 6 + 1, v);
          ddAddSquare(run, c * 6 + 3, v);
          if (v < mn[c]) mn[c] = v;
          if (v > mx[c]) mx[c] = v;
          const set = this.sets[c];
          if (set !== null) {
            if (set.add(v)) run[c * 6 + 5] += 1;
            if (v === x[c] && curSeen[c] === -Infinity) curSeen[c] = ts;
          }
        }
      }
      for (let g = 0; g < L.G; g++) {
        if (ts <= t - this.plan.labDelay[g] && ts > t - this.plan.labSpan[g]) {
          this.lab[3 * g] += 1;
          const y = d[r + L.fLabel];
          if (y === y) { this.lab[3 * g + 1] += 1; if (y > 0) this.lab[3 * g + 2] += 1; }
        }
      }
    }
    while (b < B) { snapshot(); b++; }
    // A held entity with no ring (time since last only) knows only its newest time,
    // which is after t here: no earlier event is known.
    this.last = last;
  }

  /**
   * Commits the event queried last (`load(slot)` + `query` with the same t and x) for
   * `key`: creates the entity when `slot` is -1, writes the advanced header back and
   * appends the event, with its outcome `label` (NaN: unknown, to come through
   * `recordOutcome`). Returns the entity's slot.
   */
  commit(slot: number, key: number | StringKey, t: number, x: Float64Array, tag: number, label: number): number {
    const L = this.layout;
    const table = this.table;
    const C = L.C;
    const B = L.B;
    // The query advanced the scratch copy of the header (a new entity: the empty one).
    if (slot < 0) slot = table.create(key);
    else table.touch(slot);
    table.headerPage(slot).set(this.scratch, table.headerOffset(slot));
    const H = table.headerPage(slot);
    const ho = table.headerOffset(slot);
    this.H = H;
    this.ho = ho;
    const next = H[ho + NEXT];
    if (L.lanes > 0) {
      let head = next;
      if (B > 0) head = H[ho + L.winOff[B - 1]];
      for (let g = 0; g < L.G; g++) head = Math.min(head, H[ho + L.labOff[g]]);
      // Room for one more event: grow the ring, or at the cap drop the oldest event.
      if (next - head + 1 > this.ringCapacity(slot)) {
        const k = table.ringClass[slot];
        if (k === 0 || 1 << k < this.plan.maxEvents) this.growRing(slot, k === 0 ? MIN_CLASS : k + 1, head, next);
      }
      this.bindRing(slot);
      if (next - head + 1 > this.cap || next - head >= this.plan.maxEvents) {
        this.truncate(head);
        head++;
      }
      H[ho + HEAD] = head;
      const d = this.data;
      const r = this.rec(next);
      d[r] = t;
      for (let c = 0; c < C; c++) {
        if (L.fCol[c] < 0 && L.valLane[c] < 0) continue;
        const v = x[c];
        if (L.fCol[c] >= 0) d[r + L.fCol[c]] = v;
        if (L.valLane[c] >= 0) d[this.val(L.valLane[c], next)] = v;
        const ts = L.totS[c];
        if (ts >= 0) {
          // The prefix before this event, then the totals move on.
          const tn = L.totN[c];
          if (tn >= 0) { d[r + L.fN[c]] = H[ho + tn]; if (v === v) H[ho + tn] += 1; }
          d[r + L.fS[c]] = H[ho + ts]; d[r + L.fS[c] + 1] = H[ho + ts + 1];
          const tq = L.totQ[c];
          if (tq >= 0) {
            // Σx² sits right after Σx (see the layout): both move on in one call that takes no float.
            d[r + L.fQ[c]] = H[ho + tq]; d[r + L.fQ[c] + 1] = H[ho + tq + 1];
            if (v === v) ddAddMoments(H, ho + ts, x, c);
          } else if (v === v) ddAdd(H, ho + ts, v);
        }
        const ff = L.fFlag[c];
        if (ff >= 0) {
          d[r + ff] = v === v ? 1 : 0;
          const p = this.prevOcc[c];
          if (v === v) {
            if (p >= head) {
              // The earlier occurrence is no longer the newest: unflag it where it counted.
              d[this.rec(p) + ff] = 0;
              for (let b = 0; b < B; b++) if (p >= H[ho + L.winOff[b]]) H[ho + L.dcOff[b * C + c]] -= 1;
            }
            for (let b = 0; b < B; b++) H[ho + L.dcOff[b * C + c]] += 1;
          }
        }
        if (v === v) {
          if (L.dqMax[c] >= 0) this.dequePush(L.dqMaxOff[c], L.dqMax[c], next, x, c, true);
          if (L.dqMin[c] >= 0) this.dequePush(L.dqMinOff[c], L.dqMin[c], next, x, c, false);
        }
      }
      if (L.fLabel >= 0) {
        d[r + L.fLabel] = label;
        d[r + L.fTag] = tag;
      }
      this.rebaseIfNeeded(head, next + 1);
    }
    H[ho + NEXT] = next + 1;
    H[ho + LAST] = t;
    return slot;
  }

  /**
   * Rebases the prefix sums of a column on the oldest held event when the totals dwarf
   * what the ring holds (the error of a window's sum is 2^-106 of the totals).
   */
  private rebaseIfNeeded(head: number, next: number): void {
    const L = this.layout;
    const H = this.H, ho = this.ho, d = this.data;
    const r0 = this.rec(head);
    const held = this.held;
    for (let j = 0; j < this.sumCols.length; j++) {
      const c = this.sumCols[j];
      const ts = L.totS[c];
      const tq = L.totQ[c];
      // Σx² when kept (it cannot cancel), else Σx.
      const o = tq >= 0 ? tq : ts;
      const fo = tq >= 0 ? L.fQ[c] : L.fS[c];
      ddDifference(H, ho + o, d, r0 + fo, held, 0);
      if (!(Math.abs(H[ho + o]) > REBASE_RATIO * Math.abs(held[0]))) continue;
      for (let part = 0; part < 3; part++) {
        const to = part === 0 ? ts : part === 1 ? tq : L.totN[c];
        const f = part === 0 ? L.fS[c] : part === 1 ? L.fQ[c] : L.fN[c];
        if (to < 0) continue;
        const isPair = part < 2;
        // The base (the oldest held prefix), copied first: the loop rebases its record too.
        held[2] = d[r0 + f];
        held[3] = isPair ? d[r0 + f + 1] : 0;
        for (let q = head; q < next; q++) {
          const r = this.rec(q) + f;
          if (isPair) ddDifference(d, r, held, 2, d, r);
          else d[r] -= held[2];
        }
        if (isPair) ddDifference(H, ho + to, held, 2, H, ho + to);
        else H[ho + to] -= held[2];
      }
    }
  }

  private ringCapacity(slot: number): number {
    const k = this.table.ringClass[slot];
    return k > 0 ? 1 << k : 0;
  }

  /** Moves the entity's records (and deques) into a ring of class k. */
  private growRing(slot: number, k: number, head: number, next: number): void {
    this.growHead = head;
    this.growNext = next;
    this.table.setRing(slot, k, this);
  }

  /** RingCopier: the held events [growHead, growNext) and the deques of the entity bound in H. */
  copyRing(from: Float64Array, fb: number, fk: number, to: Float64Array, tb: number, k: number): void {
    const L = this.layout;
    const H = this.H, ho = this.ho;
    const R = L.R;
    const head = this.growHead, next = this.growNext;
    const fmask = (1 << fk) - 1;
    const tcap = 1 << k;
    const tmask = tcap - 1;
    for (let q = head; q < next; q++) {
      const f = fb + (q & fmask) * R;
      const t = tb + (q & tmask) * R;
      for (let i = 0; i < R; i++) to[t + i] = from[f + i];
    }
    for (let v = 0; v < L.nValLanes; v++) {
      const fl = fb + (fmask + 1) * (R + v);
      const tl = tb + tcap * (R + v);
      for (let q = head; q < next; q++) to[tl + (q & tmask)] = from[fl + (q & fmask)];
    }
    const dqs = this.deques;
    for (let j = 0; j < dqs.length; j += 4) {
      const dqo = dqs[j + 1], region = dqs[j + 2];
      const fd = fb + (fmask + 1) * (R + L.nValLanes + 2 * region);
      const td = tb + tcap * (R + L.nValLanes + 2 * region);
      const first = H[ho + dqo];
      for (let p = first; p < first + H[ho + dqo + 1]; p++) {
        to[td + (p & tmask) * 2] = from[fd + (p & fmask) * 2];
        to[td + (p & tmask) * 2 + 1] = from[fd + (p & fmask) * 2 + 1];
      }
    }
  }

  /** Drops the oldest held event q = head at the cap: out of every window, label group and deque. */
  private truncate(q: number): void {
    const L = this.layout;
    const H = this.H, ho = this.ho, d = this.data;
    const r = this.rec(q);
    const C = L.C;
    for (let b = 0; b < L.B; b++) {
      if (H[ho + L.winOff[b]] !== q) continue;
      for (let j = 0; j < this.dcCols.length; j += 2) H[ho + L.dcOff[b * C + this.dcCols[j]]] -= d[r + this.dcCols[j + 1]];
      H[ho + L.winOff[b]] = q + 1;
    }
    for (let g = 0; g < L.G; g++) {
      const o = ho + L.labOff[g];
      if (H[o] !== q) continue;
      const hio = ho + L.hiOff[L.labDelayIdx[g]];
      if (H[hio] > q) {
        const y = d[r + L.fLabel];
        const n = ho + L.labCnt[g];
        if (y === y) { H[n] -= 1; if (y > 0) H[n + 1] -= 1; }
      } else H[hio] = q + 1; // not reached by HI yet: every group of this delay is empty at q
      H[o] = q + 1;
    }
    const dqs = this.deques;
    for (let j = 0; j < dqs.length; j += 4) {
      const dqo = ho + dqs[j + 1];
      if (H[dqo + 1] > 0 && d[this.dq(dqs[j + 2], H[dqo])] === q) { H[dqo] += 1; H[dqo + 1] -= 1; }
    }
  }

  /**
   * Pushes (q, v = x[c]) on monotone deque j, and drops entries that left the longest
   * window. Takes the value's column, not the value: a float argument would be a heap
   * number where the caller cannot inline this.
   */
  private dequePush(dqo: number, j: number, q: number, x: Float64Array, c: number, isMax: boolean): void {
    const v = x[c];
    const H = this.H, o = this.ho + dqo, d = this.data;
    let first = H[o];
    let len = H[o + 1];
    // Newer ties win: pop every entry not strictly better than v.
    while (len > 0) {
      const back = d[this.dq(j, first + len - 1) + 1];
      if (isMax ? back <= v : back >= v) len--;
      else break;
    }
    const e = this.dq(j, first + len);
    d[e] = q;
    d[e + 1] = v;
    len++;
    const tail = H[this.ho + this.layout.winOff[this.layout.B - 1]];
    while (len > 0 && d[this.dq(j, first)] < tail) { first++; len--; }
    H[o] = first;
    H[o + 1] = len;
  }

  /**
   * Records an outcome for the held event at time `ts` with tag `tag` (or, when `byTag`
   * is false, the oldest event at `ts` whose outcome is unknown). Returns 1 when found.
   */
  recordOutcome(slot: number, ts: number, tag: number, label: number, byTag: boolean): number {
    const L = this.layout;
    if (L.fLabel < 0 || slot < 0) return 0;
    this.bindRing(slot);
    if (this.cap === 0) return 0;
    const d = this.data;
    const hd = this.table.headerPage(slot);
    const o = this.table.headerOffset(slot);
    const head = hd[o + HEAD];
    const next = hd[o + NEXT];
    // Times ascend along the ring: find the first event at `ts`, then walk the ties. An
    // outcome usually comes `delay` after its event, i.e. near the first HI pointer, so
    // the search gallops out from there (a few cache lines) and then bisects.
    let lo = head;
    let hi = next;
    if (L.delays.length > 0 && next > head) {
      const p = Math.min(Math.max(hd[o + L.hiOff[0]], head), next - 1);
      let step = 1;
      if (d[this.rec(p)] < ts) {
        lo = p + 1;
        while (lo + step - 1 < next && d[this.rec(lo + step - 1)] < ts) { lo += step; step *= 2; }
        hi = Math.min(next, lo + step - 1);
      } else {
        hi = p;
        while (hi - step >= head && d[this.rec(hi - step)] >= ts) { hi -= step; step *= 2; }
        lo = Math.max(head, hi - step + 1);
      }
    }
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (d[this.rec(mid)] < ts) lo = mid + 1;
      else hi = mid;
    }
    let found = -1;
    for (let q = lo; q < next; q++) {
      const r = this.rec(q);
      if (d[r] !== ts) break;
      const y = d[r + L.fLabel];
      if (byTag ? d[r + L.fTag] === tag : y !== y) { found = q; break; }
    }
    if (found < 0) return 0;
    const li = this.rec(found) + L.fLabel;
    const old = d[li];
    d[li] = label;
    for (let g = 0; g < L.G; g++) {
      if (found >= hd[o + L.labOff[g]] && found < hd[o + L.hiOff[L.labDelayIdx[g]]]) {
        const n = o + L.labCnt[g];
        if (old !== old) hd[n] += 1;
        else if (old > 0) hd[n + 1] -= 1;
        if (label > 0) hd[n + 1] += 1;
      }
    }
    return 1;
  }
}
