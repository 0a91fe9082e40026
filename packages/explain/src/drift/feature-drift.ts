import { ExplainError } from '../errors';
import { chiSquareTest } from './chi-square-test';
import type { NumericSample } from './check-sample';
import { type DriftCounts, referenceBucketCounts } from './drift-counts';
import { DEFAULT_DRIFT_THRESHOLDS, type DriftThresholds } from './drift-thresholds';
import { jensenShannonDistance } from './jensen-shannon';
import { ksTwoSample } from './ks-two-sample';
import { DEFAULT_PSI_EPSILON, populationStabilityIndex, populationStabilityIndexFromSamples } from './population-stability-index';
import { normalizedWassersteinDistance } from './wasserstein';

/** The statistics a drift verdict can rest on. */
export type DriftStatistic = 'psi' | 'ks' | 'jensen_shannon' | 'wasserstein' | 'chi_square';

/** stable < warning (PSI only: moderate shift) < drift. */
export type DriftStatus = 'stable' | 'warning' | 'drift';

/** One feature's drift verdict. */
export interface FeatureDrift {
  readonly feature: string;
  readonly statistic: DriftStatistic;
  /** The statistic's value (for KS and chi-square, the test statistic). */
  readonly value: number;
  /** The p-value, for KS and chi-square; null for distances. */
  readonly pValue: number | null;
  readonly status: DriftStatus;
}

/** Share of drifted features in one comparison. */
export interface DriftSummary {
  readonly features: number;
  readonly drifted: number;
  readonly warnings: number;
  /** drifted / features. */
  readonly share: number;
  /** share ≥ thresholds.datasetShare. */
  readonly datasetDrift: boolean;
}

const STATISTICS: readonly DriftStatistic[] = ['psi', 'ks', 'jensen_shannon', 'wasserstein', 'chi_square'];

/**
 * The verdict for a statistic's value under the thresholds. An unknown statistic or a
 * NaN value throws `invalid_argument` (a NaN would otherwise read as "stable").
 *
 * @example
 * driftStatus('psi', 0.18, DEFAULT_DRIFT_THRESHOLDS); // 'warning'
 */
export function driftStatus(statistic: DriftStatistic, valueOrP: number, t: DriftThresholds = DEFAULT_DRIFT_THRESHOLDS): DriftStatus {
  if (!STATISTICS.includes(statistic)) {
    throw new ExplainError('invalid_argument', `driftStatus: statistic must be one of ${STATISTICS.join(', ')}, got ${JSON.stringify(statistic)}`, ['statistic'], { details: { expected: STATISTICS, actual: statistic } });
  }
  if (typeof valueOrP !== 'number' || Number.isNaN(valueOrP)) {
    throw new ExplainError('invalid_argument', `driftStatus: valueOrP must be a number (the statistic, or the p-value for ks / chi_square), got ${String(valueOrP)}`, ['valueOrP'], { details: { actual: valueOrP } });
  }
  if (typeof t !== 'object' || t === null) {
    throw new ExplainError('invalid_argument', 'driftStatus: thresholds must be an object like DEFAULT_DRIFT_THRESHOLDS', ['thresholds']);
  }
  switch (statistic) {
    case 'psi':
      return valueOrP >= t.psiDrift ? 'drift' : valueOrP >= t.psiWarning ? 'warning' : 'stable';
    case 'ks':
    case 'chi_square':
      return valueOrP < t.pValue ? 'drift' : 'stable';
    case 'jensen_shannon':
      return valueOrP >= t.jensenShannon ? 'drift' : 'stable';
    case 'wasserstein':
      return valueOrP >= t.normalizedWasserstein ? 'drift' : 'stable';
  }
}

/**
 * Drift of one feature between two raw samples (the batch path). `ks` uses
 * {@link ksTwoSample} (method auto), `wasserstein` the normalised W₁, `psi` 10 quantile
 * bins of the reference.
 *
 * @example
 * featureDriftFromSamples('age', refAges, curAges, 'ks');
 * // { feature: 'age', statistic: 'ks', value: 0.31, pValue: 1e-40, status: 'drift' }
 */
export function featureDriftFromSamples(
  feature: string,
  reference: NumericSample,
  current: NumericSample,
  statistic: 'psi' | 'ks' | 'wasserstein',
  thresholds: DriftThresholds = DEFAULT_DRIFT_THRESHOLDS,
): FeatureDrift {
  if (statistic === 'ks') {
    const r = ksTwoSample(reference, current);
    return { feature, statistic, value: r.statistic, pValue: r.pValue, status: driftStatus('ks', r.pValue, thresholds) };
  }
  if (statistic === 'wasserstein') {
    const w = normalizedWassersteinDistance(reference, current);
    return { feature, statistic, value: w, pValue: null, status: driftStatus('wasserstein', w, thresholds) };
  }
  if (statistic === 'psi') {
    const psi = populationStabilityIndexFromSamples(reference, current);
    return { feature, statistic, value: psi, pValue: null, status: driftStatus('psi', psi, thresholds) };
  }
  throw new ExplainError('invalid_argument', `featureDriftFromSamples: statistic must be 'psi', 'ks' or 'wasserstein', got ${String(statistic)}`, ['statistic']);
}

/** Options of {@link featureDriftFromCounts}. */
export interface CountsDriftOptions {
  /** Statistic for numeric features: 'psi' (default) or 'jensen_shannon'. */
  readonly numeric?: 'psi' | 'jensen_shannon';
  /** Statistic for categorical features: 'chi_square' (default), 'psi' or 'jensen_shannon'. */
  readonly categorical?: 'chi_square' | 'psi' | 'jensen_shannon';
  readonly thresholds?: DriftThresholds;
  /** Share floor for PSI and for the chi-square's expected shares (default 1e−4). */
  readonly epsilon?: number;
}

/**
 * Drift of every profiled feature in a window of counts against the reference profile,
 * all from bucket counts (the streaming path: no raw events kept). Missing values are a
 * bucket of their own, so a rise in missingness is drift too.
 *
 * Chi-square needs expected counts > 0 everywhere, but the reference never holds an
 * "unseen" category: the expected shares are the reference shares floored at `epsilon`
 * and renormalised, times the window's row count. The test is then Pearson's against
 * those expected counts (`chiSquareTest`), with dof = buckets − 1.
 *
 * @throws ExplainError `undefined_statistic` when the window is empty
 * @example
 * const { features, summary } = featureDriftFromCounts(window);
 */
export function featureDriftFromCounts(acc: DriftCounts, options: CountsDriftOptions = {}): { features: FeatureDrift[]; summary: DriftSummary } {
  const a = acc as Partial<DriftCounts> | null;
  if (typeof a !== 'object' || a === null || !(a.counts instanceof Float64Array) || !(a.offsets instanceof Int32Array) || typeof a.profile !== 'object' || a.profile === null) {
    throw new ExplainError('invalid_argument', `featureDriftFromCounts: acc must be drift counts from createDriftCounts, got ${acc === null ? 'null' : typeof acc}`, ['acc']);
  }
  if (typeof options !== 'object' || options === null) {
    throw new ExplainError('invalid_argument', 'featureDriftFromCounts: options must be an object { thresholds?, epsilon?, numeric?, categorical? }', ['options']);
  }
  const t = options.thresholds ?? DEFAULT_DRIFT_THRESHOLDS;
  const eps = options.epsilon ?? DEFAULT_PSI_EPSILON;
  const profile = acc.profile;
  const out: FeatureDrift[] = [];
  for (let f = 0; f < profile.features.length; f++) {
    const fp = profile.features[f];
    const ref = referenceBucketCounts(profile, f);
    const cur = acc.counts.subarray(acc.offsets[f], acc.offsets[f + 1]);
    const stat = fp.kind === 'numeric' ? options.numeric ?? 'psi' : options.categorical ?? 'chi_square';
    if (stat === 'psi') {
      const v = populationStabilityIndex(ref, cur, { epsilon: eps });
      out.push({ feature: fp.name, statistic: 'psi', value: v, pValue: null, status: driftStatus('psi', v, t) });
    } else if (stat === 'jensen_shannon') {
      const v = jensenShannonDistance(ref, cur);
      out.push({ feature: fp.name, statistic: 'jensen_shannon', value: v, pValue: null, status: driftStatus('jensen_shannon', v, t) });
    } else {
      let sr = 0, sc = 0;
      for (let i = 0; i < ref.length; i++) { sr += ref[i]; sc += cur[i]; }
      if (sc === 0) throw new ExplainError('undefined_statistic', `featureDriftFromCounts: the window has no rows for ${fp.name}`, ['counts', fp.name]);
      const expected = new Float64Array(ref.length);
      let se = 0;
      for (let i = 0; i < ref.length; i++) { expected[i] = Math.max(ref[i] / sr, eps); se += expected[i]; }
      for (let i = 0; i < ref.length; i++) expected[i] = (expected[i] / se) * sc;
      const r = chiSquareTest(Float64Array.from(cur), expected);
      out.push({ feature: fp.name, statistic: 'chi_square', value: r.statistic, pValue: r.pValue, status: driftStatus('chi_square', r.pValue, t) });
    }
  }
  return { features: out, summary: summarizeDrift(out, t) };
}

/**
 * Share of drifted features: the per-dataset summary.
 *
 * @example
 * summarizeDrift(features); // { features: 23, drifted: 4, warnings: 2, share: 0.17, datasetDrift: false }
 */
export function summarizeDrift(features: readonly FeatureDrift[], thresholds: DriftThresholds = DEFAULT_DRIFT_THRESHOLDS): DriftSummary {
  if (!Array.isArray(features as unknown)) {
    throw new ExplainError('invalid_argument', `summarizeDrift: features must be an array of FeatureDrift verdicts, got ${features === null ? 'null' : typeof features}`, ['features']);
  }
  if (typeof thresholds !== 'object' || thresholds === null) {
    throw new ExplainError('invalid_argument', 'summarizeDrift: thresholds must be an object like DEFAULT_DRIFT_THRESHOLDS', ['thresholds']);
  }
  let drifted = 0, warnings = 0;
  for (const f of features) {
    if (f.status === 'drift') drifted++;
    else if (f.status === 'warning') warnings++;
  }
  const share = features.length > 0 ? drifted / features.length : 0;
  return { features: features.length, drifted, warnings, share, datasetDrift: features.length > 0 && share >= thresholds.datasetShare };
}
