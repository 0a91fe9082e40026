/*
 * Double-double arithmetic for running window sums: a value is the unevaluated sum
 * hi + lo of two float64 with |lo| <= ulp(hi)/2, about 106 significant bits (Dekker 1971;
 * Hida, Li & Bailey, "Library for double-double and quad-double arithmetic", 2007).
 *
 * Why: a window's Σx and Σx² are kept as running sums that values enter and later leave.
 * In plain float64 every add and subtract rounds, the errors pile up over an entity's
 * life and a window of equal values ends with a variance of 1e-10 instead of 0. With 106
 * bits the running sum of realistic values (amounts with cents up to 1e9) is exact, so
 * subtracting a value that leaves gives back exactly the sum of the values still inside,
 * whatever the order, and the variance formula Σx² − (Σx)²/n evaluated in double-double
 * is as good as a two-pass variance.
 *
 * The pairs live in Float64Arrays at an offset (`a[o]` = hi, `a[o + 1]` = lo) so the hot
 * paths allocate nothing. The functions are small enough for the JIT to inline, but a
 * function with many such calls runs out of V8's inlining budget, and then every float
 * passed to or returned from a call is a heap number: the helpers used from big hot
 * functions (ddDifference, ddAddMoments) therefore take arrays and offsets, not floats.
 */

/** Veltkamp's splitter 2^27 + 1: splits a float64 into two 26-bit halves. */
const SPLIT = 134217729;

/**
 * The rounding error of `x * x`: `x * x = p + twoSquareError(x, p)` exactly, for
 * `p = x * x` (Dekker's TwoProduct with Veltkamp's split; JS has no fused multiply-add).
 * Exact for |x| < 2^996 (beyond, the split overflows, and x² itself does above 2^512).
 *
 * @example
 * const x = 0.1, p = x * x;
 * p + twoSquareError(x, p); // x² to 106 bits
 */
export function twoSquareError(x: number, p: number): number {
  const t = SPLIT * x;
  const h = t - (t - x);
  const l = x - h;
  return h * h - p + 2 * h * l + l * l;
}

/**
 * `a[o..o+1] += x`: Knuth's TwoSum of hi and x, the error folded into lo, then
 * renormalised (Fast2Sum) so that hi stays the float64 nearest the pair.
 *
 * @example
 * const s = new Float64Array(2);
 * ddAdd(s, 0, 1e16); ddAdd(s, 0, 1); ddAdd(s, 0, -1e16); // s[0] === 1, exactly
 */
export function ddAdd(a: Float64Array, o: number, x: number): void {
  const hi = a[o];
  const s = hi + x;
  const bp = s - hi;
  const err = hi - (s - bp) + (x - bp);
  const lo = a[o + 1] + err;
  const h = s + lo;
  a[o + 1] = lo - (h - s);
  a[o] = h;
}

/**
 * `a[o..o+1] += x²`, with x² itself taken exactly as p + e (see {@link twoSquareError}).
 *
 * @example
 * const q = new Float64Array(2);
 * ddAddSquare(q, 0, 0.1); // q[0] + q[1] === 0.1 * 0.1 to 106 bits (q[1] is the rounding error of q[0])
 */
export function ddAddSquare(a: Float64Array, o: number, x: number): void {
  const p = x * x;
  ddAdd(a, o, p);
  ddAdd(a, o, twoSquareError(x, p));
}

/**
 * `a[o..o+1] += x` and `a[o+2..o+3] += x²` for x = `src[si]`: a value merged into a pair
 * of (Σx, Σx²) double-doubles.
 *
 * @example
 * const acc = new Float64Array(4);
 * ddAddMoments(acc, 0, Float64Array.of(3), 0); // acc = [3, 0, 9, 0]
 */
export function ddAddMoments(a: Float64Array, o: number, src: Float64Array, si: number): void {
  const x = src[si];
  ddAdd(a, o, x);
  ddAddSquare(a, o + 2, x);
}

/**
 * The sum of squared deviations `M2 = Σx² − (Σx)²/n` from double-double sums
 * `S1 = s1h + s1l` and `S2 = s2h + s2l` of n values, evaluated in double-double and
 * rounded once at the end, so the cancellation between the two terms costs nothing:
 * equal values give 0 (to ~1e-30 of Σx²) and the result is clamped at 0. Infinite when
 * Σx² overflowed (values above ~1e154 in magnitude).
 *
 * @example
 * // values 3 and 5: S1 = 8, S2 = 34 → M2 = 34 − 64/2 = 2
 * sumSquaredDeviations(8, 0, 34, 0, 2); // 2
 */
export function sumSquaredDeviations(s1h: number, s1l: number, s2h: number, s2l: number, n: number): number {
  if (s2h === Infinity) return Infinity;
  // (S1)² as a double-double: TwoProduct of the high parts plus the cross term.
  const p = s1h * s1h;
  const e = twoSquareError(s1h, p) + 2 * s1h * s1l;
  const ph = p + e;
  const pl = e - (ph - p);
  // (S1)²/n as a double-double: the quotient of the high part, then the remainder.
  const q1 = ph / n;
  const m = q1 * n;
  const me = twoProductError(q1, n, m);
  const q2 = (ph - m - me + pl) / n;
  // S2 − (S1)²/n: TwoSum of the high parts, then the low parts.
  const d = s2h - q1;
  const bp = d - s2h;
  const err = s2h - (d - bp) + (-q1 - bp);
  const r = d + (err + s2l - q2);
  return r > 0 ? r : 0;
}

/**
 * `out[oi]` = √(M2 / (n − ddof)), the standard deviation of n values whose (Σx, Σx²)
 * double-doubles are at `a[o..o+3]` (M2 as in {@link sumSquaredDeviations}). Takes and
 * returns no float (n and ddof are counts), for callers too big to inline it.
 *
 * @example
 * const out = new Float64Array(1);
 * ddStdInto(Float64Array.of(8, 0, 34, 0), 0, 2, 1, out, 0); // out[0] = √2
 */
export function ddStdInto(a: Float64Array, o: number, n: number, ddof: number, out: Float64Array, oi: number): void {
  out[oi] = Math.sqrt(sumSquaredDeviations(a[o], a[o + 1], a[o + 2], a[o + 3], n) / (n - ddof));
}

/** The rounding error of `a * b = p` (Dekker's TwoProduct with Veltkamp's split). */
function twoProductError(a: number, b: number, p: number): number {
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

/**
 * The float64 nearest (hi + lo) + x, for a normalised double-double (hi, lo): a window's
 * sum with the event's own value merged in.
 *
 * @example
 * ddPlus(1, 2 ** -60, 2 ** -53); // 1 + 2^-52
 */
export function ddPlus(hi: number, lo: number, x: number): number {
  const s = hi + x;
  const bp = s - hi;
  const err = hi - (s - bp) + (x - bp);
  return s + (err + lo);
}

/**
 * `out[o..o+1]` = A − B for the double-doubles A at `a[ao..ao+1]` and B at `b[bo..bo+1]`,
 * normalised: TwoSum of the high parts, the low parts folded in, then Fast2Sum. `out` may
 * be either input (A and B are read first).
 *
 * @example
 * const r = Float64Array.of(5, 0, 2, 0);
 * ddDifference(r, 0, r, 2, r, 0); // r[0..1] = [3, 0]
 */
export function ddDifference(a: Float64Array, ao: number, b: Float64Array, bo: number, out: Float64Array, o: number): void {
  const ah = a[ao], al = a[ao + 1], bh = b[bo], bl = b[bo + 1];
  const s = ah - bh;
  const bp = s - ah;
  const err = ah - (s - bp) + (-bh - bp);
  const lo = err + (al - bl);
  const h = s + lo;
  out[o + 1] = lo - (h - s);
  out[o] = h;
}
