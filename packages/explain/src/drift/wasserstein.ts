import { ExplainError } from '../errors';
import { checkFiniteSample, sortedCopy, type NumericSample } from './check-sample';

/**
 * First Wasserstein (earth mover's) distance between two samples, matching
 * `scipy.stats.wasserstein_distance(u, v)`: W₁ = ∫ |F_u(x) − F_v(x)| dx, the integral of
 * the gap between the empirical CDFs, summed exactly over the merged sorted values.
 *
 * @param u - first sample (finite values)
 * @param v - second sample (finite values)
 * @example
 * wassersteinDistance(new Float64Array([0, 1, 3]), new Float64Array([5, 6, 8])); // 5
 */
export function wassersteinDistance(u: NumericSample, v: NumericSample): number {
  checkFiniteSample('wassersteinDistance', 'u', u);
  checkFiniteSample('wassersteinDistance', 'v', v);
  const a = sortedCopy(u);
  const b = sortedCopy(v);
  const n = a.length, m = b.length;
  let i = 0, j = 0;
  let sum = 0;
  let prev = Math.min(a[0], b[0]);
  // Between consecutive merged values the CDFs are constant: i/n and j/m with i, j the
  // counts ≤ the left end (scipy's searchsorted(…, side='right')).
  while (i < n || j < m) {
    const x = j >= m || (i < n && a[i] <= b[j]) ? a[i] : b[j];
    sum += Math.abs(i / n - j / m) * (x - prev);
    prev = x;
    while (i < n && a[i] === x) i++;
    while (j < m && b[j] === x) j++;
  }
  return sum;
}

/**
 * W₁ divided by the reference sample's standard deviation (population form, ddof 0),
 * so one threshold (default 0.1) fits features on any scale; the convention of
 * Evidently's `wasserstein` drift method.
 *
 * @param reference - reference sample
 * @param current - current sample
 * @throws ExplainError `undefined_statistic` when the reference is constant (zero spread)
 * @example
 * normalizedWassersteinDistance(new Float64Array([0, 2]), new Float64Array([1, 3])); // 1
 */
export function normalizedWassersteinDistance(reference: NumericSample, current: NumericSample): number {
  const w = wassersteinDistance(reference, current);
  let mean = 0;
  for (let i = 0; i < reference.length; i++) mean += reference[i];
  mean /= reference.length;
  let ss = 0;
  for (let i = 0; i < reference.length; i++) ss += (reference[i] - mean) ** 2;
  const sd = Math.sqrt(ss / reference.length);
  if (!(sd > 0)) {
    throw new ExplainError('undefined_statistic', 'normalizedWassersteinDistance: the reference sample is constant, so there is no scale to normalise by; use wassersteinDistance', ['reference']);
  }
  return w / sd;
}
