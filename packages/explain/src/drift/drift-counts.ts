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

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

/** A profile's shape, checked once per call (createReferenceProfile / validateReferenceProfile make them). */
function checkProfile(fn: string, profile: unknown, path: Array<string | number>): void {
  const features = (profile as { features?: unknown } | null)?.features;
  if (typeof profile !== 'object' || profile === null || !Array.isArray(features)) {
    throw new ExplainError('invalid_argument', `${fn}: profile must be a reference profile (from createReferenceProfile or validateReferenceProfile), got ${kindOf(profile)}`, path);
  }
}

/** The counts' shape, checked once per call, O(1): nothing per row or per bucket. */
function checkCounts(fn: string, acc: unknown, name: string): void {
  const a = acc as Partial<DriftCounts> | null;
  if (typeof a !== 'object' || a === null || !(a.counts instanceof Float64Array) || !(a.offsets instanceof Int32Array) || !Array.isArray(a.keys) || typeof a.profile !== 'object') {
    throw new ExplainError('invalid_argument', `${fn}: ${name} must be drift counts from createDriftCounts, got ${kindOf(acc)}`, [name]);
  }
}

/**
 * Empty counts for a profile (allocates once; record rows with {@link recordDriftRow}).
 *
 * @example
 * const window = createDriftCounts(profile);
 * recordDriftRow(window, featureVector);
 */
export function createDriftCounts(profile: ReferenceProfile): DriftCounts {
  checkProfile('createDriftCounts', profile, ['profile']);
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
 * Checks are O(1) per call (the counts' shape, the row's length); values are not
 * scanned: NaN counts as missing, ±Infinity lands in the outermost bin.
 *
 * @throws ExplainError `invalid_argument` when the row is not array-like or its length differs from the profile (nothing is recorded)
 * @example
 * recordDriftRow(window, new Float32Array([12.5, 1]));
 */
export function recordDriftRow(acc: DriftCounts, row: ArrayLike<number>): void {
  checkCounts('recordDriftRow', acc, 'acc');
  const nf = acc.keys.length;
  if (typeof row !== 'object' || row === null || typeof row.length !== 'number') {
    throw new ExplainError('invalid_argument', `recordDriftRow: row must be an array or typed array of ${nf} feature values, got ${kindOf(row)}`, ['row']);
  }
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
 * call {@link recordDriftRow} or set rows yourself when feeding columns). NaN counts as
 * missing; ±Infinity throws `invalid_argument` at `['values', i]` and records nothing.
 *
 * (recordDriftRow, the per-event path of the monitor, counts ±Infinity in the outermost
 * bin instead: an overflowing feature must not stop scoring.)
 *
 * @example
 * recordDriftColumn(window, 0, amounts);
 */
export function recordDriftColumn(acc: DriftCounts, feature: number, values: ArrayLike<number>): void {
  checkCounts('recordDriftColumn', acc, 'acc');
  if (!(Number.isInteger(feature) && feature >= 0 && feature < acc.keys.length)) {
    throw new ExplainError('invalid_argument', `recordDriftColumn: feature index ${feature} is out of range 0…${acc.keys.length - 1}`, ['feature']);
  }
  if (typeof values !== 'object' || values === null || typeof values.length !== 'number') {
    throw new ExplainError('invalid_argument', `recordDriftColumn: values must be an array or typed array of numbers, got ${kindOf(values)}`, ['values']);
  }
  const off = acc.offsets[feature];
  const counts = acc.counts;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === Infinity || v === -Infinity) {
      // Undo what this call counted, so a refused column leaves the counts as they were
      // (no scratch buffer and no pre-pass on the accepted path).
      for (let j = 0; j < i; j++) counts[off + bucketOf(acc, feature, values[j])]--;
      throw new ExplainError('invalid_argument', `recordDriftColumn: values[${i}] is ${v}; feature values must be finite or NaN (missing)`, ['values', i], { details: { actual: v } });
    }
    counts[off + bucketOf(acc, feature, v)]++;
  }
}

/**
 * target += factor · source (same profile object); factor −1 removes an expired
 * sub-window from a sliding window.
 *
 * @example
 * addDriftCounts(sliding, oldest, -1);
 */
export function addDriftCounts(target: DriftCounts, source: DriftCounts, factor = 1): void {
  checkCounts('addDriftCounts', target, 'target');
  checkCounts('addDriftCounts', source, 'source');
  if (typeof factor !== 'number' || !Number.isFinite(factor)) {
    throw new ExplainError('invalid_argument', `addDriftCounts: factor must be a finite number (1 adds, −1 removes), got ${String(factor)}`, ['factor'], { details: { actual: factor } });
  }
  if (target.profile !== source.profile) {
    throw new ExplainError('invalid_argument', 'addDriftCounts: both counts must be built from the same profile object', ['source']);
  }
  for (let i = 0; i < target.counts.length; i++) target.counts[i] += factor * source.counts[i];
  target.rows += factor * source.rows;
}

/** Zeroes the counts (a tumbling window's reset). @example resetDriftCounts(window); */
export function resetDriftCounts(acc: DriftCounts): void {
  checkCounts('resetDriftCounts', acc, 'acc');
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
  checkProfile('referenceBucketCounts', profile, ['profile']);
  if (!(Number.isInteger(f) && f >= 0 && f < profile.features.length)) {
    throw new ExplainError('invalid_argument', `referenceBucketCounts: feature index ${String(f)} is out of range 0…${profile.features.length - 1}`, ['f'], { details: { actual: f } });
  }
  const fp = profile.features[f];
  const k = fp.counts.length;
  const out = new Float64Array(fp.kind === 'numeric' ? k + 1 : k + 2);
  for (let i = 0; i < k; i++) out[i] = fp.counts[i];
  out[out.length - 1] = fp.missing;
  return out;
}
