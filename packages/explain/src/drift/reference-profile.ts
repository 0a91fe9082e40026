import { ExplainError } from '../errors';
import type { NumericSample } from './check-sample';
import { quantileEdges } from './quantile-edges';

/**
 * Reference distribution of one numeric feature: quantile bins of the training sample.
 * Bins are right-closed: (−∞, e₀], (e₀, e₁], …, (e_{k−1}, +∞).
 */
export interface NumericFeatureProfile {
  readonly name: string;
  readonly kind: 'numeric';
  /** Interior bin edges, finite and strictly increasing (JSON has no ±∞, so the outer edges are implied). */
  readonly edges: readonly number[];
  /** Reference rows per bin: edges.length + 1 entries. */
  readonly counts: readonly number[];
  /** Reference rows whose value was missing (NaN); they form their own bucket. */
  readonly missing: number;
  /** Mean of the non-missing reference values. */
  readonly mean: number;
  /** Population standard deviation (ddof 0) of the non-missing reference values. */
  readonly std: number;
}

/** Reference distribution of one categorical feature, coded as numbers (the feature vector is numeric). */
export interface CategoricalFeatureProfile {
  readonly name: string;
  readonly kind: 'categorical';
  /** Category codes seen in the reference, strictly increasing. */
  readonly categories: readonly number[];
  /** Reference rows per category, same order. A live value outside `categories` counts as "unseen". */
  readonly counts: readonly number[];
  /** Reference rows whose value was missing (NaN). */
  readonly missing: number;
}

/** Reference distribution of one feature. */
export type FeatureProfile = NumericFeatureProfile | CategoricalFeatureProfile;

/**
 * The reference profile a model bundle carries for drift monitoring: per feature, in the
 * bundle's feature order, the reference bin counts. A plain JSON value; check one read
 * from a file with {@link validateReferenceProfile}.
 */
export interface ReferenceProfile {
  readonly version: 1;
  /** Reference rows profiled. */
  readonly rows: number;
  readonly features: readonly FeatureProfile[];
}

/** One reference column for {@link createReferenceProfile}. */
export interface ReferenceColumn {
  readonly name: string;
  readonly kind: 'numeric' | 'categorical';
  /** One value per reference row; NaN means missing. */
  readonly values: NumericSample;
}

/**
 * Builds a reference profile from reference columns: quantile bin edges and counts for
 * numeric features (see `quantileEdges`: numpy's linear quantiles, ties merged), category
 * frequencies for categorical ones, and a missing count for both.
 *
 * @param columns - the reference sample, one column per feature, all the same length
 * @param options - `bins`, quantile bins per numeric feature (default 10)
 * @throws ExplainError `invalid_argument` for ragged columns, duplicate names or ±∞ values
 * @example
 * const profile = createReferenceProfile([
 *   { name: 'amount', kind: 'numeric', values: new Float64Array([5, 10, 20, 40]) },
 *   { name: 'channel', kind: 'categorical', values: new Float64Array([0, 1, 1, 2]) },
 * ], { bins: 2 });
 * // profile.features[0].edges = [15], counts = [2, 2]
 */
export function createReferenceProfile(columns: readonly ReferenceColumn[], options: { bins?: number } = {}): ReferenceProfile {
  const fn = 'createReferenceProfile';
  if (!Array.isArray(columns) || columns.length === 0) {
    throw new ExplainError('invalid_argument', `${fn}: columns must be a non-empty array`, ['columns']);
  }
  const bins = options.bins ?? 10;
  const rows = columns[0].values.length;
  const seen = new Set<string>();
  const features: FeatureProfile[] = [];
  columns.forEach((col, f) => {
    if (typeof col.name !== 'string' || col.name === '' || seen.has(col.name)) {
      throw new ExplainError('invalid_argument', `${fn}: column ${f} needs a unique non-empty name, got ${JSON.stringify(col.name)}`, ['columns', f, 'name']);
    }
    seen.add(col.name);
    if (col.values.length !== rows) {
      throw new ExplainError('invalid_argument', `${fn}: column ${col.name} has ${col.values.length} rows, the first has ${rows}`, ['columns', f, 'values']);
    }
    let missing = 0;
    const present = new Float64Array(rows);
    let k = 0;
    for (let i = 0; i < rows; i++) {
      const v = col.values[i];
      if (Number.isNaN(v)) missing++;
      else if (!Number.isFinite(v)) {
        throw new ExplainError('invalid_argument', `${fn}: ${col.name}[${i}] is ${v}; expected a finite value or NaN for missing`, ['columns', f, 'values', i]);
      } else present[k++] = v;
    }
    const sorted = present.subarray(0, k).sort();
    if (col.kind === 'numeric') {
      const edges = quantileEdges(sorted, bins);
      const counts = new Array<number>(edges.length + 1).fill(0);
      // Walk the sorted values against the edges: right-closed bins.
      let b = 0;
      let mean = 0;
      for (let i = 0; i < k; i++) {
        while (b < edges.length && sorted[i] > edges[b]) b++;
        counts[b]++;
        mean += sorted[i];
      }
      mean = k > 0 ? mean / k : 0;
      let ss = 0;
      for (let i = 0; i < k; i++) ss += (sorted[i] - mean) ** 2;
      features.push({ name: col.name, kind: 'numeric', edges: Array.from(edges), counts, missing, mean, std: k > 0 ? Math.sqrt(ss / k) : 0 });
    } else if (col.kind === 'categorical') {
      const categories: number[] = [];
      const counts: number[] = [];
      for (let i = 0; i < k; i++) {
        if (categories.length === 0 || sorted[i] !== categories[categories.length - 1]) {
          categories.push(sorted[i]);
          counts.push(0);
        }
        counts[counts.length - 1]++;
      }
      features.push({ name: col.name, kind: 'categorical', categories, counts, missing });
    } else {
      throw new ExplainError('invalid_argument', `${fn}: column ${col.name} has kind ${JSON.stringify(col.kind)}; expected 'numeric' or 'categorical'`, ['columns', f, 'kind']);
    }
  });
  return { version: 1, rows, features };
}

function fail(message: string, path: Array<string | number>): never {
  throw new ExplainError('invalid_argument', `validateReferenceProfile: ${message}`, path);
}

function checkCountArray(v: unknown, len: number, path: Array<string | number>): void {
  if (!Array.isArray(v)) fail(`expected an array of counts`, path);
  if (v.length !== len) fail(`expected ${len} counts, got ${v.length}`, path);
  v.forEach((c, i) => {
    if (typeof c !== 'number' || !Number.isFinite(c) || c < 0) fail(`expected a finite count ≥ 0, got ${JSON.stringify(c)}`, [...path, i]);
  });
}

function checkIncreasing(v: unknown, path: Array<string | number>): number {
  if (!Array.isArray(v)) fail(`expected an array of numbers`, path);
  v.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) fail(`expected a finite number, got ${JSON.stringify(x)}`, [...path, i]);
    if (i > 0 && !(x > (v[i - 1] as number))) fail(`expected strictly increasing values, but ${x} follows ${v[i - 1]}`, [...path, i]);
  });
  return v.length;
}

/**
 * Checks that a value (e.g. parsed from a bundle's JSON) is a well-formed
 * {@link ReferenceProfile} and returns it typed; never half-accepts one.
 *
 * @throws ExplainError `invalid_argument` whose `path` points at the first bad field, e.g. `['features', 2, 'edges', 4]`
 * @example
 * const profile = validateReferenceProfile(JSON.parse(text));
 */
export function validateReferenceProfile(value: unknown): ReferenceProfile {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('expected an object', []);
  const p = value as Record<string, unknown>;
  if (p.version !== 1) fail(`unsupported version ${JSON.stringify(p.version)}; expected 1`, ['version']);
  if (typeof p.rows !== 'number' || !Number.isInteger(p.rows) || p.rows < 0) fail(`expected a row count (integer ≥ 0), got ${JSON.stringify(p.rows)}`, ['rows']);
  if (!Array.isArray(p.features)) fail('expected an array of feature profiles', ['features']);
  const names = new Set<string>();
  p.features.forEach((raw: unknown, f: number) => {
    const path = ['features', f];
    if (typeof raw !== 'object' || raw === null) fail('expected a feature profile object', path);
    const fp = raw as Record<string, unknown>;
    if (typeof fp.name !== 'string' || fp.name === '') fail('expected a non-empty name', [...path, 'name']);
    if (names.has(fp.name)) fail(`duplicate feature name ${JSON.stringify(fp.name)}`, [...path, 'name']);
    names.add(fp.name);
    if (typeof fp.missing !== 'number' || !Number.isFinite(fp.missing) || fp.missing < 0) fail(`expected a missing count ≥ 0, got ${JSON.stringify(fp.missing)}`, [...path, 'missing']);
    if (fp.kind === 'numeric') {
      const k = checkIncreasing(fp.edges, [...path, 'edges']);
      checkCountArray(fp.counts, k + 1, [...path, 'counts']);
      if (typeof fp.mean !== 'number' || !Number.isFinite(fp.mean)) fail(`expected a finite mean, got ${JSON.stringify(fp.mean)}`, [...path, 'mean']);
      if (typeof fp.std !== 'number' || !Number.isFinite(fp.std) || fp.std < 0) fail(`expected a finite std ≥ 0, got ${JSON.stringify(fp.std)}`, [...path, 'std']);
    } else if (fp.kind === 'categorical') {
      const k = checkIncreasing(fp.categories, [...path, 'categories']);
      checkCountArray(fp.counts, k, [...path, 'counts']);
    } else {
      fail(`expected kind 'numeric' or 'categorical', got ${JSON.stringify(fp.kind)}`, [...path, 'kind']);
    }
  });
  return value as ReferenceProfile;
}
