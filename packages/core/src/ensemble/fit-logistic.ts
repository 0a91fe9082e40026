/**
 * Fitting what a bundle's ensemble and calibration need from labelled validation rows,
 * in TypeScript (no Python at build time): a logistic regression by Newton–Raphson
 * (IRLS), used for stacking weights over member logits and for Platt scaling, and
 * isotonic regression by pool-adjacent-violators. Cold code: run once per bundle build.
 */
import { RiskscoreError } from '../errors';

/** A fitted logistic regression: coefficients, intercept (`bias`), the Newton iterations it took and its mean log-loss. */
export interface LogisticFit {
  /** One coefficient per column. */
  weights: number[];
  bias: number;
  iterations: number;
  /** Mean log-loss at the fit. */
  logLoss: number;
}

function checkLabels(y: ArrayLike<number>, n: number, fn: string): void {
  if (y.length !== n) throw new RiskscoreError('invalid_argument', `${fn}: ${y.length} labels for ${n} rows`, { path: ['labels'] });
  let pos = 0;
  for (let i = 0; i < n; i++) {
    if (y[i] !== 0 && y[i] !== 1) throw new RiskscoreError('invalid_argument', `${fn}: label ${i} is ${y[i]}; labels are 0 or 1`, { path: ['labels', i] });
    pos += y[i];
  }
  if (pos === 0 || pos === n) throw new RiskscoreError('undefined_statistic', `${fn}: the labels are all ${pos === 0 ? 0 : 1}; a fit needs both classes`, { path: ['labels'] });
}

/** Solves the symmetric positive-definite system A x = b (Cholesky); A is k×k row-major. */
function solve(a: Float64Array, b: Float64Array, k: number): Float64Array {
  const l = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * k + j];
      for (let p = 0; p < j; p++) s -= l[i * k + p] * l[j * k + p];
      if (i === j) {
        if (!(s > 0)) throw new RiskscoreError('undefined_statistic', 'fitLogistic: the columns are collinear (or one is constant); the fit has no unique solution', { path: ['columns'] });
        l[i * k + i] = Math.sqrt(s);
      } else l[i * k + j] = s / l[j * k + j];
    }
  }
  const z = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = b[i];
    for (let p = 0; p < i; p++) s -= l[i * k + p] * z[p];
    z[i] = s / l[i * k + i];
  }
  const x = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let s = z[i];
    for (let p = i + 1; p < k; p++) s -= l[p * k + i] * x[p];
    x[i] = s / l[i * k + i];
  }
  return x;
}

/**
 * Unpenalised logistic regression of `labels` on the columns of `x` (`n` rows × `k`
 * columns, row-major) with an intercept, by Newton–Raphson with step halving; the
 * maximum-likelihood fit statsmodels' `Logit` finds. A tiny ridge (`l2`, default 1e-9
 * per row) only keeps the Hessian invertible on separable data.
 *
 * @example
 * fitLogistic(Float64Array.from([-2, -1, 1, 2, 0.5, -0.5]), 6, 1, [0, 0, 1, 1, 0, 1]).weights; // [≈ 1.2]
 */
export function fitLogistic(x: ArrayLike<number>, n: number, k: number, labels: ArrayLike<number>, options: { maxIterations?: number; tolerance?: number; l2?: number } = {}): LogisticFit {
  const fn = 'fitLogistic';
  if (!Number.isInteger(n) || n < 2 || !Number.isInteger(k) || k < 1 || x.length !== n * k) {
    throw new RiskscoreError('invalid_argument', `${fn}: x must hold n × k values (n ≥ 2, k ≥ 1), got ${x.length} for n = ${n}, k = ${k}`, { path: ['x'] });
  }
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) throw new RiskscoreError('invalid_argument', `${fn}: x[${i}] is ${x[i]}; every value must be finite`, { path: ['x', i] });
  checkLabels(labels, n, fn);
  const maxIt = options.maxIterations ?? 100;
  const tol = options.tolerance ?? 1e-10;
  const ridge = (options.l2 ?? 1e-9) * n;
  const d = k + 1; // intercept last
  const beta = new Float64Array(d);
  const loss = (b: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      let z = b[k];
      for (let j = 0; j < k; j++) z += b[j] * x[i * k + j];
      // log(1 + e^z) - y z, stably
      s += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - labels[i] * z;
    }
    for (let j = 0; j < k; j++) s += 0.5 * ridge * b[j] * b[j];
    return s / n;
  };
  let current = loss(beta);
  let it = 0;
  for (; it < maxIt; it++) {
    const g = new Float64Array(d);
    const h = new Float64Array(d * d);
    for (let i = 0; i < n; i++) {
      let z = beta[k];
      for (let j = 0; j < k; j++) z += beta[j] * x[i * k + j];
      const p = 1 / (1 + Math.exp(-z));
      const w = Math.max(p * (1 - p), 1e-12);
      const r = p - labels[i];
      for (let a = 0; a < d; a++) {
        const xa = a === k ? 1 : x[i * k + a];
        g[a] += r * xa;
        for (let c = 0; c <= a; c++) h[a * d + c] += w * xa * (c === k ? 1 : x[i * k + c]);
      }
    }
    for (let a = 0; a < d; a++) {
      for (let c = 0; c < a; c++) h[c * d + a] = h[a * d + c];
      if (a < k) { g[a] += ridge * beta[a]; h[a * d + a] += ridge; }
    }
    const step = solve(h, g, d);
    let t = 1;
    let next = new Float64Array(d);
    let nextLoss = Infinity;
    for (let half = 0; half < 30; half++, t /= 2) {
      for (let a = 0; a < d; a++) next[a] = beta[a] - t * step[a];
      nextLoss = loss(next);
      if (nextLoss <= current + 1e-15) break;
    }
    const change = current - nextLoss;
    beta.set(next);
    current = nextLoss;
    next = new Float64Array(d);
    let gmax = 0;
    for (let a = 0; a < d; a++) gmax = Math.max(gmax, Math.abs(g[a]) / n);
    if (gmax < tol || (change >= 0 && change < tol * 1e-3)) { it++; break; }
  }
  return { weights: Array.from(beta.subarray(0, k)), bias: beta[k], iterations: it, logLoss: current };
}

/**
 * Isotonic (non-decreasing) regression of `labels` on `scores` by pool-adjacent-
 * violators, as scikit-learn's `IsotonicRegression(out_of_bounds='clip')` fits it: the
 * knots are the distinct scores' block ends, x strictly increasing, y in [0, 1].
 *
 * @example
 * fitIsotonic([0.1, 0.4, 0.35, 0.8], [0, 1, 0, 1]); // { x: [0.1, 0.35, 0.4, 0.8], y: [0, 0.5, 0.5, 1] }
 */
export function fitIsotonic(scores: ArrayLike<number>, labels: ArrayLike<number>): { x: number[]; y: number[] } {
  const n = scores.length;
  if (n < 2) throw new RiskscoreError('invalid_argument', 'fitIsotonic: needs at least 2 rows', { path: ['scores'] });
  for (let i = 0; i < n; i++) if (!Number.isFinite(scores[i])) throw new RiskscoreError('invalid_argument', `fitIsotonic: scores[${i}] is ${scores[i]}`, { path: ['scores', i] });
  checkLabels(labels, n, 'fitIsotonic');
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  // Ties first: one point per distinct score with the mean label and the count as weight.
  const xs: number[] = [];
  const ys: number[] = [];
  const ws: number[] = [];
  for (const i of order) {
    const s = scores[i];
    if (xs.length > 0 && xs[xs.length - 1] === s) {
      const k = xs.length - 1;
      ys[k] = (ys[k] * ws[k] + labels[i]) / (ws[k] + 1);
      ws[k] += 1;
    } else { xs.push(s); ys.push(labels[i]); ws.push(1); }
  }
  // Pool adjacent violators over blocks [start, end].
  const bv: number[] = [];
  const bw: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    bv.push(ys[i]); bw.push(ws[i]); bs.push(i);
    while (bv.length > 1 && bv[bv.length - 2] > bv[bv.length - 1]) {
      const w = bw[bw.length - 2] + bw[bw.length - 1];
      const v = (bv[bv.length - 2] * bw[bw.length - 2] + bv[bv.length - 1] * bw[bw.length - 1]) / w;
      bv.pop(); bw.pop(); bs.pop();
      bv[bv.length - 1] = v;
      bw[bw.length - 1] = w;
    }
  }
  // Each block contributes its first and last distinct score (sklearn keeps both ends of a flat run).
  const x: number[] = [];
  const y: number[] = [];
  for (let b = 0; b < bs.length; b++) {
    const first = bs[b];
    const last = b + 1 < bs.length ? bs[b + 1] - 1 : xs.length - 1;
    x.push(xs[first]); y.push(bv[b]);
    if (last !== first) { x.push(xs[last]); y.push(bv[b]); }
  }
  return { x, y };
}
