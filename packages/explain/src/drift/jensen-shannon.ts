import { ExplainError } from '../errors';

/**
 * Jensen–Shannon distance between two discrete distributions, matching
 * `scipy.spatial.distance.jensenshannon(p, q, base)`.
 *
 * Both inputs are normalised to sum 1 (so raw counts are fine); with m = (p + q)/2,
 * JS = √((KL(p‖m) + KL(q‖m)) / 2), where 0·ln 0 = 0, so bins empty in one distribution
 * need no smoothing (m > 0 wherever p or q is). Base 2 bounds the distance by 1, which is
 * what the drift threshold 0.1 assumes; scipy's default base is e.
 *
 * @param p - non-negative weights per bin (not all zero)
 * @param q - non-negative weights per bin, same length
 * @param options - `base` of the logarithm (default 2)
 * @example
 * jensenShannonDistance(new Float64Array([1, 0]), new Float64Array([0, 1])); // 1
 */
export function jensenShannonDistance(p: Float64Array, q: Float64Array, options: { base?: number } = {}): number {
  const fn = 'jensenShannonDistance';
  const base = options.base ?? 2;
  if (!(base > 0 && base !== 1 && Number.isFinite(base))) {
    throw new ExplainError('invalid_argument', `${fn}: base must be a positive finite number other than 1, got ${base}`, ['options', 'base']);
  }
  if (p.length !== q.length) throw new ExplainError('invalid_argument', `${fn}: p has ${p.length} bins but q has ${q.length}`, ['q']);
  let sp = 0, sq = 0;
  for (let i = 0; i < p.length; i++) {
    if (!(p[i] >= 0 && Number.isFinite(p[i]))) throw new ExplainError('invalid_argument', `${fn}: p[${i}] is ${p[i]}; expected a finite weight ≥ 0`, ['p', i]);
    if (!(q[i] >= 0 && Number.isFinite(q[i]))) throw new ExplainError('invalid_argument', `${fn}: q[${i}] is ${q[i]}; expected a finite weight ≥ 0`, ['q', i]);
    sp += p[i];
    sq += q[i];
  }
  if (sp === 0) throw new ExplainError('undefined_statistic', `${fn}: p sums to 0; a distribution needs some mass`, ['p']);
  if (sq === 0) throw new ExplainError('undefined_statistic', `${fn}: q sums to 0; a distribution needs some mass`, ['q']);
  let left = 0, right = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] / sp;
    const qi = q[i] / sq;
    const mi = (pi + qi) / 2;
    // scipy's rel_entr(x, y) = x ln(x/y) for x > 0, 0 for x = 0.
    if (pi > 0) left += pi * Math.log(pi / mi);
    if (qi > 0) right += qi * Math.log(qi / mi);
  }
  const js = (left + right) / Math.log(base);
  // Rounding can leave a tiny negative value for identical inputs.
  return Math.sqrt(Math.max(js, 0) / 2);
}
