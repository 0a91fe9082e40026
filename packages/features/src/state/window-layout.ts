/**
 * What one entity kind aggregates and where its running window state lives in an
 * `EntityHistory`'s state block (the first `stateSize` doubles of its `data` array).
 *
 * Block layout (all float64; event indices are absolute, see `EntityHistory`):
 * - per value window b (ascending lengths): `[tail, count, next]` then per column c
 *   `[n, s1, s1err, s2, s2err, distinct, peak]` — the events `tail … hi-1` are in the window,
 *   `next` the time of the event at `tail`, `s1 + s1err` is Σx and `s2 + s2err` is Σx² as
 *   compensated sums;
 * - per monotone deque q (a min or a max of one column over the longest value window):
 *   `[front, back]` then one pointer per window b (the first deque position whose event is
 *   in window b);
 * - per label group g: `[lo, hi, count, known, positive, nextHi, nextLo]`, the events `lo … hi-1` being
 *   those in `(t - delay - window, t - delay]`;
 * - per distinct column d: the occupied slots of its value table.
 *
 * A block of zeros is the state of an entity with no events.
 *
 * @example
 * const layout = new WindowLayout({ ncols: 1, windows: [3600], momentCols: [1], distinctCols: [0],
 *   minCols: [], maxCols: [0], labelDelays: [], labelWindows: [] });
 * layout.stateSize; // 3 + 7 + (2 + 1) = 13
 */
export interface WindowLayoutInput {
  /** Columns (field values) each event keeps. */
  ncols: number;
  /** Distinct value-window lengths in seconds, ascending. */
  windows: ArrayLike<number>;
  /** Per column: 1 when a sum / mean / std / min / max / field count reads it. */
  momentCols: ArrayLike<number>;
  /** Per column: 1 when a distinct count reads it. */
  distinctCols: ArrayLike<number>;
  /** Columns with a min feature, and with a max feature. */
  minCols: ArrayLike<number>;
  maxCols: ArrayLike<number>;
  /** Per label group: its delay and its window (seconds). */
  labelDelays: ArrayLike<number>;
  labelWindows: ArrayLike<number>;
  /** Keep outcomes and tags even without label groups. */
  withLabels?: boolean;
}

/** Per-window stride: tail, count, then six values per column. */
export const W_TAIL = 0;
export const W_COUNT = 1;
/** Time of the event at the tail (a lower bound; +Infinity when none), so an advance that expires nothing reads no event. */
export const W_NEXT = 2;
/** Offset of the first column's values in a window's block. */
export const W_COLS = 3;
export const C_N = 0;
export const C_S1 = 1;
export const C_S1E = 2;
export const C_S2 = 3;
export const C_S2E = 4;
export const C_DC = 5;
/** Largest Σx² since the sums were last rebuilt (see `EntityHistory.refreshSums`). */
export const C_PEAK = 6;
export const C_STRIDE = 7;
/** Per label group. */
export const L_LO = 0;
export const L_HI = 1;
export const L_COUNT = 2;
export const L_KNOWN = 3;
export const L_POS = 4;
/** Times (lower bounds) of the events at `hi` and at `lo`, as W_NEXT. */
export const L_NEXT_HI = 5;
export const L_NEXT_LO = 6;
export const L_STRIDE = 7;

export class WindowLayout {
  readonly ncols: number;
  readonly windows: Float64Array;
  readonly momentCols: Uint8Array;
  /** Column of each distinct table, and per column its table index or -1. */
  readonly distinctCol: Int32Array;
  readonly distinctOf: Int32Array;
  /** Per deque: its column and 1 for a max (0 for a min). */
  readonly dequeCol: Int32Array;
  readonly dequeMax: Uint8Array;
  /** Per column: its min deque and its max deque, or -1. */
  readonly minDeque: Int32Array;
  readonly maxDeque: Int32Array;
  readonly labelDelays: Float64Array;
  readonly labelWindows: Float64Array;
  readonly withLabels: boolean;
  /** Longest reach back in time: max(window, delay + window). */
  readonly horizon: number;
  /** Doubles per window, and the offsets of the deque, label and table sections. */
  readonly windowStride: number;
  readonly dequeStride: number;
  readonly dequeOffset: number;
  readonly labelOffset: number;
  readonly usedOffset: number;
  readonly stateSize: number;
  /** Doubles per event in the ring: time, columns, (outcome, tag), one "seen again" flag per distinct table. */
  readonly slotStride: number;
  readonly labelSlot: number;
  readonly flagSlot: number;
  /** Scratch for hashing a double's bits (one layout per compiled spec, single-threaded). */
  readonly f64 = new Float64Array(1);
  readonly u32 = new Uint32Array(this.f64.buffer);

  constructor(input: WindowLayoutInput) {
    const C = input.ncols;
    this.ncols = C;
    this.windows = Float64Array.from(input.windows);
    this.momentCols = Uint8Array.from(input.momentCols);
    const dcols: number[] = [];
    this.distinctOf = new Int32Array(C).fill(-1);
    for (let c = 0; c < C; c++) {
      if (input.distinctCols[c]) {
        this.distinctOf[c] = dcols.length;
        dcols.push(c);
      }
    }
    this.distinctCol = Int32Array.from(dcols);
    const qcol: number[] = [];
    const qmax: number[] = [];
    this.minDeque = new Int32Array(C).fill(-1);
    this.maxDeque = new Int32Array(C).fill(-1);
    for (let k = 0; k < input.minCols.length; k++) {
      const c = input.minCols[k];
      if (this.minDeque[c] < 0) { this.minDeque[c] = qcol.length; qcol.push(c); qmax.push(0); }
    }
    for (let k = 0; k < input.maxCols.length; k++) {
      const c = input.maxCols[k];
      if (this.maxDeque[c] < 0) { this.maxDeque[c] = qcol.length; qcol.push(c); qmax.push(1); }
    }
    this.dequeCol = Int32Array.from(qcol);
    this.dequeMax = Uint8Array.from(qmax);
    this.labelDelays = Float64Array.from(input.labelDelays);
    this.labelWindows = Float64Array.from(input.labelWindows);
    this.withLabels = (input.withLabels ?? false) || this.labelDelays.length > 0;
    let horizon = 0;
    for (const w of this.windows) horizon = Math.max(horizon, w);
    for (let g = 0; g < this.labelDelays.length; g++) horizon = Math.max(horizon, this.labelDelays[g] + this.labelWindows[g]);
    this.horizon = horizon;
    const B = this.windows.length;
    this.windowStride = W_COLS + C * C_STRIDE;
    this.dequeOffset = B * this.windowStride;
    this.dequeStride = 2 + B;
    this.labelOffset = this.dequeOffset + qcol.length * this.dequeStride;
    this.usedOffset = this.labelOffset + this.labelDelays.length * L_STRIDE;
    this.stateSize = this.usedOffset + dcols.length;
    this.labelSlot = 1 + C;
    this.flagSlot = this.labelSlot + (this.withLabels ? 2 : 0);
    this.slotStride = this.flagSlot + dcols.length;
  }
}
