/**
 * Building the reference profile a monitor compares live traffic with, from reference
 * rows (a training or validation sample) and, optionally, the model's scores on them.
 */
import { createReferenceProfile, type ReferenceColumn, type ReferenceProfile } from '@riskscore/explain';
import type { Manifest } from '../bundle/manifest';
import { RiskscoreError } from '../errors';

/**
 * The name under which a reference profile carries the distribution of the model's own
 * score (not a feature of the bundle's feature order, so it cannot clash with one).
 */
export const SCORE_FEATURE = '__score__';

/** Options of {@link referenceProfileFromRows}. */
export interface ReferenceFromRowsOptions {
  /** Features profiled by category frequency instead of quantile bins. */
  readonly categorical?: readonly string[];
  /** The model's scores on the same rows: profiled as {@link SCORE_FEATURE}. */
  readonly scores?: ArrayLike<number>;
  /** Quantile bins per numeric feature and for the score (default 10). */
  readonly bins?: number;
}

/**
 * The features of a bundle that are categories rather than quantities: string and
 * boolean input fields, and integer fields whose declared range holds at most
 * `maxLevels` values (repayment status −2…9, education 0…6). Only features that are
 * input fields of the same name are considered.
 *
 * @example
 * categoricalFeaturesOf(bundle.manifest); // ['SEX', 'EDUCATION', 'MARRIAGE', 'PAY_0', …]
 */
export function categoricalFeaturesOf(manifest: Manifest, maxLevels = 20): string[] {
  const m = manifest as unknown as { input?: { fields?: unknown }; features?: { order?: unknown } } | null;
  if (typeof m !== 'object' || m === null || !Array.isArray(m.input?.fields) || !Array.isArray(m.features?.order)) {
    throw new RiskscoreError('invalid_argument', `categoricalFeaturesOf: manifest must be a bundle manifest (with input.fields and features.order), e.g. bundle.manifest; got ${m === null ? 'null' : typeof m}`, { path: ['manifest'] });
  }
  if (!Number.isInteger(maxLevels) || maxLevels < 1) {
    throw new RiskscoreError('invalid_argument', `categoricalFeaturesOf: maxLevels must be a positive integer, got ${String(maxLevels)}`, { path: ['maxLevels'], details: { actual: maxLevels } });
  }
  const fields = new Map(manifest.input.fields.map((f) => [f.name, f]));
  return manifest.features.order.filter((name) => {
    const f = fields.get(name);
    if (!f) return false;
    if (f.type === 'string' || f.type === 'boolean') return true;
    return f.type === 'integer' && f.min !== undefined && f.max !== undefined && f.max - f.min + 1 <= maxLevels;
  });
}

function fail(message: string, path: Array<string | number>): never {
  throw new RiskscoreError('invalid_argument', `referenceProfileFromRows: ${message}`, { path });
}

/**
 * A reference profile from rows of features (arrays with `null` or NaN for missing, or a
 * row-major Float32Array/Float64Array `featureNames.length` wide): explain's
 * `createReferenceProfile` per column, plus the score's distribution when `scores` are given.
 *
 * @throws RiskscoreError `invalid_argument` for a ragged row, a score count that differs from the rows, ±∞ values
 * @example
 * const profile = referenceProfileFromRows(sample, bundle.manifest.features.order, {
 *   categorical: categoricalFeaturesOf(bundle.manifest),
 *   scores: (await scorer.predictFeatures(matrix, sample.length)).scores,
 * });
 */
export function referenceProfileFromRows(
  rows: ReadonlyArray<ArrayLike<number | null>> | Float32Array | Float64Array,
  featureNames: readonly string[],
  options: ReferenceFromRowsOptions = {},
): ReferenceProfile {
  if (!Array.isArray(featureNames as unknown)) fail(`featureNames must be an array of feature names (e.g. bundle.manifest.features.order), got ${featureNames === null ? 'null' : typeof featureNames}`, ['featureNames']);
  featureNames.forEach((nm, j) => { if (typeof nm !== 'string') fail(`featureNames[${j}] must be a string`, ['featureNames', j]); });
  if (!Array.isArray(rows as unknown) && !(rows instanceof Float32Array) && !(rows instanceof Float64Array)) {
    fail(`rows must be an array of rows or a row-major Float32Array/Float64Array, got ${rows === null ? 'null' : typeof rows}`, ['rows']);
  }
  if (typeof options !== 'object' || options === null) fail('options must be an object { categorical?, scores?, bins? }', ['options']);
  if (options.categorical !== undefined && !Array.isArray(options.categorical as unknown)) fail('options.categorical must be an array of feature names', ['options', 'categorical']);
  if (options.scores !== undefined && (typeof options.scores !== 'object' || options.scores === null || typeof options.scores.length !== 'number')) {
    fail('options.scores must be an array of scores, one per row', ['options', 'scores']);
  }
  const width = featureNames.length;
  if (width === 0) fail('featureNames is empty', ['featureNames']);
  const flat = rows instanceof Float32Array || rows instanceof Float64Array;
  if (flat && rows.length % width !== 0) fail(`a flat matrix of ${rows.length} values is not a whole number of ${width}-wide rows`, ['rows']);
  const n = flat ? rows.length / width : rows.length;
  if (n === 0) fail('no reference rows', ['rows']);
  const cat = new Set(options.categorical ?? []);
  for (const c of cat) if (!featureNames.includes(c)) fail(`categorical feature ${c} is not in featureNames`, ['options', 'categorical']);
  const cols = featureNames.map(() => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    if (flat) {
      for (let j = 0; j < width; j++) cols[j][i] = rows[i * width + j];
    } else {
      const r = rows[i];
      if (!r || r.length !== width) fail(`row ${i} has ${r?.length ?? 'no'} values, expected ${width}`, ['rows', i]);
      for (let j = 0; j < width; j++) {
        const v = r[j];
        cols[j][i] = v === null || v === undefined ? NaN : v;
      }
    }
  }
  const columns: ReferenceColumn[] = featureNames.map((name, j) => ({ name, kind: cat.has(name) ? 'categorical' : 'numeric', values: cols[j] }));
  if (options.scores !== undefined) {
    if (options.scores.length !== n) fail(`${options.scores.length} scores for ${n} rows`, ['options', 'scores']);
    columns.push({ name: SCORE_FEATURE, kind: 'numeric', values: Float64Array.from(options.scores) });
  }
  try {
    return createReferenceProfile(columns, { bins: options.bins ?? 10 });
  } catch (cause) {
    const e = cause as { message: string; path?: ReadonlyArray<string | number> };
    throw new RiskscoreError('invalid_argument', `referenceProfileFromRows: ${e.message}`, { path: e.path ?? [], cause });
  }
}
