/**
 * Which of a window's drift values are beyond chance at the window's size. One test per
 * monitored feature (and the score): its Jensen–Shannon distance against that feature's
 * null distribution at n rows (explain's `driftNullModel`: window and reference redrawn
 * from the reference's shares); plus, when chi-square alerts are on, each categorical
 * feature's chi-square test. The window's tests are corrected together by
 * Benjamini–Hochberg at the monitor's false discovery rate, so with no shift at all the
 * chance that a window raises any alert is about that rate or less, whatever n and
 * however many features (docs/monitoring.md has the measured rates).
 *
 * Cold path (once per window close). The null models depend only on a feature's reference
 * counts and n: they are built at the sizes of a geometric grid around n when first
 * needed (two sizes: ~0.3 s for 24 features, ~1 s for 206 in bench:monitor) and kept
 * for the last 16 sizes; sizes in between are interpolated.
 */
import {
  benjaminiHochberg,
  driftNullModel,
  driftPValue,
  referenceBucketCounts,
  type DriftNullModel,
  type FeatureDrift,
  type ReferenceProfile,
} from '@riskscore/explain';

/** Grid sizes per doubling of the window's rows. */
const GRID_STEPS = 8;

/** The k-th size of the grid: round(2^(k/8)). */
function gridSize(k: number): number {
  return Math.round(2 ** (k / GRID_STEPS));
}

/** The key of a feature's test among a window's tests (a feature has at most one of each kind). */
export function driftTestKey(statistic: string, feature: string): string {
  return `${statistic === 'chi_square' ? 'chi_square' : 'jensen_shannon'}:${feature}`;
}

/** One test of a window: a feature's JS distance against its null at n, or its chi-square test. */
export interface DriftTest {
  readonly feature: string;
  readonly statistic: 'jensen_shannon' | 'chi_square';
  /** The JS distance, or the chi-square statistic. */
  readonly value: number;
  readonly pValue: number;
  /** Benjamini–Hochberg adjusted p-value over the window's tests. */
  readonly adjustedPValue: number;
  /** Rejected at the false discovery rate: the feature's value is beyond chance at this n. */
  readonly rejected: boolean;
}

/** The multiple-testing verdict on one window. */
export interface DriftSignificance {
  readonly method: 'benjamini_hochberg';
  /** The false discovery rate (with no shift: the most any window alerts). */
  readonly level: number;
  readonly tests: readonly DriftTest[];
  readonly rejected: number;
}

/** Builds and caches the null models of a profile's features; evaluates windows. */
export interface DriftSignificanceTester {
  /**
   * The verdict for a window of `n` rows. `js[f]` is feature f's JS distance (profile
   * order); `chi[f]` its chi-square result, or undefined when it has none or chi-square
   * does not alert.
   */
  evaluate(n: number, js: readonly FeatureDrift[], chi: ReadonlyArray<FeatureDrift | undefined>): DriftSignificance;
}

/** Options of {@link createDriftSignificance}. */
export interface DriftSignificanceOptions {
  readonly level: number;
  /** Resamples per null model (default 2000). */
  readonly resamples?: number;
}

/** Sizes whose models are kept (grid sizes, and exact sizes up to 64). */
const CACHED_SIZES = 16;

/**
 * A tester for a profile.
 *
 * @example
 * const tester = createDriftSignificance(profile, { level: 0.01 });
 * const verdict = tester.evaluate(window.rows, jsDrift, chiDrift);
 */
export function createDriftSignificance(profile: ReferenceProfile, options: DriftSignificanceOptions): DriftSignificanceTester {
  const counts = profile.features.map((_, f) => referenceBucketCounts(profile, f));
  const keys = counts.map((c) => Array.from(c).join(','));
  const resamples = options.resamples ?? 2000;
  const cache = new Map<number, DriftNullModel[]>();

  /** The models at one exact size, built once and kept for the last CACHED_SIZES sizes. */
  function modelsAtSize(n: number): DriftNullModel[] {
    const hit = cache.get(n);
    if (hit) {
      cache.delete(n);
      cache.set(n, hit); // most recently used last
      return hit;
    }
    // Features with the same reference counts (decile bins of different columns often
    // are) share one model.
    const byKey = new Map<string, DriftNullModel>();
    const models = counts.map((c, f) => {
      let m = byKey.get(keys[f]);
      if (!m) {
        m = driftNullModel(c, n, { referenceRows: profile.rows, resamples });
        byKey.set(keys[f], m);
      }
      return m;
    });
    if (cache.size >= CACHED_SIZES) cache.delete(cache.keys().next().value as number);
    cache.set(n, models);
    return models;
  }

  /**
   * The models at any n: exact up to 64 rows; above, interpolated between the two
   * nearest sizes of a geometric grid (8 per doubling, 9 % apart), in log n, on the
   * moments scaled as the χ² limit has them (n·mean, n²·variance, skewness: each nearly
   * flat in n). A time window whose row count differs at every close then builds models
   * only when it reaches a new grid cell, not at every close.
   */
  function modelsAt(n: number): DriftNullModel[] {
    if (n <= 64) return modelsAtSize(n);
    const k = Math.floor(GRID_STEPS * Math.log2(n));
    const lo = gridSize(k), hi = gridSize(k + 1);
    if (n === lo) return modelsAtSize(lo);
    if (n === hi) return modelsAtSize(hi);
    const a = modelsAtSize(lo), b = modelsAtSize(hi);
    const t = (Math.log(n) - Math.log(lo)) / (Math.log(hi) - Math.log(lo));
    return a.map((ma, f) => {
      const mb = b[f];
      return {
        n, referenceRows: ma.referenceRows, resamples: ma.resamples,
        mean: ((1 - t) * lo * ma.mean + t * hi * mb.mean) / n,
        variance: ((1 - t) * lo * lo * ma.variance + t * hi * hi * mb.variance) / (n * n),
        skewness: (1 - t) * ma.skewness + t * mb.skewness,
      };
    });
  }

  return {
    evaluate(n, js, chi) {
      const models = modelsAt(n);
      const tests: Array<Omit<DriftTest, 'adjustedPValue' | 'rejected'>> = [];
      for (let f = 0; f < js.length; f++) {
        tests.push({ feature: js[f].feature, statistic: 'jensen_shannon', value: js[f].value, pValue: driftPValue(models[f], js[f].value) });
      }
      for (const c of chi) {
        if (c && c.pValue !== null) tests.push({ feature: c.feature, statistic: 'chi_square', value: c.value, pValue: c.pValue });
      }
      const bh = benjaminiHochberg(tests.map((t) => t.pValue), options.level);
      return {
        method: 'benjamini_hochberg',
        level: options.level,
        tests: tests.map((t, i) => ({ ...t, adjustedPValue: bh.adjusted[i], rejected: bh.rejected[i] })),
        rejected: bh.count,
      };
    },
  };
}
