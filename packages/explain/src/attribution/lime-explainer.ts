import { ExplainError } from '../errors';
import { checkNoInfinity } from './check-finite-rows';
import { type BatchPredict, predictInBatches } from './batch-predict';
import { createSeededRandom } from './seeded-random';
import { solveLinearInPlace } from './solve-linear';
import type { FeatureRow } from './tree-explainer';

/** Options of {@link createLimeExplainer}. */
export interface LimeExplainerOptions {
  readonly predict: BatchPredict;
  readonly nFeatures: number;
  /** Training rows (row-major) the quartiles and per-bin statistics come from. NaN = missing. */
  readonly training: FeatureRow;
  readonly nTraining: number;
  /** Perturbed samples per explanation, the row itself included. Default 5000. */
  readonly nSamples?: number;
  /** Width of the exponential kernel on the binary distance. Default 0.75·√M (as `lime`). */
  readonly kernelWidth?: number;
  /** Ridge penalty (sklearn `Ridge(alpha)`, intercept not penalised). Default 1. */
  readonly ridgeAlpha?: number;
  readonly seed?: number;
  readonly maxBatchRows?: number;
}

/** One LIME explanation. */
export interface LimeExplanation {
  /** Weight per feature: the change of the local linear model when the feature is in the row's own quartile bin. */
  readonly weights: Float64Array;
  readonly intercept: number;
  /** The surrogate's value at the row (intercept + Σ weights). */
  readonly localPrediction: number;
  /** Weighted R² of the surrogate on the samples. */
  readonly score: number;
  /** The bin of the row per feature (0–3 quartile bins, 4 = missing). */
  readonly bins: Uint8Array;
}

/** LIME for one model and training set; see {@link createLimeExplainer}. */
export interface LimeExplainer {
  readonly nFeatures: number;
  /** Quartile boundaries per feature, `3·M` numbers (duplicates collapse a bin). */
  readonly quartiles: Float64Array;
  /**
   * Explains one row of `nFeatures` values (NaN = missing); the same seed gives the same
   * explanation. Throws `invalid_argument` for a row of another length or with an infinity.
   */
  explain(row: FeatureRow): Promise<LimeExplanation>;
}

const MISSING_BIN = 4;

/**
 * Creates a LIME explainer for tabular rows (Ribeiro, Singh & Guestrin, "Why should I
 * trust you?", KDD 2016), following `lime`'s `LimeTabularExplainer` with
 * `discretize_continuous=True, discretizer='quartile'`:
 *
 * 1. each feature is cut at its training quartiles (NumPy's linear-interpolation
 *    percentiles, missing values ignored) into ≤ 4 bins, plus a bin for missing values;
 *    per bin the training frequency, mean, standard deviation, min and max are kept;
 * 2. a sample draws each feature's bin with the training frequencies, then a value in it
 *    from the bin's normal truncated to [min, max] (by rejection, up to 16 tries, then
 *    uniform in [min, max]; `lime` uses scipy's truncnorm); the first sample is the row;
 * 3. the interpretable representation is binary: z_j = 1 when the sample's bin of j is
 *    the row's; the distance to the row is `‖1 − z‖₂` and the sample's weight the
 *    exponential kernel `√exp(−d²/w²)` (as `lime`);
 * 4. a weighted ridge regression of the model's outputs on z (intercept unpenalised)
 *    gives the explanation.
 *
 * All features are kept (no feature selection). Deterministic for a seed.
 *
 * @example
 * const lime = createLimeExplainer({ predict, nFeatures: 23, training, nTraining: 5000, seed: 1 });
 * const { weights, intercept } = await lime.explain(row);
 */
export function createLimeExplainer(options: LimeExplainerOptions): LimeExplainer {
  if (options === null || typeof options !== 'object') throw new ExplainError('invalid_argument', 'createLimeExplainer: options must be an object ({ predict, nFeatures, … })', ['options']);
  const { predict, nFeatures: M, training, nTraining: n } = options;
  const bad = (msg: string, path: Array<string | number>): never => {
    throw new ExplainError('invalid_argument', `createLimeExplainer: ${msg}`, path);
  };
  if (typeof predict !== 'function') bad('predict must be a function (rows, nRows) => Float64Array', ['predict']);
  if (!Number.isInteger(M) || M < 1) bad(`nFeatures must be a positive integer, got ${M}`, ['nFeatures']);
  if (!Number.isInteger(n) || n < 2) bad(`nTraining must be an integer ≥ 2, got ${n}`, ['nTraining']);
  if (!training || training.length !== n * M) bad(`training must hold nTraining·nFeatures = ${n * M} values`, ['training']);
  const nSamples = options.nSamples ?? 5000;
  if (!Number.isInteger(nSamples) || nSamples < 2) bad(`nSamples must be an integer ≥ 2, got ${nSamples}`, ['nSamples']);
  const width = options.kernelWidth ?? 0.75 * Math.sqrt(M);
  if (!(width > 0)) bad(`kernelWidth must be > 0, got ${width}`, ['kernelWidth']);
  const alpha = options.ridgeAlpha ?? 1;
  if (!(alpha >= 0)) bad(`ridgeAlpha must be ≥ 0, got ${alpha}`, ['ridgeAlpha']);
  const seed = options.seed ?? 0;
  const maxBatchRows = options.maxBatchRows ?? 16384;
  if (!Number.isInteger(maxBatchRows) || maxBatchRows < 1) bad(`maxBatchRows must be a positive integer, got ${maxBatchRows}`, ['maxBatchRows']);
  checkNoInfinity(training, n, M, ['training'], 'createLimeExplainer');

  // 1. Quartiles and per-bin statistics.
  const quartiles = new Float64Array(3 * M);
  const B = 5;
  const freq = new Float64Array(M * B); // cumulative, for sampling
  const mean = new Float64Array(M * B);
  const sd = new Float64Array(M * B);
  const lo = new Float64Array(M * B);
  const hi = new Float64Array(M * B);
  const col = new Float64Array(n);
  for (let j = 0; j < M; j++) {
    let k = 0;
    for (let r = 0; r < n; r++) {
      const v = training[r * M + j];
      if (v === v) col[k++] = v;
    }
    const vals = col.subarray(0, k).sort();
    for (let q = 0; q < 3; q++) quartiles[j * 3 + q] = k > 0 ? percentile(vals, 25 * (q + 1)) : NaN;
    const cnt = new Float64Array(B);
    const sum = new Float64Array(B);
    const sq = new Float64Array(B);
    lo.fill(Infinity, j * B, j * B + B);
    hi.fill(-Infinity, j * B, j * B + B);
    for (let r = 0; r < n; r++) {
      const v = training[r * M + j];
      const b = binOf(quartiles, j, v);
      cnt[b]++;
      if (b === MISSING_BIN) continue;
      sum[b] += v;
      sq[b] += v * v;
      if (v < lo[j * B + b]) lo[j * B + b] = v;
      if (v > hi[j * B + b]) hi[j * B + b] = v;
    }
    let c = 0;
    for (let b = 0; b < B; b++) {
      c += cnt[b] / n;
      freq[j * B + b] = c;
      if (cnt[b] > 0 && b !== MISSING_BIN) {
        mean[j * B + b] = sum[b] / cnt[b];
        sd[j * B + b] = Math.sqrt(Math.max(0, sq[b] / cnt[b] - mean[j * B + b] ** 2));
      }
    }
    freq[j * B + B - 1] = 1;
  }

  const rows = new Float32Array(nSamples * M);
  const z = new Uint8Array(nSamples * M);
  const w = new Float64Array(nSamples);
  const a = new Float64Array(M * M);
  const rhs = new Float64Array(M);

  return {
    nFeatures: M,
    quartiles,
    async explain(row) {
      if (!row || row.length !== M) throw new ExplainError('invalid_argument', `lime: row must have ${M} features, got ${row ? row.length : 'none'}`, ['row']);
      checkNoInfinity(row, 'single', M, ['row'], 'lime');
      const rng = createSeededRandom(seed);
      const bins = new Uint8Array(M);
      for (let j = 0; j < M; j++) bins[j] = binOf(quartiles, j, row[j]);
      // 2–3. Samples, binary representation, kernel weights.
      for (let s = 0; s < nSamples; s++) {
        let dist2 = 0;
        for (let j = 0; j < M; j++) {
          let b: number;
          let v: number;
          if (s === 0) {
            b = bins[j];
            v = row[j];
          } else {
            const u = rng.next();
            b = 0;
            while (b < B - 1 && freq[j * B + b] <= u) b++;
            v = b === MISSING_BIN ? NaN : truncatedNormal(rng, mean[j * B + b], sd[j * B + b], lo[j * B + b], hi[j * B + b]);
          }
          rows[s * M + j] = v;
          const same = b === bins[j] ? 1 : 0;
          z[s * M + j] = same;
          dist2 += 1 - same;
        }
        w[s] = Math.sqrt(Math.exp(-dist2 / (width * width)));
      }
      const y = await predictInBatches(predict, rows, nSamples, M, maxBatchRows, 'lime');
      // 4. Weighted ridge with unpenalised intercept: centre z and y by their weighted
      // means, then (Zcᵀ W Zc + αI) β = Zcᵀ W yc, intercept = ȳ − z̄ᵀβ (sklearn Ridge).
      let sw = 0, ybar = 0;
      const zbar = new Float64Array(M);
      for (let s = 0; s < nSamples; s++) {
        sw += w[s];
        ybar += w[s] * y[s];
        for (let j = 0; j < M; j++) zbar[j] += w[s] * z[s * M + j];
      }
      ybar /= sw;
      for (let j = 0; j < M; j++) zbar[j] /= sw;
      a.fill(0);
      rhs.fill(0);
      for (let s = 0; s < nSamples; s++) {
        const ws = w[s];
        const yc = y[s] - ybar;
        for (let i = 0; i < M; i++) {
          const zi = z[s * M + i] - zbar[i];
          rhs[i] += ws * zi * yc;
          for (let j = i; j < M; j++) a[i * M + j] += ws * zi * (z[s * M + j] - zbar[j]);
        }
      }
      for (let i = 0; i < M; i++) {
        a[i * M + i] += alpha;
        for (let j = 0; j < i; j++) a[i * M + j] = a[j * M + i];
      }
      // A feature whose bin never changes has a zero column; with α = 0 that is singular,
      // and its weight is 0 by any reasonable reading: pin it.
      for (let i = 0; i < M; i++) {
        if (a[i * M + i] === 0) {
          a[i * M + i] = 1;
          rhs[i] = 0;
        }
      }
      const beta = solveLinearInPlace(a, rhs, M, 'lime');
      const weights = Float64Array.from(beta);
      let intercept = ybar;
      for (let j = 0; j < M; j++) intercept -= zbar[j] * weights[j];
      let ssRes = 0, ssTot = 0;
      for (let s = 0; s < nSamples; s++) {
        let pred = intercept;
        for (let j = 0; j < M; j++) pred += weights[j] * z[s * M + j];
        ssRes += w[s] * (y[s] - pred) ** 2;
        ssTot += w[s] * (y[s] - ybar) ** 2;
      }
      let localPrediction = intercept;
      for (let j = 0; j < M; j++) localPrediction += weights[j];
      return { weights, intercept, localPrediction, score: ssTot > 0 ? 1 - ssRes / ssTot : 1, bins };
    },
  };
}

/**
 * NumPy's default (`linear`) percentile of sorted values: position p/100·(n−1),
 * interpolated between its neighbours.
 */
function percentile(sorted: Float64Array, p: number): number {
  const pos = (p / 100) * (sorted.length - 1);
  const i = Math.floor(pos);
  const f = pos - i;
  return i + 1 < sorted.length ? sorted[i] + f * (sorted[i + 1] - sorted[i]) : sorted[i];
}

/** `lime`'s bin: `np.searchsorted(quartiles, v)` (left), i.e. the number of quartiles < v; NaN → 4. */
function binOf(q: Float64Array, j: number, v: number): number {
  if (v !== v) return MISSING_BIN;
  let b = 0;
  while (b < 3 && q[j * 3 + b] < v) b++;
  return b;
}

function truncatedNormal(rng: ReturnType<typeof createSeededRandom>, mu: number, sigma: number, lo: number, hi: number): number {
  if (!(sigma > 0) || !(hi > lo)) return mu;
  for (let t = 0; t < 16; t++) {
    const v = mu + sigma * rng.nextNormal();
    if (v >= lo && v <= hi) return v;
  }
  return lo + (hi - lo) * rng.next();
}
