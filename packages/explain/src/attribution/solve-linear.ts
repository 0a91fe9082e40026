import { ExplainError } from '../errors';

/**
 * Solves `A x = b` in place for a small dense n×n system (row-major `a`), by Gaussian
 * elimination with partial pivoting; the solution is left in `b`. Used for the normal
 * equations of KernelSHAP's constrained weighted least squares and LIME's ridge, which
 * are symmetric positive (semi)definite and a few dozen unknowns wide.
 *
 * @throws ExplainError `undefined_statistic` when a pivot is below `1e-12 ×` the
 * largest diagonal entry (the system does not determine x: too few or degenerate samples).
 * @example
 * const b = new Float64Array([1, 2]);
 * solveLinearInPlace(new Float64Array([2, 0, 0, 4]), b, 2, 'demo'); // b = [0.5, 0.5]
 */
export function solveLinearInPlace(a: Float64Array, b: Float64Array, n: number, where: string): Float64Array {
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(a[i * n + i]));
  const tol = 1e-12 * (scale || 1);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r * n + c]) > Math.abs(a[p * n + c])) p = r;
    if (!(Math.abs(a[p * n + c]) > tol)) {
      throw new ExplainError('undefined_statistic', `${where}: the least-squares system is singular (column ${c}); use more samples or check that the model's output varies`, [where]);
    }
    if (p !== c) {
      for (let j = 0; j < n; j++) {
        const t = a[c * n + j];
        a[c * n + j] = a[p * n + j];
        a[p * n + j] = t;
      }
      const t = b[c];
      b[c] = b[p];
      b[p] = t;
    }
    const d = a[c * n + c];
    for (let r = c + 1; r < n; r++) {
      const f = a[r * n + c] / d;
      if (f === 0) continue;
      for (let j = c; j < n; j++) a[r * n + j] -= f * a[c * n + j];
      b[r] -= f * b[c];
    }
  }
  for (let c = n - 1; c >= 0; c--) {
    let s = b[c];
    for (let j = c + 1; j < n; j++) s -= a[c * n + j] * b[j];
    b[c] = s / a[c * n + c];
  }
  return b;
}
