import { ExplainError } from '../errors';

/**
 * Refuses ±Infinity among `nRows` rows of `nFeatures` values (row-major), with
 * `invalid_argument` at `[...at, row, column]`, or `[...at, column]` when `nRows` is
 * `'single'` (one row, as `explainRow` takes it). NaN is allowed: it means missing,
 * and the trees send it down each node's missing branch. Infinity is not a value any
 * riskscore feature produces; an explanation computed from it would attribute a
 * pipeline bug to a feature.
 *
 * One pass, no allocation: `v - v` is 0 for a finite v and NaN for NaN or ±Infinity,
 * so a finite value costs a subtraction and one compare.
 *
 * @example
 * checkNoInfinity(new Float32Array([1, Infinity]), 1, 2, ['rows'], 'explainBatch');
 * // throws ExplainError invalid_argument at ['rows', 0, 1]
 */
export function checkNoInfinity(
  values: ArrayLike<number>, nRows: number | 'single', nFeatures: number, at: ReadonlyArray<string | number>, where: string,
): void {
  const n = nRows === 'single' ? nFeatures : nRows * nFeatures;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v - v !== 0 && v === v) {
      const r = Math.floor(i / nFeatures);
      const c = i - r * nFeatures;
      const path = nRows === 'single' ? [...at, c] : [...at, r, c];
      const cell = nRows === 'single' ? `column ${c}` : `row ${r}, column ${c}`;
      throw new ExplainError('invalid_argument', `${where}: ${at.join('.')} ${cell} is ${String(v)}; pass finite numbers, or NaN for a missing value`, path, {
        details: { row: r, column: c, value: v },
      });
    }
  }
}
