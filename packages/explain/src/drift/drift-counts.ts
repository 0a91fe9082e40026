import { ExplainError } from '../errors';
import { binIndex } from './quantile-edges';
import type { ReferenceProfile } from './reference-profile';

/**
 * Fixed-memory counts of a window of live rows, bucketed like a reference profile.
 *
 * Layout per feature f, starting at `offsets[f]` in `counts`:
 * numeric → one slot per bin, then `missing`; categorical → one slot per reference
 * category, then `unseen` (a code not in the reference), then `missing`. Memory is fixed
 * by the profile; recording a row allocates nothing. A sliding window is the sum of its
 * tumbling sub-windows: add one with {@link addDriftCounts} and remove the oldest with
 * factor −1.
 */
export interface DriftCounts {
  readonly profile: ReferenceProfile;
  /** Bucket counts of all features, concatenated. */
  readonly counts: Float64Array;
  /** Start of each feature's buckets in `counts`; `offsets[features]` is the total length. */
  readonly offsets: Int32Array;
  /** Per feature: numeric bin edges, or sorted category codes. */
  readonly keys: readonly Float64Array[];
  /** Rows recorded. */
  rows: number;
}

/**
 * Empty counts for a profile (allocates once; record rows with {@link recordDriftRow}).
 *
 * @example
 * const window = createDriftCounts(profile);
 * recordDriftRow(window, featureVector);
 */
export function createDriftCounts(profile: ReferenceProfile): DriftCounts {
  const nf = profile.features.length;
  const offsets = new Int32Array(nf + 1);
  const keys: Float64Array[] = [];
  for (let f = 0; f < nf; f++) {
    const fp = profile.features[f];
    const k = fp.kind === 'numeric' ? Float64Array.from(fp.edges) : Float64Array.from(fp.categories);
    keys.push(k);
    // numeric: k + 1 bins + missing; categorical: k categories + unseen + missing.
    offsets[f + 1] = offsets[f] + k.length + 2;
  }
  return { profile, counts: new Float64Array(offsets[nf]), offsets, keys, rows: 0 };
}

/**
 * The bucket of `value` for feature `f`, relative to the feature's offset.
 * NaN → missing; categorical codes found by binary search, else unseen.
 */
function bucketOf(acc: DriftCounts, f: number, value: number): number {
  const keys = acc.keys[f];
  const numeric = acc.profile.features[f].kind === 'numeric';
  if (value !== value) return keys.length + 1; // numeric: after the bins; categorical: after "unseen"
  const b = binIndex(keys, value);
  if (numeric) return b;
  return b < keys.length && keys[b] === value ? b : keys.length;
}

/**
 * Records one row (feature values in profile order) into the counts. No allocation.
 *
 * @throws ExplainError `invalid_argument` when the row length differs from the profile (nothing is recorded)
 * @example
 * recordDriftRow(window, new Float32Array([12.5, 1]));
 */
export function recordDriftRow(acc: DriftCounts, row: ArrayLike<number>): void {
  const nf = acc.keys.length;
  if (row.length !== nf) {
    throw new ExplainError('invalid_argument', `recordDriftRow: row has ${row.length} values but the profile has ${nf} features`, ['row']);
  }
  const counts = acc.counts;
  const offsets = acc.offsets;
  for (let f = 0; f < nf; f++) counts[offsets[f] + bucketOf(acc, f, row[f])]++;
  acc.rows++;
}

/**
 * Records a whole column of values for one feature (batch path; `rows` is not changed,
 * call {@link recordDriftRow} or set rows yourself when feeding columns).
 *
 * @example
 * recordDriftColumn(window, 0, amounts);
 */
export function recordDriftColumn(acc: DriftCounts, feature: number, values: ArrayLike<number>): void {
  if (!(Number.isInteger(feature) && feature >= 0 && feature < acc.keys.length)) {
    throw new ExplainError('invalid_argument', `recordDriftColumn: feature index ${feature} is out of range 0…${acc.keys.length - 1}`, ['feature']);
  }
  const off = acc.offsets[feature];
  for (let i = 0; i < values.length; i++) acc.counts[off + bucketOf(acc, feature, values[i])]++;
}

/**
 * target += factor · source (same profile object); factor −1 removes an expired
 * sub-window from a sliding window.
 *
 * @example
 * addDriftCounts(sliding, oldest, -1);
 */
export function addDriftCounts(target: DriftCounts, source: DriftCounts, factor = 1): void {
  if (target.profile !== source.profile) {
    throw new ExplainError('invalid_argument', 'addDriftCounts: both counts must be built from the same profile object', ['source']);
  }
  for (let i = 0; i < target.counts.length; i++) target.counts[i] += factor * source.counts[i];
  target.rows += factor * source.rows;
}

/** Zeroes the counts (a tumbling window's reset). @example resetDriftCounts(window); */
export function resetDriftCounts(acc: DriftCounts): void {
  acc.counts.fill(0);
  acc.rows = 0;
}

/**
 * The reference's counts for feature f in the same bucket layout as {@link DriftCounts}
 * (unseen = 0 for categorical features).
 *
 * @example
 * referenceBucketCounts(profile, 0); // Float64Array [...bins, missing]
 */
export function referenceBucketCounts(profile: ReferenceProfile, f: number): Float64Array {
  const fp = profile.features[f];
  const k = fp.counts.length;
  const out = new Float64Array(fp.kind === 'numeric' ? k + 1 : k + 2);
  for (let i = 0; i < k; i++) out[i] = fp.counts[i];
  out[out.length - 1] = fp.missing;
  return out;
}
