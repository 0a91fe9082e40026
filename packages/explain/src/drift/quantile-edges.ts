import { ExplainError } from '../errors';

/**
 * Quantile bin edges from a sorted sample: the interior cut points at k/bins for
 * k = 1 … bins − 1, by numpy's default ("linear", Hyndman & Fan type 7) quantile
 * Q(q) = x[⌊h⌋] + (h − ⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋]), h = q(n − 1), then de-duplicated.
 *
 * Ties: a value that fills several quantiles yields one edge, so heavy ties merge bins
 * instead of producing empty zero-width ones. Bins are right-closed, (e_{k−1}, e_k], so
 * the tied value sits in the bin that ends at it.
 *
 * @param sorted - finite values in ascending order (at least one)
 * @param bins - the number of quantile bins wanted (≥ 1)
 * @returns strictly increasing interior edges (at most bins − 1 of them)
 * @example
 * quantileEdges(new Float64Array([1, 2, 3, 4, 5]), 4); // Float64Array [2, 3, 4]
 */
export function quantileEdges(sorted: Float64Array, bins: number): Float64Array {
  if (!(sorted instanceof Float64Array)) {
    throw new ExplainError('invalid_argument', `quantileEdges: sorted must be a Float64Array of finite values in ascending order, got ${sorted === null ? 'null' : typeof sorted}`, ['sorted']);
  }
  if (!Number.isInteger(bins) || bins < 1) {
    throw new ExplainError('invalid_argument', `quantileEdges: bins must be an integer ≥ 1, got ${bins}`, ['bins']);
  }
  const n = sorted.length;
  if (n === 0) return new Float64Array(0);
  const out = new Float64Array(bins - 1);
  let k = 0;
  for (let b = 1; b < bins; b++) {
    const h = (b / bins) * (n - 1);
    const lo = Math.floor(h);
    const t = h - lo;
    const a = sorted[lo];
    const c = sorted[Math.min(lo + 1, n - 1)];
    // numpy's _lerp: interpolate from the nearer end so that t = 1 gives c exactly.
    const d = c - a;
    const v = t >= 0.5 ? c - d * (1 - t) : a + d * t;
    if (k === 0 || v > out[k - 1]) out[k++] = v;
  }
  return out.slice(0, k);
}

/**
 * Index of the right-closed bin (e_{k−1}, e_k] that holds x: the number of edges < x
 * (binary search, no allocation). NaN is not handled here; callers count it as missing.
 *
 * @example
 * binIndex(new Float64Array([2, 3, 4]), 3); // 1
 */
export function binIndex(edges: Float64Array, x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
