/**
 * A sliding window of drift counts built from tumbling sub-windows: the window is the
 * sum of the last `k` closed sub-windows. Closing a sub-window adds it to the sum and,
 * once `k` are held, subtracts the oldest (`addDriftCounts(sum, oldest, −1)`), whose
 * arrays are then reused for the next sub-window. Counts are integers far below 2^53, so
 * adding and subtracting them in float64 is exact and the sum never drifts.
 *
 * Memory is k + 2 count arrays, fixed by the profile: nothing grows with events.
 */
import { addDriftCounts, createDriftCounts, recordDriftRow, resetDriftCounts, type DriftCounts, type ReferenceProfile } from '@riskscore/explain';

/** The sliding window's state (mutable; owned by one monitor). */
export interface SlidingDriftWindow {
  /** The sub-window being filled. */
  current: DriftCounts;
  /** Sum of the closed sub-windows held (at most k). */
  readonly sum: DriftCounts;
  /** Closed sub-windows, oldest first from `head`. */
  readonly closed: DriftCounts[];
  /** Start time (ms) of each closed sub-window, parallel to `closed`. */
  readonly closedStart: Float64Array;
  readonly k: number;
  /** Closed sub-windows held (≤ k). */
  held: number;
  /** Index in `closed` of the oldest held sub-window. */
  head: number;
  /** Start time (ms) of the current sub-window; NaN while it is empty. */
  currentStart: number;
}

/**
 * A sliding window of `k` sub-windows over a profile.
 *
 * @example
 * const w = createSlidingDriftWindow(profile, 4);
 * recordDriftRow(w.current, row);
 * closeSubWindow(w, Date.now()); // w.sum now holds the last ≤ 4 sub-windows
 */
export function createSlidingDriftWindow(profile: ReferenceProfile, k: number): SlidingDriftWindow {
  const closed: DriftCounts[] = [];
  for (let i = 0; i < k; i++) closed.push(createDriftCounts(profile));
  return {
    current: createDriftCounts(profile),
    sum: createDriftCounts(profile),
    closed,
    closedStart: new Float64Array(k),
    k,
    held: 0,
    head: 0,
    currentStart: NaN,
  };
}

/**
 * Records one row (profile order) into the current sub-window. No allocation.
 *
 * @example
 * recordWindowRow(w, scratch, now);
 */
export function recordWindowRow(w: SlidingDriftWindow, row: ArrayLike<number>, now: number): void {
  if (w.current.rows === 0) w.currentStart = now;
  recordDriftRow(w.current, row);
}

/**
 * Closes the current sub-window into the sliding sum (dropping the oldest when k are
 * held) and starts an empty one. Returns the start time of the oldest sub-window now in
 * the sum. No allocation: the dropped sub-window's arrays become the new current one.
 *
 * @example
 * const start = closeSubWindow(w);
 */
export function closeSubWindow(w: SlidingDriftWindow): number {
  const closing = w.current;
  addDriftCounts(w.sum, closing, 1);
  let slot: number;
  if (w.held === w.k) {
    slot = w.head;
    const oldest = w.closed[slot];
    addDriftCounts(w.sum, oldest, -1);
    w.head = (w.head + 1) % w.k;
    resetDriftCounts(oldest);
    w.current = oldest;
  } else {
    slot = (w.head + w.held) % w.k;
    w.held++;
    w.current = w.closed[slot];
    resetDriftCounts(w.current);
  }
  w.closed[slot] = closing;
  w.closedStart[slot] = w.currentStart;
  w.currentStart = NaN;
  return w.closedStart[w.head];
}
