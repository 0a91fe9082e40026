import { logGamma } from '../drift/log-gamma';
import { normalQuantile, normalSurvival } from './normal-distribution';

/**
 * Student's t distribution for any real degrees of freedom ν > 0 (the unpaired DeLong
 * test uses a Welch–Satterthwaite ν that is not an integer).
 *
 * P(|T| ≥ t) = I_x(ν/2, ½) with x = ν / (ν + t²), the regularised incomplete beta
 * function, evaluated by its continued fraction (modified Lentz; Numerical Recipes 3rd ed.
 * §6.4) on whichever side of the mean converges fast. x and 1 − x are both formed
 * without cancellation, and the prefactor x^a (1−x)^b / B(a, b) in log space, so the tail
 * keeps its relative precision (about 1e−13 up to ν = 1e6).
 */

const TINY = 1e-300;

/** I_x(a, b) from x and y = 1 − x (given separately to keep precision), a, b > 0. */
function incompleteBeta(x: number, y: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (y <= 0) return 1;
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(y, x, b, a);
  const logFront = a * Math.log(x) + b * Math.log(y) - (logGamma(a) + logGamma(b) - logGamma(a + b));
  const qab = a + b, qap = a + 1, qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < 100000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return (Math.exp(logFront) * h) / a;
}

/**
 * P(|T| ≥ |t|) for T ~ t(df): the two-sided p-value of a t statistic (R's
 * `2 * pt(-abs(t), df)`).
 *
 * @example
 * studentTTwoSided(2.0, 10); // 0.0733880347707402
 */
export function studentTTwoSided(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return NaN;
  const t2 = t * t;
  if (t2 === Infinity) return 0;
  if (t2 === 0) return 1;
  if (df === Infinity) return 2 * normalSurvival(Math.abs(t));
  // x = df/(df+t²), 1 − x = t²/(df+t²); for t² ≪ df use the ratio form to avoid overflow.
  const x = 1 / (1 + t2 / df);
  const y = t2 > df ? 1 / (1 + df / t2) : t2 / df / (1 + t2 / df);
  return Math.min(1, incompleteBeta(x, y, df / 2, 0.5));
}

/**
 * P(T > t) for T ~ t(df) (R's `pt(t, df, lower.tail = FALSE)`).
 *
 * @example
 * studentTSurvival(1.812461122811676, 10); // 0.05 (to 1e−15)
 */
export function studentTSurvival(t: number, df: number): number {
  const two = studentTTwoSided(t, df);
  return t > 0 ? two / 2 : 1 - two / 2;
}

/**
 * The p-quantile of t(df) (R's `qt(p, df)`), by safeguarded Newton steps on
 * {@link studentTSurvival} from the normal quantile.
 *
 * @example
 * studentTQuantile(0.975, 10); // 2.2281388519862735
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p >= 0 && p <= 1) || !(df > 0)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  const tail = 1 - p; // find t > 0 with P(T > t) = tail
  if (df === Infinity) return normalQuantile(p);
  const logDensityConst = logGamma((df + 1) / 2) - logGamma(df / 2) - 0.5 * Math.log(df * Math.PI);
  let lo = 0, hi = Math.max(1, normalQuantile(p));
  while (studentTSurvival(hi, df) > tail) { lo = hi; hi *= 2; if (hi > 1e300) return Infinity; }
  let t = Math.min(Math.max(normalQuantile(p), lo), hi);
  for (let i = 0; i < 200; i++) {
    const f = studentTSurvival(t, df) - tail;
    if (f === 0) return t;
    if (f > 0) lo = t; else hi = t;
    const density = Math.exp(logDensityConst - ((df + 1) / 2) * Math.log1p((t * t) / df));
    let next = t + f / density;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (Math.abs(next - t) <= 1e-15 * Math.abs(t) || hi - lo <= 1e-15 * hi) return next;
    t = next;
  }
  return t;
}
