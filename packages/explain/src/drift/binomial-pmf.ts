import { logGamma } from './log-gamma';

const LN_SQRT_2PI = 0.91893853320467274178;
const LN_2PI = 1.8378770664093454836;

/**
 * Stirling's error δ(n) = ln n! − [(n + ½) ln n − n + ln √(2π)], the part of ln n! that
 * Stirling's formula misses (Loader 2000, "Fast and accurate computation of binomial
 * probabilities"). Direct for small n, the asymptotic series 1/(12n) − 1/(360n³) + … above.
 */
function stirlingError(n: number): number {
  if (n <= 15) return logGamma(n + 1) - (n + 0.5) * Math.log(n) + n - LN_SQRT_2PI;
  const nn = n * n;
  const S0 = 1 / 12, S1 = 1 / 360, S2 = 1 / 1260, S3 = 1 / 1680, S4 = 1 / 1188;
  if (n > 500) return (S0 - S1 / nn) / n;
  if (n > 80) return (S0 - (S1 - S2 / nn) / nn) / n;
  if (n > 35) return (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / n;
  return (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n;
}

/**
 * Deviance term bd0(x, np) = x ln(x / np) + np − x, computed without cancellation when
 * x ≈ np by the series 2x Σ v^(2j+1)/(2j+1) with v = (x − np)/(x + np) (Loader 2000).
 */
function deviance(x: number, np: number): number {
  if (Math.abs(x - np) < 0.1 * (x + np)) {
    let v = (x - np) / (x + np);
    let s = (x - np) * v;
    let ej = 2 * x * v;
    v *= v;
    for (let j = 1; j < 1000; j++) {
      ej *= v;
      const s1 = s + ej / (2 * j + 1);
      if (s1 === s) return s1;
      s = s1;
    }
  }
  return x * Math.log(x / np) + np - x;
}

/**
 * Binomial probability C(n, k) p^k (1 − p)^(n − k), accurate to a few ulps in relative
 * terms even where it underflows the naive product, by Loader's saddle-point form
 * (the algorithm of R's `dbinom_raw`).
 *
 * @param k - successes, integer in [0, n]
 * @param n - trials, a positive integer
 * @param p - success probability in [0, 1]
 * @example
 * binomialPmf(2, 4, 0.5); // 0.375
 */
export function binomialPmf(k: number, n: number, p: number): number {
  const q = 1 - p;
  if (p === 0) return k === 0 ? 1 : 0;
  if (q === 0) return k === n ? 1 : 0;
  if (k === 0) return Math.exp(p < 0.1 ? -deviance(n, n * q) - n * p : n * Math.log(q));
  if (k === n) return Math.exp(q < 0.1 ? -deviance(n, n * p) - n * q : n * Math.log(p));
  if (k < 0 || k > n) return 0;
  const lc = stirlingError(n) - stirlingError(k) - stirlingError(n - k) - deviance(k, n * p) - deviance(n - k, n * q);
  const lf = LN_2PI + Math.log(k) + Math.log1p(-k / n);
  return Math.exp(lc - 0.5 * lf);
}
