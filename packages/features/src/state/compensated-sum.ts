/*
 * Running sums that events enter and leave (sliding windows) without drift.
 *
 * A plain running sum that adds each value once and subtracts it once leaves a rounding
 * error behind every time; over millions of events it drifts, and Σx² − (Σx)²/n then
 * cancels catastrophically (two equal amounts no longer give a variance of exactly 0).
 * Here a sum is a pair (s, e): s the rounded running sum and e the accumulated rounding
 * errors, each one recovered exactly by Knuth's TwoSum (TAOCP vol. 2, 4.2.2, Theorem B),
 * as in Neumaier's improved Kahan–Babuška summation. Squares enter exactly too: x² is
 * split into a double and its rounding error with Dekker's product (Dekker 1971, "A
 * floating-point technique for extending the available precision"). s + e then carries
 * about twice the double precision (an error near 2^-105 of the largest partial sum), so a
 * value subtracted leaves practically nothing behind and the variance below is as good as a
 * two-pass one. What is left after huge values passed through a window is removed by
 * rebuilding its sums from the ring when Σx² has fallen far below its peak.
 */

/** Dekker's splitter for doubles: 2^27 + 1. */
const SPLIT = 134217729;

/**
 * Adds `x` to the compensated sum at `a[o]` (sum), `a[o + 1]` (error), renormalised so
 * that `a[o]` is the rounded total and `a[o + 1]` below half its last bit: a window whose
 * total became small after large values left carries no large residue in either part.
 */
export function compensatedAdd(a: Float64Array, o: number, x: number): void {
  const s = a[o];
  const t = s + x;
  const bp = t - s;
  const err = (s - (t - bp)) + (x - bp) + a[o + 1];
  const u = t + err;
  a[o + 1] = err - (u - t);
  a[o] = u;
}

/** Adds `sign · x²` (sign ±1) exactly to the compensated sum at `a[o]`, `a[o + 1]`. */
export function compensatedAddSquare(a: Float64Array, o: number, x: number, sign: number): void {
  const p = x * x;
  const c = SPLIT * x;
  const hi = c - (c - x);
  const lo = x - hi;
  const err = ((hi * hi - p) + 2 * hi * lo) + lo * lo; // x² = p + err exactly
  compensatedAdd(a, o, sign * p);
  a[o + 1] += sign * err;
}

/**
 * Σ(x − mean)² of n values from their compensated Σx = s1 + e1 and Σx² = s2 + e2:
 * Σx² − (Σx)²/n evaluated in double-double, so the cancellation between the two terms
 * costs no accuracy (0 for equal values). Never negative.
 */
export function centredSquares(n: number, s1: number, e1: number, s2: number, e2: number): number {
  if (n <= 1) return 0;
  // (s1 + e1)² ≈ s1² + 2·s1·e1, with s1² = p + perr exactly (Dekker).
  const p = s1 * s1;
  const c = SPLIT * s1;
  const hi = c - (c - s1);
  const lo = s1 - hi;
  const perr = ((hi * hi - p) + 2 * hi * lo) + lo * lo + 2 * s1 * e1;
  // Divide (p + perr) by n: q the rounded quotient, r what is left, exactly p - q·n.
  const q = p / n;
  const qn = q * n;
  const cq = SPLIT * q;
  const qh = cq - (cq - q);
  const ql = q - qh;
  const cn = SPLIT * n;
  const nh = cn - (cn - n);
  const nl = n - nh;
  const qnErr = ((qh * nh - qn) + qh * nl + ql * nh) + ql * nl; // q·n = qn + qnErr exactly
  const qlo = ((p - qn) - qnErr + perr) / n;
  // (s2 + e2) − (q + qlo): the leading difference first (TwoSum), then the small terms.
  const d = s2 - q;
  const bp = d - s2;
  const derr = (s2 - (d - bp)) + (-q - bp);
  const m2 = d + (derr + e2 - qlo);
  return m2 > 0 ? m2 : 0;
}
