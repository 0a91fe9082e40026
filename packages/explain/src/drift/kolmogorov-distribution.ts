import { ExplainError } from '../errors';
import { binomialPmf } from './binomial-pmf';

// Survival function of the two-sided one-sample Kolmogorov–Smirnov statistic D_n for a
// finite n, P(D_n ≥ x): the distribution scipy calls `kstwo`. ks_2samp's asymptotic
// p-value is kstwo.sf(D, round(mn / (m + n))), so this file follows scipy 1.10's
// `scipy.stats._ksstats._kolmogn`, which picks, by the rules of Simard & L'Ecuyer (2011,
// "Computing the two-sided Kolmogorov-Smirnov distribution", J. Stat. Softw. 39(11)):
//   Ruben–Gambino closed forms at the ends of the support,
//   2·Smirnov's one-sided tail where the two tails cannot overlap (x ≥ ½) or overlap
//     negligibly (large n x²),
//   the Durbin matrix (Marsaglia, Tsang & Wang 2003) or Pomeranz's recursion (1974)
//     for small n x²,
//   the Pelz–Good (1976) expansion for large n.

const E128 = 2 ** 128;
const EM128 = 2 ** -128;
const SQRT_2PI = Math.sqrt(2 * Math.PI);
const LOG_2PI = Math.log(2 * Math.PI);
const MIN_LOG = -708;

function clip01(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p;
}

/** ln(n! / n^n) by Stirling's series with n ln n removed up front (no cancellation). */
function logFactorialOverPower(n: number): number {
  const rn = 1 / n;
  const u = rn / n;
  // B_{2j} / (2j(2j−1)) for j = 8 … 1, evaluated by Horner in 1/n².
  const c = [
    -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3,
    8.4175084175084175084e-4, -5.952380952380952381e-4, 7.9365079365079365079e-4,
    -2.7777777777777777778e-3, 8.3333333333333333333e-2,
  ];
  let poly = 0;
  for (let i = 0; i < c.length; i++) poly = poly * u + c[i];
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * poly;
}

/** The shared domain check: n a positive integer, the statistic a number (outside [0, 1] it answers 1 or 0). */
function checkDomain(fn: string, n: number, x: number, name: string): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new ExplainError('invalid_argument', `${fn}: n must be a positive integer (the sample size), got ${String(n)}`, ['n'], { details: { actual: n } });
  }
  if (typeof x !== 'number' || Number.isNaN(x)) {
    throw new ExplainError('invalid_argument', `${fn}: ${name} must be a number (the statistic, in [0, 1]), got ${String(x)}`, [name], { details: { actual: x } });
  }
}

/**
 * Smirnov's one-sided tail P(D_n⁺ ≥ d) by the Birnbaum–Tingey / Smirnov (1944) sum
 * Σ_{v=0}^{⌊n(1−d)⌋} C(n,v) d (d + v/n)^(v−1) (1 − d − v/n)^(n−v).
 * Each term is (d / p_v) · Binom(v; n, p_v) with p_v = d + v/n, evaluated with Loader's
 * binomial so that no term loses precision to under/overflow; all terms are positive,
 * so the sum is stable. `n` must be a positive integer and `d` a number (`invalid_argument`).
 */
export function smirnovSurvival(n: number, d: number): number {
  checkDomain('smirnovSurvival', n, d, 'd');
  if (d <= 0) return 1;
  if (d >= 1) return 0;
  const last = Math.floor(n * (1 - d));
  let sum = 0;
  for (let v = 0; v <= last; v++) {
    const p = d + v / n;
    if (p >= 1) break;
    sum += (d / p) * binomialPmf(v, n, p);
  }
  return sum;
}

/** Durbin's matrix algorithm in the form of Marsaglia, Tsang & Wang (2003): P(D_n < d). */
function durbinMatrixCdf(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  const H = new Float64Array(m * m);
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    v[j - 1] = 1 - h ** j;
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] *= fac;
  }
  const tt = Math.max(2 * h - 1, 0) ** m - 2 * h ** m;
  v[m - 1] = (1 + tt) * fac;
  for (let i = 1; i < m; i++) for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - i + 1];
  for (let r = 0; r < m; r++) H[r * m] = v[r];
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c];

  // Square-and-multiply for H^n, rescaling by 2^128 and keeping the exponent apart.
  let P = new Float64Array(m * m);
  for (let i = 0; i < m; i++) P[i * m + i] = 1;
  let Hc = H;
  let tmp = new Float64Array(m * m);
  const mul = (A: Float64Array, B: Float64Array, out: Float64Array): void => {
    out.fill(0);
    for (let i = 0; i < m; i++) {
      for (let l = 0; l < m; l++) {
        const a = A[i * m + l];
        if (a === 0) continue;
        for (let j = 0; j < m; j++) out[i * m + j] += a * B[l * m + j];
      }
    }
  };
  let nn = n;
  let expnt = 0;
  let hexpnt = 0;
  let sq = new Float64Array(m * m);
  while (nn > 0) {
    if (nn % 2) {
      mul(P, Hc, tmp);
      [P, tmp] = [tmp, P];
      expnt += hexpnt;
    }
    mul(Hc, Hc, sq);
    [Hc, sq] = [sq, Hc];
    hexpnt *= 2;
    if (Math.abs(Hc[(k - 1) * m + (k - 1)]) > E128) {
      for (let i = 0; i < m * m; i++) Hc[i] /= E128;
      hexpnt += 128;
    }
    nn = Math.floor(nn / 2);
  }
  let p = P[(k - 1) * m + (k - 1)];
  // Multiply by n!/n^n one factor at a time, rescaling to stay in range.
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < EM128) {
      p *= E128;
      expnt -= 128;
    }
  }
  if (expnt !== 0) p *= 2 ** expnt;
  return clip01(p);
}

function pomeranzBounds(i: number, n: number, ll: number, ceilf: number, roundf: number): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const ip1div2 = Math.floor((i + 1) / 2);
    const ip1mod2 = (i + 1) % 2;
    if (ip1mod2 === 0) {
      if (ip1div2 === n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = ip1div2 - 1 - ll - roundf - 1;
        j2 = ip1div2 + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = ip1div2 - 1 - ll - 1;
      j2 = ip1div2 + ll + roundf - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

/** Pomeranz's (1974) recursion for P(D_n < x), scaled as in scipy. */
function pomeranzCdf(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = t - ll;
  const g = Math.min(f, 1 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const npwrs = 2 * (ll + 1);
  const gpower = new Float64Array(npwrs);
  const twogpower = new Float64Array(npwrs);
  const onem2gpower = new Float64Array(npwrs);
  gpower[0] = twogpower[0] = onem2gpower[0] = 1;
  const gn = g / n, g2n = (2 * g) / n, g12n = (1 - 2 * g) / n;
  for (let k = 1; k < npwrs; k++) {
    gpower[k] = (gpower[k - 1] * gn) / k;
    twogpower[k] = (twogpower[k - 1] * g2n) / k;
    onem2gpower[k] = (onem2gpower[k - 1] * g12n) / k;
  }
  let V0 = new Float64Array(npwrs);
  let V1 = new Float64Array(npwrs);
  V1[0] = 1;
  let V0s = 0, V1s = 0;
  let expnt = 0;
  let [j1, j2] = pomeranzBounds(0, n, ll, ceilf, roundf);
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [V0, V1] = [V1, V0];
    [V0s, V1s] = [V1s, V0s];
    V1.fill(0);
    [j1, j2] = pomeranzBounds(i, n, ll, ceilf, roundf);
    const pw = i === 1 || i === 2 * n + 1 ? gpower : i % 2 ? twogpower : onem2gpower;
    const ln2 = j2 - k1 + 1;
    if (ln2 > 0) {
      // Full convolution of a = V0[k1−V0s … +ln2) (numpy truncates at the array end)
      // with b = pw[0 … ln2), entries conv_start … conv_start + conv_len.
      const s = k1 - V0s;
      const aLen = Math.min(ln2, npwrs - s);
      const convStart = j1 - k1;
      const convLen = j2 - j1 + 1;
      let vmax = 0;
      for (let q = 0; q < convLen; q++) {
        const kk = convStart + q;
        let acc = 0;
        const lo = Math.max(0, kk - ln2 + 1);
        const hi = Math.min(kk, aLen - 1);
        for (let a = lo; a <= hi; a++) acc += V0[s + a] * pw[kk - a];
        V1[q] = acc;
        if (acc > vmax) vmax = acc;
      }
      if (vmax > 0 && vmax < EM128) {
        for (let q = 0; q < npwrs; q++) V1[q] *= E128;
        expnt -= 128;
      }
      V1s = V0s + j1 - k1;
    }
  }
  let ans = V1[n - V1s];
  for (let k = 1; k <= n; k++) {
    if (Math.abs(ans) > E128) {
      ans *= EM128;
      expnt += 128;
    }
    ans *= k;
  }
  if (expnt !== 0) ans *= 2 ** expnt;
  return clip01(ans);
}

/** Pelz–Good (1976) approximation of P(D_n ≤ x), the theta-function form of the
 * Li-Chien/Korolyuk expansion K0 + K1/√n + K2/n + K3/n^1.5. */
function pelzGoodCdf(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const PI2 = Math.PI ** 2, PI4 = Math.PI ** 4, PI6 = Math.PI ** 6;
  const z = Math.sqrt(n) * x;
  const z2 = z * z, z3 = z ** 3, z4 = z ** 4, z6 = z ** 6;
  const qlog = -PI2 / 8 / z2;
  if (qlog < MIN_LOG) return 0;
  let q = Math.exp(qlog);
  const k1a = -z2, k1b = PI2 / 4;
  const k2a = 6 * z6 + 2 * z4, k2b = ((2 * z4 - 5 * z2) * PI2) / 4, k2c = (PI4 * (1 - 2 * z2)) / 16;
  const k3d = (PI6 * (5 - 30 * z2)) / 64;
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  let K0 = 0, K1 = 0, K2 = 0, K3 = 0;
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1;
    const m2 = m * m, m4 = m ** 4, m6 = m ** 6;
    const qp = q ** (8 * k);
    K0 = K0 * qp + 1;
    K1 = K1 * qp + (k1a + k1b * m2);
    K2 = K2 * qp + (k2a + k2b * m2 + k2c * m4);
    K3 = K3 * qp + (k3a + k3b * m2 + k3c * m4 + k3d * m6);
  }
  K0 = (K0 * q * SQRT_2PI) / z;
  K1 = (K1 * q * SQRT_2PI) / (6 * z4);
  K2 = (K2 * q * SQRT_2PI) / (72 * z ** 7);
  K3 = (K3 * q * SQRT_2PI) / (6480 * z ** 10);
  q = Math.exp(-PI2 / 2 / z2);
  let s2 = 0, s3 = 0;
  const sqrt3z = Math.sqrt(3) * z;
  for (let k = maxk; k > 0; k--) {
    const k2 = k * k;
    const qp = q ** k2;
    s2 += k2 * qp;
    const kpi = Math.PI * k;
    s3 += (sqrt3z + kpi) * (sqrt3z - kpi) * k2 * qp;
  }
  K2 += (s2 * PI2 * SQRT_2PI) / (-36 * z3);
  K3 += (s3 * PI2 * SQRT_2PI) / (216 * z6);
  return K0 + K1 / Math.sqrt(n) + K2 / n + K3 / n ** 1.5;
}

/**
 * P(D_n ≥ x) for the two-sided one-sample Kolmogorov–Smirnov statistic with a sample of
 * n (the survival function of scipy's `kstwo`).
 *
 * @param n - sample size, a positive integer (else `invalid_argument`)
 * @param x - the statistic, in [0, 1] (NaN: `invalid_argument`)
 * @example
 * kolmogorovSurvival(10, 0.3); // 0.2547... (scipy.stats.kstwo.sf(0.3, 10))
 */
export function kolmogorovSurvival(n: number, x: number): number {
  checkDomain('kolmogorovSurvival', n, x, 'x');
  if (x >= 1) return 0;
  if (x <= 0.5 / n) return 1;
  const t = n * x;
  if (t <= 1) {
    // Ruben–Gambino: P(D_n < x) = n!/n^n (2t − 1)^n for 1/(2n) < x ≤ 1/n.
    let prob: number;
    if (n <= 140) {
      prob = 1;
      for (let i = 1; i <= n; i++) prob *= i * (1 / n) * (2 * t - 1);
    } else {
      prob = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    }
    return clip01(1 - prob);
  }
  if (t >= n - 1) return clip01(2 * (1 - x) ** n); // Ruben–Gambino upper end
  if (x >= 0.5) return clip01(2 * smirnovSurvival(n, x)); // the two tails cannot both occur
  const nx2 = t * x;
  if (n <= 140) {
    if (nx2 <= 0.754693) return clip01(1 - durbinMatrixCdf(n, x));
    if (nx2 <= 4) return clip01(1 - pomeranzCdf(n, x));
    return clip01(2 * smirnovSurvival(n, x));
  }
  if (nx2 >= 370) return 0;
  if (nx2 >= 2.2) return clip01(2 * smirnovSurvival(n, x));
  let cdf: number;
  if (nx2 >= 18) cdf = 1;
  else if (n <= 100000 && n * x ** 1.5 <= 1.4) cdf = durbinMatrixCdf(n, x);
  else cdf = pelzGoodCdf(n, x);
  return clip01(1 - clip01(cdf));
}
