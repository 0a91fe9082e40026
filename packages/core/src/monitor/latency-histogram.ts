/**
 * A fixed, log-spaced latency histogram: bucket k counts latencies in (2^(k−1), 2^k] µs,
 * k = 0…20 (1 µs to about 1.05 s), plus an overflow bucket for the rest. Power-of-two
 * bounds make the bucket a `ceil(log2(µs))` and keep the exported `le` values exact
 * (a power of two times 1e-6 prints the same in any language).
 */

/** Number of finite buckets: upper bounds 2^0 … 2^20 µs. */
export const LATENCY_FINITE_BUCKETS = 21;

/**
 * Upper bounds of the finite buckets in microseconds (a new array on each call; nothing
 * is computed at module load).
 *
 * @example
 * latencyBucketBoundsUs()[3]; // 8
 */
export function latencyBucketBoundsUs(): Float64Array {
  const b = new Float64Array(LATENCY_FINITE_BUCKETS);
  for (let k = 0; k < LATENCY_FINITE_BUCKETS; k++) b[k] = 2 ** k;
  return b;
}

/** Latency counts for several series (one per model version), fixed at creation. */
export interface LatencyHistogram {
  /** Series × (finite buckets + overflow), non-cumulative. */
  readonly counts: Float64Array;
  /** Sum of the latencies of each series, in microseconds. */
  readonly sumUs: Float64Array;
  readonly series: number;
}

/**
 * Empty histogram for `series` series.
 *
 * @example
 * const h = createLatencyHistogram(1);
 * recordLatency(h, 0, 37.5); // bucket (32, 64] µs
 */
export function createLatencyHistogram(series: number): LatencyHistogram {
  return { counts: new Float64Array(series * (LATENCY_FINITE_BUCKETS + 1)), sumUs: new Float64Array(series), series };
}

/**
 * The bucket of a latency: the smallest k with us ≤ 2^k, or the overflow bucket.
 *
 * @example
 * latencyBucket(8); // 3
 * latencyBucket(8.01); // 4
 */
export function latencyBucket(us: number): number {
  if (!(us > 1)) return 0; // also NaN and negatives: a clock that stepped back reads as ≤ 1 µs
  const k = Math.ceil(Math.log2(us));
  return k < LATENCY_FINITE_BUCKETS ? k : LATENCY_FINITE_BUCKETS;
}

/**
 * Adds one latency to a series. No allocation.
 *
 * @example
 * recordLatency(h, 0, 120);
 */
export function recordLatency(h: LatencyHistogram, series: number, us: number): void {
  h.counts[series * (LATENCY_FINITE_BUCKETS + 1) + latencyBucket(us)]++;
  if (us > 0) h.sumUs[series] += us;
}
