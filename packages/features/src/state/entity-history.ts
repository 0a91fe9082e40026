/**
 * The recent events of one entity, oldest first, in a power-of-two ring buffer of typed
 * arrays: per event its time, the values of the fields its windows aggregate and, for
 * entities with label-delayed windows, the outcome (NaN until known) and a tag matching
 * outcomes to events. Only events inside the entity's longest horizon are kept, and never
 * more than `maxEvents`, so the state of an entity is bounded whatever its traffic.
 *
 * @example
 * const h = new EntityHistory(1, false, 8);
 * h.append(100, new Float64Array([5]), 0, 3600); // time 100 s, value 5, tag 0, horizon 1 h
 * h.size; // 1
 */
/** Fixed per-history overhead in the byte budget (see `byteSize`). */
const HISTORY_OVERHEAD_BYTES = 640;

export class EntityHistory {
  /** Event times (seconds), slot-indexed. */
  ts: Float64Array;
  /** Aggregated values, slot-major: `cols[slot * ncols + c]`. */
  cols: Float64Array;
  /** Outcomes (NaN = unknown) or null when the entity has no label windows. */
  labels: Float64Array | null;
  /** Tags (event id hash or sequence number) or null without label windows. */
  tags: Float64Array | null;
  /** Slot of the oldest event. */
  head = 0;
  /** Number of events held. */
  size = 0;
  /** Events dropped because `maxEvents` was reached before they left the horizon. */
  truncated = 0;
  readonly ncols: number;
  readonly maxEvents: number;

  constructor(ncols: number, withLabels: boolean, maxEvents: number, initialCapacity = 4) {
    this.ncols = ncols;
    this.maxEvents = maxEvents;
    const cap = Math.min(initialCapacity, nextPow2(maxEvents));
    this.ts = new Float64Array(cap);
    this.cols = new Float64Array(cap * ncols);
    this.labels = withLabels ? new Float64Array(cap) : null;
    this.tags = withLabels ? new Float64Array(cap) : null;
  }

  /** Capacity in events (a power of two). */
  get capacity(): number {
    return this.ts.length;
  }

  /** Slot of the k-th oldest event. */
  slot(k: number): number {
    return (this.head + k) & (this.ts.length - 1);
  }

  /** Time of the newest event, -Infinity when empty. */
  newestTs(): number {
    return this.size === 0 ? -Infinity : this.ts[this.slot(this.size - 1)];
  }

  /**
   * Bytes this history holds, as the store's byte budget counts them: the typed arrays'
   * contents plus a fixed 640 bytes for the JS objects around them (this object, up to four
   * typed arrays and their buffers, the store's entry and key), measured with
   * `bench:features` (heap growth per held entity minus contents, Node 20).
   */
  byteSize(): number {
    return this.ts.length * 8 * (1 + this.ncols + (this.labels ? 2 : 0)) + HISTORY_OVERHEAD_BYTES;
  }

  /**
   * Drops the events with time `<= t - horizon` but the newest (no window of an event at
   * `t` or later reaches them), then appends an event at `t` (`t` >= every held time). Returns true when
   * the buffer was reallocated, so the store can re-account its size.
   */
  append(t: number, values: Float64Array, tag: number, horizon: number): boolean {
    const cutoff = t - horizon;
    // The newest event always stays, so time-since-last survives a gap longer than the horizon.
    while (this.size > 1 && this.ts[this.head] <= cutoff) {
      this.head = (this.head + 1) & (this.ts.length - 1);
      this.size--;
    }
    let grew = false;
    if (this.size === this.ts.length) {
      if (this.ts.length < this.maxEvents) {
        this.grow();
        grew = true;
      }
    }
    if (this.size >= this.maxEvents) {
      // Full at the cap: the oldest event drops out early (documented as truncation).
      this.head = (this.head + 1) & (this.ts.length - 1);
      this.size--;
      this.truncated++;
    }
    const s = this.slot(this.size);
    this.ts[s] = t;
    const n = this.ncols;
    for (let c = 0; c < n; c++) this.cols[s * n + c] = values[c];
    if (this.labels) {
      this.labels[s] = NaN;
      this.tags![s] = tag;
    }
    this.size++;
    return grew;
  }

  /** Doubles the capacity, unrolling the ring so the oldest event is at slot 0. */
  private grow(): void {
    const cap = this.ts.length;
    const n = this.ncols;
    const ts = new Float64Array(cap * 2);
    const cols = new Float64Array(cap * 2 * n);
    const labels = this.labels ? new Float64Array(cap * 2) : null;
    const tags = this.tags ? new Float64Array(cap * 2) : null;
    for (let k = 0; k < this.size; k++) {
      const s = this.slot(k);
      ts[k] = this.ts[s];
      for (let c = 0; c < n; c++) cols[k * n + c] = this.cols[s * n + c];
      if (labels) {
        labels[k] = this.labels![s];
        tags![k] = this.tags![s];
      }
    }
    this.ts = ts;
    this.cols = cols;
    this.labels = labels;
    this.tags = tags;
    this.head = 0;
  }
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
