import { ExplainError } from '../errors';
import { checkFiniteSample, sortedCopy, type NumericSample } from './check-sample';
import { binIndex, quantileEdges } from './quantile-edges';

/** The share floor PSI applies to empty bins, unless told otherwise. */
export const DEFAULT_PSI_EPSILON = 1e-4;

/**
 * Population stability index from bin counts:
 * PSI = Σ_i (c_i − r_i) ln(c_i / r_i), with r_i and c_i the reference and current shares
 * of bin i (Siddiqi 2006, "Credit Risk Scorecards", ch. 8; Yurdakul 2018).
 *
 * Empty bins: a zero share would make ln(c/r) infinite, so each share is floored at
 * `epsilon` (default 1e−4, without renormalising) before the sum. A bin empty in both
 * samples then contributes exactly 0. Usual reading: < 0.1 stable, 0.1–0.25 moderate
 * shift, ≥ 0.25 significant shift.
 *
 * @param referenceCounts - counts (or weights) per bin in the reference
 * @param currentCounts - counts per bin in the current window, same bins
 * @param options - `epsilon`, the share floor (0 < epsilon < 1)
 * @throws ExplainError `undefined_statistic` when either side has no mass
 * @example
 * populationStabilityIndex(new Float64Array([50, 50]), new Float64Array([60, 40])); // 0.04054651081081644
 */
export function populationStabilityIndex(
  referenceCounts: Float64Array,
  currentCounts: Float64Array,
  options: { epsilon?: number } = {},
): number {
  const fn = 'populationStabilityIndex';
  const eps = options.epsilon ?? DEFAULT_PSI_EPSILON;
  if (!(eps > 0 && eps < 1)) throw new ExplainError('invalid_argument', `${fn}: epsilon must be in (0, 1), got ${eps}`, ['options', 'epsilon']);
  if (referenceCounts.length !== currentCounts.length) {
    throw new ExplainError('invalid_argument', `${fn}: reference has ${referenceCounts.length} bins but current has ${currentCounts.length}`, ['currentCounts']);
  }
  let sr = 0, sc = 0;
  for (let i = 0; i < referenceCounts.length; i++) {
    const r = referenceCounts[i], c = currentCounts[i];
    if (!(r >= 0 && Number.isFinite(r))) throw new ExplainError('invalid_argument', `${fn}: referenceCounts[${i}] is ${r}; expected a finite count ≥ 0`, ['referenceCounts', i]);
    if (!(c >= 0 && Number.isFinite(c))) throw new ExplainError('invalid_argument', `${fn}: currentCounts[${i}] is ${c}; expected a finite count ≥ 0`, ['currentCounts', i]);
    sr += r;
    sc += c;
  }
  if (sr === 0) throw new ExplainError('undefined_statistic', `${fn}: the reference counts sum to 0`, ['referenceCounts']);
  if (sc === 0) throw new ExplainError('undefined_statistic', `${fn}: the current counts sum to 0 (an empty window has no distribution)`, ['currentCounts']);
  let psi = 0;
  for (let i = 0; i < referenceCounts.length; i++) {
    const r = Math.max(referenceCounts[i] / sr, eps);
    const c = Math.max(currentCounts[i] / sc, eps);
    psi += (c - r) * Math.log(c / r);
  }
  return psi;
}

/**
 * PSI of two raw samples over `bins` quantile bins of the reference (see
 * {@link quantileEdges} for ties and {@link populationStabilityIndex} for empty bins).
 *
 * @param reference - reference sample (finite values)
 * @param current - current sample (finite values)
 * @param options - `bins` (default 10), `epsilon` (default 1e−4)
 * @example
 * populationStabilityIndexFromSamples(refValues, curValues, { bins: 10 });
 */
export function populationStabilityIndexFromSamples(
  reference: NumericSample,
  current: NumericSample,
  options: { bins?: number; epsilon?: number } = {},
): number {
  checkFiniteSample('populationStabilityIndexFromSamples', 'reference', reference);
  checkFiniteSample('populationStabilityIndexFromSamples', 'current', current);
  const edges = quantileEdges(sortedCopy(reference), options.bins ?? 10);
  const rc = new Float64Array(edges.length + 1);
  const cc = new Float64Array(edges.length + 1);
  for (let i = 0; i < reference.length; i++) rc[binIndex(edges, reference[i])]++;
  for (let i = 0; i < current.length; i++) cc[binIndex(edges, current[i])]++;
  return populationStabilityIndex(rc, cc, { epsilon: options.epsilon });
}
