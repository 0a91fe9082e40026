import type { EntityShape } from '../state/entity-table';

/*
 * The layout of one entity kind's state for EntityWindows (entity-windows.ts, where the
 * module comment says what each piece is for): which header fields and record fields
 * exist, and where, given what the spec's features need of that entity kind.
 */

/** Header fields every entity has: next sequence number, oldest held one, newest time. */
export const NEXT = 0;
export const HEAD = 1;
export const LAST = 2;
const FIXED = 3;
/** Header offset of the first pointer: window tails, then label HI per delay, then label LO per group, contiguous. */
export const POINTERS = FIXED;
/** Minimum ring class: rings start at 2^1 events. */
export const MIN_CLASS = 1;

/** What one entity kind aggregates, gathered from the spec by the compiler. */
export interface EntityWindowsPlan {
  /** Entity name (for messages). */
  readonly name: string;
  /** Ascending, distinct window lengths (seconds). */
  readonly windows: Float64Array;
  /** Per column: needs a value count and Σx (count of a field, sum, mean, std). */
  readonly moments: Uint8Array;
  /** Per column: needs Σx² (std). */
  readonly squares: Uint8Array;
  /** Per column: the field is optional (may be missing), so windows count its values apart. */
  readonly optional: Uint8Array;
  readonly mins: Uint8Array;
  readonly maxs: Uint8Array;
  readonly distinct: Uint8Array;
  /** Per label group: delay d, and d + window. */
  readonly labDelay: Float64Array;
  readonly labSpan: Float64Array;
  /** Most events kept per entity (older ones drop out first). */
  readonly maxEvents: number;
}

/**
 * Where each piece of state sits in the header and the ring, from what the spec's
 * features need of one entity kind.
 *
 * @example
 * const L = new EntityWindowsLayout(plan);
 * L.headerSize; // float64 per entity header
 * L.winOff[0];  // header offset of the shortest window's tail pointer
 */
export class EntityWindowsLayout implements EntityShape {
  readonly headerSize: number;
  /** Float64 per event in a ring block: the record, one per distinct lane, two per deque. */
  readonly lanes: number;
  readonly maxClass: number;
  readonly signature: string;
  readonly horizonSeconds: number;
  readonly C: number;
  readonly B: number;
  readonly G: number;
  /** Pointers in the header from POINTERS on: B window tails, then label HI and LO. */
  readonly nPointers: number;
  /** Per window: offset of TAIL_b. */
  readonly winOff: Int32Array;
  /** Per column: header offset of the running value count (optional fields), Σx, Σx² (-1 when absent). */
  readonly totN: Int32Array;
  readonly totS: Int32Array;
  readonly totQ: Int32Array;
  /** Per (window, column) `b·C + c`: offset of the distinct count, or -1. */
  readonly dcOff: Int32Array;
  /** Distinct label delays (seconds) and, per delay, the offset of HI_d. */
  readonly delays: Float64Array;
  readonly hiOff: Int32Array;
  /** Per label group: its delay's index, the offset of LO_g, and of its known and positive counts. */
  readonly labDelayIdx: Int32Array;
  readonly labOff: Int32Array;
  readonly labCnt: Int32Array;
  /** Per column: header offsets of its max / min deque's (first, length), or -1. */
  readonly dqMaxOff: Int32Array;
  readonly dqMinOff: Int32Array;
  /** Doubles per event record. */
  readonly R: number;
  /**
   * Record fields (time at 0), per column, -1 when absent: its value (moment columns);
   * the prefix count, Σx (hi, lo) and Σx² (hi, lo) before the event; the distinct flag.
   * Then outcome and tag.
   */
  readonly fCol: Int32Array;
  readonly fN: Int32Array;
  readonly fS: Int32Array;
  readonly fQ: Int32Array;
  readonly fFlag: Int32Array;
  readonly fLabel: number;
  readonly fTag: number;
  /** Per column: index of its distinct-value lane after the records (-1 when absent). */
  readonly valLane: Int32Array;
  /** Distinct-value lanes; deque regions come after them. */
  readonly nValLanes: number;
  /** Per column: index of its max / min deque region after the value lanes (-1 when absent). */
  readonly dqMax: Int32Array;
  readonly dqMin: Int32Array;

  constructor(p: EntityWindowsPlan) {
    const C = p.moments.length;
    const B = p.windows.length;
    const G = p.labDelay.length;
    this.C = C;
    this.B = B;
    this.G = G;
    const col = (): Int32Array => new Int32Array(C).fill(-1);
    let h = FIXED;
    this.winOff = new Int32Array(B);
    for (let b = 0; b < B; b++) this.winOff[b] = h++;
    const delays = [...new Set(p.labDelay)].sort((x, y) => x - y);
    this.delays = Float64Array.from(delays);
    this.hiOff = new Int32Array(delays.length);
    for (let d = 0; d < delays.length; d++) this.hiOff[d] = h++;
    this.labDelayIdx = Int32Array.from(p.labDelay, (d) => delays.indexOf(d));
    this.labOff = new Int32Array(G);
    for (let g = 0; g < G; g++) this.labOff[g] = h++;
    this.nPointers = h - POINTERS;
    this.dqMaxOff = col();
    this.dqMinOff = col();
    this.dqMax = col();
    this.dqMin = col();
    let nDq = 0;
    if (B > 0) {
      for (let c = 0; c < C; c++) {
        if (p.maxs[c]) { this.dqMaxOff[c] = h; h += 2; this.dqMax[c] = nDq++; }
        if (p.mins[c]) { this.dqMinOff[c] = h; h += 2; this.dqMin[c] = nDq++; }
      }
    }
    this.totN = col();
    this.totS = col();
    this.totQ = col();
    if (B > 0) {
      for (let c = 0; c < C; c++) {
        const sums = p.moments[c] || p.squares[c];
        if (sums && p.optional[c]) this.totN[c] = h++;
        if (sums) { this.totS[c] = h; h += 2; }
        if (p.squares[c]) { this.totQ[c] = h; h += 2; }
      }
    }
    this.dcOff = new Int32Array(B * C).fill(-1);
    for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) if (p.distinct[c]) this.dcOff[b * C + c] = h++;
    this.labCnt = new Int32Array(G);
    for (let g = 0; g < G; g++) { this.labCnt[g] = h; h += 2; }
    this.headerSize = h;

    let r = 0;
    if (B > 0 || G > 0) r++; // time
    this.fCol = col();
    this.fN = col();
    this.fS = col();
    this.fQ = col();
    this.fFlag = col();
    this.valLane = col();
    let nVal = 0;
    if (B > 0) {
      for (let c = 0; c < C; c++) {
        if (p.distinct[c]) this.valLane[c] = nVal++;
        if (p.moments[c] || p.squares[c] || p.mins[c] || p.maxs[c] || !p.distinct[c]) this.fCol[c] = r++;
        if (this.totN[c] >= 0) this.fN[c] = r++;
        if (this.totS[c] >= 0) { this.fS[c] = r; r += 2; }
        if (this.totQ[c] >= 0) { this.fQ[c] = r; r += 2; }
        if (p.distinct[c]) this.fFlag[c] = r++;
      }
    }
    this.fLabel = G > 0 ? r++ : -1;
    this.fTag = G > 0 ? r++ : -1;
    this.R = r;
    this.nValLanes = nVal;
    this.lanes = r + nVal + 2 * nDq;
    let k = MIN_CLASS;
    while (1 << k < p.maxEvents) k++;
    this.maxClass = k;
    // An event older than every window and every label window (delay + length) no longer
    // counts: a shared store may expire an entity not seen for this long.
    this.horizonSeconds = Math.max(0, ...Array.from(p.windows), ...Array.from(p.labSpan));
    this.signature = `v4|w${Array.from(p.windows).join(',')}|m${p.moments.join('')}|q${p.squares.join('')}|o${p.optional.join('')}|n${p.mins.join('')}|x${p.maxs.join('')}|d${p.distinct.join('')}|l${Array.from(p.labDelay).join(',')};${Array.from(p.labSpan).join(',')}|e${p.maxEvents}`;
  }
}
