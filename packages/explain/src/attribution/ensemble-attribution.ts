import { ExplainError } from '../errors';
import { checkNoInfinity } from './check-finite-rows';

/**
 * Combines the attributions of an ensemble's members into the ensemble's attributions
 * in logit space. The ensemble's logit is `bias + Σ_m w_m · logit_m(x)`; Shapley values
 * are linear in the game (Shapley 1953, the linearity axiom), so the ensemble's are
 * `φ_i = Σ_m w_m φ_i⁽ᵐ⁾` with base value `bias + Σ_m w_m φ_bias⁽ᵐ⁾`, and
 * `Σ_i φ_i + base = bias + Σ_m w_m (Σ_i φ_i⁽ᵐ⁾ + φ_bias⁽ᵐ⁾) = ensemble logit`: additive
 * whenever each member's attributions are. All members must explain the same feature
 * order (the bundle's); each array is `nFeatures + 1` long, the bias last, as the tree,
 * kernel and interventional explainers write them.
 *
 * @throws ExplainError `invalid_argument` for mismatched lengths or non-finite weights.
 * @example
 * const out = new Float64Array(24);
 * combineEnsembleAttributions([treePhi, mlpPhi], [0.7, 0.3], 0.1, out);
 * // Σ out = 0.1 + 0.7·logit_tree + 0.3·logit_mlp
 */
export function combineEnsembleAttributions(
  members: ReadonlyArray<Float64Array>, weights: ArrayLike<number>, bias: number, out: Float64Array,
): Float64Array {
  if (!members || members.length === 0) throw new ExplainError('invalid_argument', 'combineEnsembleAttributions: at least one member is needed', ['members']);
  if (!weights || weights.length !== members.length) {
    throw new ExplainError('invalid_argument', `combineEnsembleAttributions: ${members.length} members need ${members.length} weights, got ${weights ? weights.length : 'none'}`, ['weights']);
  }
  if (!Number.isFinite(bias)) throw new ExplainError('invalid_argument', `combineEnsembleAttributions: bias must be finite, got ${bias}`, ['bias']);
  if (!(out instanceof Float64Array) || out.length < 1) {
    throw new ExplainError('invalid_argument', 'combineEnsembleAttributions: out must be a Float64Array of nFeatures + 1 slots (bias last)', ['out']);
  }
  const len = out.length;
  for (let m = 0; m < members.length; m++) {
    if (!members[m] || members[m].length !== len) {
      throw new ExplainError('invalid_argument', `combineEnsembleAttributions: member ${m} has ${members[m] ? members[m].length : 'no'} attributions, out has ${len} (nFeatures + 1, bias last)`, ['members', m]);
    }
    checkNoInfinity(members[m], 'single', len, ['members', m], 'combineEnsembleAttributions');
    if (!Number.isFinite(weights[m])) throw new ExplainError('invalid_argument', `combineEnsembleAttributions: weight ${m} must be finite, got ${weights[m]}`, ['weights', m]);
  }
  out.fill(0);
  for (let m = 0; m < members.length; m++) {
    const w = weights[m];
    const phi = members[m];
    for (let i = 0; i < len; i++) out[i] += w * phi[i];
  }
  out[len - 1] += bias;
  return out;
}
