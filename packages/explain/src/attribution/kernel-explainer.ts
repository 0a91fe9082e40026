import { ExplainError } from '../errors';
import { type BatchPredict, predictInBatches } from './batch-predict';
import { checkNoInfinity } from './check-finite-rows';
import { createSeededRandom } from './seeded-random';
import { solveLinearInPlace } from './solve-linear';
import type { FeatureRow } from './tree-explainer';

/** Options of {@link createKernelExplainer}. */
export interface KernelExplainerOptions {
  /** The model, batched (one logit per row). */
  readonly predict: BatchPredict;
  readonly nFeatures: number;
  /** Background rows, row-major: features outside a coalition take their values. */
  readonly background: FeatureRow;
  readonly nBackground: number;
  /** Enumerate all 2^M − 2 coalitions (exact Shapley values) when M ≤ this. Default 12. */
  readonly maxExactFeatures?: number;
  /** Coalitions to evaluate when sampling (M above `maxExactFeatures`). Default 2M + 2048. */
  readonly nSamples?: number;
  /** Seed of the coalition sampler. Default 0. */
  readonly seed?: number;
  /** Most rows handed to `predict` in one call. Default 16384. */
  readonly maxBatchRows?: number;
}

/** KernelSHAP for one model and background; see {@link createKernelExplainer}. */
export interface KernelExplainer {
  readonly nFeatures: number;
  /** Whether `explain` enumerates all coalitions (exact) or samples them. */
  readonly exact: boolean;
  /** Number of coalitions evaluated per explanation (besides ∅ and the full set). */
  readonly nCoalitions: number;
  /**
   * SHAP values of `row`: `nFeatures + 1` numbers, the bias (mean output over the
   * background) last; they sum exactly to `f(row)` (efficiency is a constraint of the
   * fit, not an approximation). Written into `out` when given.
   */
  explain(row: FeatureRow, out?: Float64Array): Promise<Float64Array>;
  /**
   * `nRows` rows (row-major), explained one after the other (each row's coalitions
   * are one batched model evaluation); row r's values at `r · (nFeatures + 1)`.
   */
  explainBatch(rows: FeatureRow, nRows: number): Promise<Float64Array>;
}

/**
 * Creates a KernelSHAP explainer (Lundberg & Lee, "A Unified Approach to Interpreting
 * Model Predictions", NeurIPS 2017), model-agnostic: for the MLP and transformer
 * members. The value of a coalition S is `v(S) = (1/n) Σ_b f(x_S, z⁽ᵇ⁾_S̄)` over the
 * background rows; φ solves the weighted least squares
 * `min Σ_S π(S) (v(S) − v(∅) − Σ_{i∈S} φ_i)²` with the Shapley kernel
 * `π(S) = (M−1) / (C(M,|S|) |S| (M−|S|))`, subject to `Σ φ_i = v(N) − v(∅)` (∅ and N have
 * infinite kernel weight, so they enter as constraints; the constraint is eliminated by
 * substituting φ_M = Δ − Σ_{i<M} φ_i). Over all coalitions the solution is exactly the
 * Shapley values (Charnes et al. 1988).
 *
 * Coalitions: all of them when M ≤ `maxExactFeatures`; otherwise as the `shap` package
 * does, whole subset sizes in pairs (s, M−s) from the smallest (largest kernel weight
 * per coalition) while the budget covers them, then the remaining kernel mass spread
 * over coalitions drawn with the seed (size ∝ group weight, uniform subset, always with
 * its complement; a coalition drawn twice gets twice the weight). Deterministic for a
 * seed. Every explanation makes `nCoalitions · nBackground + …` model rows, handed to
 * `predict` in batches of `maxBatchRows`.
 *
 * @example
 * const ex = createKernelExplainer({ predict, nFeatures: 8, background, nBackground: 50 });
 * const phi = await ex.explain(row); // Float64Array(9), Σ = f(row)
 */
export function createKernelExplainer(options: KernelExplainerOptions): KernelExplainer {
  if (options === null || typeof options !== 'object') throw new ExplainError('invalid_argument', 'createKernelExplainer: options must be an object ({ predict, nFeatures, … })', ['options']);
  const { predict, nFeatures: M, background, nBackground: nBg } = options;
  const bad = (msg: string, path: Array<string | number>): never => {
    throw new ExplainError('invalid_argument', `createKernelExplainer: ${msg}`, path);
  };
  if (typeof predict !== 'function') bad('predict must be a function (rows, nRows) => Float64Array', ['predict']);
  if (!Number.isInteger(M) || M < 1) bad(`nFeatures must be a positive integer, got ${M}`, ['nFeatures']);
  if (!Number.isInteger(nBg) || nBg < 1) bad(`nBackground must be a positive integer, got ${nBg}`, ['nBackground']);
  if (!background || background.length !== nBg * M) bad(`background must hold nBackground·nFeatures = ${nBg * M} values`, ['background']);
  checkNoInfinity(background, nBg, M, ['background'], 'createKernelExplainer');
  const maxExact = options.maxExactFeatures ?? 12;
  if (!Number.isInteger(maxExact) || maxExact < 0 || maxExact > 20) bad(`maxExactFeatures must be an integer in [0, 20], got ${maxExact}`, ['maxExactFeatures']);
  const nSamples = options.nSamples ?? 2 * M + 2048;
  if (!Number.isInteger(nSamples) || nSamples < 2 * M) bad(`nSamples must be an integer ≥ 2·nFeatures = ${2 * M}, got ${nSamples}`, ['nSamples']);
  const maxBatchRows = options.maxBatchRows ?? 16384;
  if (!Number.isInteger(maxBatchRows) || maxBatchRows < 1) bad(`maxBatchRows must be a positive integer, got ${maxBatchRows}`, ['maxBatchRows']);
  const seed = options.seed ?? 0;

  // Coalitions are fixed per explainer: the same masks and weights for every row.
  const { masks, weights } = M <= maxExact ? allCoalitions(M) : sampledCoalitions(M, nSamples, seed);
  const nC = weights.length;
  // Rows: [∅ · nBg][N · 1][coalition c · nBg]...
  const nRows = nBg + 1 + nC * nBg;
  const rows = new Float32Array(nRows * M);
  const bg = Float32Array.from(background);
  for (let b = 0; b < nBg; b++) rows.set(bg.subarray(b * M, (b + 1) * M), b * M);
  const K = M - 1;
  const a = new Float64Array(K * K);
  const rhs = new Float64Array(K);

  const explainer: KernelExplainer = {
    nFeatures: M,
    exact: M <= maxExact,
    nCoalitions: nC,
    async explainBatch(batch, n) {
      if (!Number.isInteger(n) || n < 0 || !batch || batch.length !== n * M) {
        throw new ExplainError('invalid_argument', `kernelShap: rows must hold nRows·nFeatures = ${n}·${M} values`, ['rows']);
      }
      checkNoInfinity(batch, n, M, ['rows'], 'kernelShap');
      const res = new Float64Array(n * (M + 1));
      for (let r = 0; r < n; r++) await explainer.explain(batch.subarray(r * M, (r + 1) * M), res.subarray(r * (M + 1), (r + 1) * (M + 1)));
      return res;
    },
    async explain(row, out) {
      if (!row || row.length !== M) throw new ExplainError('invalid_argument', `kernelShap: row must have ${M} features, got ${row ? row.length : 'none'}`, ['row']);
      if (out !== undefined && (!(out instanceof Float64Array) || out.length !== M + 1)) {
        throw new ExplainError('invalid_argument', `kernelShap: out must be a Float64Array of length nFeatures + 1 = ${M + 1}`, ['out']);
      }
      checkNoInfinity(row, 'single', M, ['row'], 'kernelShap');
      let p = nBg * M;
      for (let i = 0; i < M; i++) rows[p + i] = row[i];
      p += M;
      for (let c = 0; c < nC; c++) {
        for (let b = 0; b < nBg; b++) {
          for (let i = 0; i < M; i++) rows[p + i] = masks[c * M + i] ? row[i] : bg[b * M + i];
          p += M;
        }
      }
      const y = await predictInBatches(predict, rows, nRows, M, maxBatchRows, 'kernelShap');
      let v0 = 0;
      for (let b = 0; b < nBg; b++) v0 += y[b];
      v0 /= nBg;
      const vN = y[nBg];
      const delta = vN - v0;
      const phi = out ?? new Float64Array(M + 1);
      phi.fill(0);
      phi[M] = v0;
      if (M === 1) {
        phi[0] = delta;
        return phi;
      }
      // Normal equations of the reduced problem: columns x_i = z_i − z_M (i < M),
      // target y = v(S) − v(∅) − z_M·Δ.
      a.fill(0);
      rhs.fill(0);
      for (let c = 0; c < nC; c++) {
        let v = 0;
        const base = nBg + 1 + c * nBg;
        for (let b = 0; b < nBg; b++) v += y[base + b];
        v /= nBg;
        const zM = masks[c * M + K];
        const t = v - v0 - zM * delta;
        const w = weights[c];
        for (let i = 0; i < K; i++) {
          const xi = masks[c * M + i] - zM;
          if (xi === 0) continue;
          rhs[i] += w * xi * t;
          for (let j = 0; j < K; j++) a[i * K + j] += w * xi * (masks[c * M + j] - zM);
        }
      }
      solveLinearInPlace(a, rhs, K, 'kernelShap');
      let s = 0;
      for (let i = 0; i < K; i++) {
        phi[i] = rhs[i];
        s += rhs[i];
      }
      phi[K] = delta - s;
      return phi;
    },
  };
  return explainer;
}

/** C(n, k) as a double, by the multiplicative formula (exact for the n ≤ 60 or so used here, close above). */
function binomial(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c;
}

/** Every coalition 1 … 2^M − 2 with its Shapley kernel weight (normalised to sum 1). */
function allCoalitions(M: number): { masks: Uint8Array; weights: Float64Array } {
  const n = (1 << M) - 2;
  const masks = new Uint8Array(n * M);
  const weights = new Float64Array(n);
  let total = 0;
  for (let s = 1; s <= n; s++) {
    let size = 0;
    for (let i = 0; i < M; i++) {
      const bit = (s >> i) & 1;
      masks[(s - 1) * M + i] = bit;
      size += bit;
    }
    weights[s - 1] = (M - 1) / (binomial(M, size) * size * (M - size));
    total += weights[s - 1];
  }
  for (let i = 0; i < n; i++) weights[i] /= total;
  return { masks, weights };
}

/** The `shap` KernelExplainer coalition scheme (see {@link createKernelExplainer}). */
function sampledCoalitions(M: number, budget: number, seed: number): { masks: Uint8Array; weights: Float64Array } {
  const rng = createSeededRandom(seed);
  const list: Uint8Array[] = [];
  const wts: number[] = [];
  const index = new Map<string, number>();
  const add = (mask: Uint8Array, w: number): void => {
    const key = mask.join('');
    const at = index.get(key);
    if (at !== undefined) {
      wts[at] += w;
      return;
    }
    index.set(key, list.length);
    list.push(mask);
    wts.push(w);
  };
  const groupWeight = (s: number): number => (M - 1) / (s * (M - s)); // Σ of π over all subsets of size s
  const half = Math.floor(M / 2);
  let left = budget;
  let s = 1;
  for (; s <= half; s++) {
    const paired = s !== M - s;
    const count = binomial(M, s) * (paired ? 2 : 1);
    if (count > left) break;
    const w = groupWeight(s) / binomial(M, s);
    // Enumerate the subsets of size s in lexicographic order (and their complements).
    const idx = Array.from({ length: s }, (_, i) => i);
    for (;;) {
      const m = new Uint8Array(M);
      for (const i of idx) m[i] = 1;
      add(m, w);
      if (paired) add(m.map((b) => 1 - b), w);
      let k = s - 1;
      while (k >= 0 && idx[k] === M - s + k) k--;
      if (k < 0) break;
      idx[k]++;
      for (let j = k + 1; j < s; j++) idx[j] = idx[j - 1] + 1;
    }
    left -= count;
  }
  if (s <= half && left >= 2) {
    // Remaining sizes s..M−s share the remaining kernel mass; draw pairs (S, complement).
    const sizes: number[] = [];
    const cum: number[] = [];
    let mass = 0;
    for (let t = s; t <= half; t++) {
      const gw = groupWeight(t) * (t !== M - t ? 2 : 1);
      mass += gw;
      sizes.push(t);
      cum.push(mass);
    }
    const nDraw = Math.floor(left / 2);
    const w = mass / (2 * nDraw);
    const perm = new Int32Array(M);
    for (let d = 0; d < nDraw; d++) {
      const u = rng.next() * mass;
      let g = 0;
      while (g < cum.length - 1 && cum[g] <= u) g++;
      const size = sizes[g];
      for (let i = 0; i < M; i++) perm[i] = i;
      const m = new Uint8Array(M);
      for (let i = 0; i < size; i++) {
        const j = i + rng.nextInt(M - i); // partial Fisher–Yates: a uniform subset of `size`
        const t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
        m[perm[i]] = 1;
      }
      add(m, w);
      add(m.map((b) => 1 - b), w);
    }
  }
  const masks = new Uint8Array(list.length * M);
  list.forEach((m, i) => masks.set(m, i * M));
  const weights = Float64Array.from(wts);
  let total = 0;
  for (const w of weights) total += w;
  for (let i = 0; i < weights.length; i++) weights[i] /= total;
  return { masks, weights };
}
