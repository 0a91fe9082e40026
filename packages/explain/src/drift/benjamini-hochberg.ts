import { ExplainError } from '../errors';

/** The result of {@link benjaminiHochberg}: one entry per p-value, in the input's order. */
export interface BenjaminiHochbergResult {
  /** True where the hypothesis is rejected at the false discovery rate `level`. */
  readonly rejected: boolean[];
  /** BH-adjusted p-values (statsmodels' `fdr_bh` "pvals_corrected"), each ≤ 1. */
  readonly adjusted: Float64Array;
  /** Rejected hypotheses. */
  readonly count: number;
  /** The largest p-value rejected (k·level/m for the largest such k); 0 when none is. */
  readonly cutoff: number;
}

/**
 * The Benjamini–Hochberg step-up procedure (1995): with the m p-values sorted,
 * p₍₁₎ ≤ … ≤ p₍ₘ₎, reject the k smallest for the largest k with p₍ₖ₎ ≤ k·level/m. It keeps
 * the expected share of false rejections among rejections at or below `level` for
 * independent or positively dependent tests (Benjamini & Yekutieli 2001); when no
 * hypothesis is false, that share is the chance of any rejection, so `level` bounds the
 * share of windows with any false alarm. Adjusted p-values are
 * min over j ≥ i of m·p₍ⱼ₎ / j, capped at 1, matching statsmodels
 * `multipletests(p, alpha, method='fdr_bh')`.
 *
 * @param pValues - p-values in [0, 1]
 * @param level - the false discovery rate, in (0, 1)
 * @throws ExplainError `invalid_argument` for a p-value outside [0, 1] or NaN, or a bad level
 * @example
 * benjaminiHochberg([0.001, 0.008, 0.039, 0.041, 0.9], 0.05).rejected; // [true, true, false, false, false]
 */
export function benjaminiHochberg(pValues: ArrayLike<number>, level: number): BenjaminiHochbergResult {
  const fn = 'benjaminiHochberg';
  if (typeof pValues !== 'object' || pValues === null || typeof pValues.length !== 'number') {
    throw new ExplainError('invalid_argument', `${fn}: pValues must be an array of p-values`, ['pValues']);
  }
  if (typeof level !== 'number' || !(level > 0 && level < 1)) {
    throw new ExplainError('invalid_argument', `${fn}: level must be a false discovery rate in (0, 1), got ${String(level)}`, ['level'], { details: { actual: level } });
  }
  const m = pValues.length;
  for (let i = 0; i < m; i++) {
    const p = pValues[i];
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new ExplainError('invalid_argument', `${fn}: pValues[${i}] is ${String(p)}; expected a p-value in [0, 1]`, ['pValues', i]);
  }
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => pValues[a] - pValues[b] || a - b);
  let k = 0;
  for (let r = m; r >= 1; r--) {
    if (pValues[order[r - 1]] <= (r * level) / m) { k = r; break; }
  }
  const adjusted = new Float64Array(m);
  let running = 1;
  for (let r = m; r >= 1; r--) {
    const i = order[r - 1];
    running = Math.min(running, (m * pValues[i]) / r);
    adjusted[i] = running;
  }
  const rejected = new Array<boolean>(m).fill(false);
  for (let r = 0; r < k; r++) rejected[order[r]] = true;
  return { rejected, adjusted, count: k, cutoff: k > 0 ? pValues[order[k - 1]] : 0 };
}
