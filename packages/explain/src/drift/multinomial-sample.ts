import { logGamma } from './log-gamma';

/**
 * One draw of Binomial(n, p) by exact inversion, from a uniform source.
 *
 * For n·p < 30 the CDF is walked up from 0 (expected n·p + 1 steps). Above, the walk
 * starts at the mode and steps outward, alternately up and down (the "chop-down from
 * the mode" of Kemp 1986): any fixed order of the outcomes inverts the distribution
 * exactly, and this one takes O(√(np(1−p))) steps. p > ½ is drawn as n − Binomial(n, 1 − p).
 * Rounding can leave the uniform unspent after every outcome (a mass of ~1e−15): the
 * mode is returned then.
 *
 * @param n - trials, a non-negative integer
 * @param p - success probability in [0, 1]
 * @param next - uniform numbers in [0, 1)
 * @example
 * binomialSample(1000, 0.1, createSeededRandom(1).next); // a count near 100
 */
export function binomialSample(n: number, p: number, next: () => number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - binomialSample(n, 1 - p, next);
  const q = 1 - p;
  const r = p / q;
  let u = next();
  if (n * p < 30) {
    let pmf = Math.exp(n * Math.log1p(-p));
    for (let k = 0; k < n; k++) {
      if (u < pmf) return k;
      u -= pmf;
      pmf *= (r * (n - k)) / (k + 1);
    }
    return n;
  }
  const m = Math.floor((n + 1) * p);
  const pm = Math.exp(logGamma(n + 1) - logGamma(m + 1) - logGamma(n - m + 1) + m * Math.log(p) + (n - m) * Math.log1p(-p));
  u -= pm;
  if (u < 0) return m;
  let lo = m, hi = m, plo = pm, phi = pm;
  while (lo > 0 || hi < n) {
    if (hi < n) {
      phi *= (r * (n - hi)) / (hi + 1);
      hi++;
      u -= phi;
      if (u < 0) return hi;
    }
    if (lo > 0) {
      plo *= lo / (r * (n - lo + 1));
      lo--;
      u -= plo;
      if (u < 0) return lo;
    }
  }
  return m;
}

/**
 * One draw of Multinomial(n, shares) into `out` (counts per bucket), by conditional
 * binomials: bucket i gets Binomial(n left, share_i / share left). `shares` are
 * non-negative and sum to 1 (up to rounding: the last bucket with a share takes what is
 * left). O(buckets) binomial draws, whatever n. No allocation.
 *
 * @example
 * multinomialSample(400, Float64Array.of(0.5, 0.3, 0.2), out, rng.next); // out = [197, 122, 81], say
 */
export function multinomialSample(n: number, shares: Float64Array, out: Float64Array, next: () => number): void {
  let left = n;
  let mass = 1;
  let last = -1;
  for (let i = shares.length - 1; i >= 0; i--) if (shares[i] > 0) { last = i; break; }
  for (let i = 0; i < shares.length; i++) {
    const s = shares[i];
    if (i === last) {
      out[i] = left;
      left = 0;
      continue;
    }
    if (s <= 0 || left === 0) {
      out[i] = 0;
      continue;
    }
    const c = binomialSample(left, mass > s ? s / mass : 1, next);
    out[i] = c;
    left -= c;
    mass -= s;
  }
}
