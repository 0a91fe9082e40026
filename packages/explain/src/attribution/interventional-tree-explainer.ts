import { ExplainError } from '../errors';
import { batchOutput, checkRowArgs } from './explainer-args';
import { checkNoInfinity } from './check-finite-rows';
import { checkTreeEnsemble } from './check-tree-ensemble';
import { goesTrue, treeEnsembleMargin } from './node-test';
import { NodeMode, type TreeEnsembleArrays } from './tree-ensemble-arrays';
import type { FeatureRow } from './tree-explainer';

/** Interventional TreeSHAP over one ensemble and background; see {@link createInterventionalTreeExplainer}. */
export interface InterventionalTreeExplainer {
  readonly nFeatures: number;
  readonly nTargets: number;
  /** `nTargets · (nFeatures + 1)`. */
  readonly outputLength: number;
  readonly nBackground: number;
  /** The bias per target: the mean margin over the background rows. */
  readonly expectedValue: Float64Array;
  /** Writes the SHAP values of `row` (layout as {@link TreeExplainer.explainRow}) into `out`. Allocates nothing. */
  explainRow(row: FeatureRow, out: Float64Array): Float64Array;
  /** `nRows` rows, row-major; row r's output at `r · outputLength`. */
  explainBatch(rows: FeatureRow, nRows: number, out?: Float64Array): Float64Array;
}

/**
 * Creates an interventional ("true to the model") TreeSHAP explainer: the exact Shapley
 * values of `v(S) = (1/n) Σ_b f(x_S, z⁽ᵇ⁾_S̄)`, features outside S replaced by a
 * background row's values (Janzing et al. 2020; Lundberg et al. 2020, "Independent
 * Tree SHAP"). Needs no cover, so it explains trees converted by tools that drop it.
 *
 * How. For one background row z the game `u(S) = f(x_S, z_S̄)` is a sum over leaves of
 * `v_leaf · 1[A ⊆ S, B ∩ S = ∅]`, where on the leaf's path A are the features at
 * which x (not z) takes the path and B those at which z (not x) does. The Shapley value
 * of that indicator game is `(|A|−1)!|B|!/(|A|+|B|)!` for i ∈ A and
 * `−|A|!(|B|−1)!/(|A|+|B|)!` for i ∈ B (the chance that, in a random order, i comes after
 * the rest of A and before all of B, resp. after all of A and before the rest of B). A
 * walk visits only the leaves reachable with some S: where x and z agree it follows
 * both, where they differ it branches into "feature in A" and "feature in B", unless
 * the feature was already assigned higher up. Cost O(n_background · visited nodes) per
 * tree and row.
 *
 * @throws ExplainError `invalid_argument` for a malformed model or background.
 * @example
 * const ex = createInterventionalTreeExplainer(model, background, 100);
 * const phi = ex.explainRow(row, new Float64Array(ex.outputLength));
 * // Σ phi = margin(row); phi[nFeatures] = mean margin of the background
 */
export function createInterventionalTreeExplainer(
  model: TreeEnsembleArrays,
  background: FeatureRow,
  nBackground: number,
): InterventionalTreeExplainer {
  const shape = checkTreeEnsemble(model, { needCover: false });
  const { nFeatures: F, nTargets: nT } = model;
  if (!Number.isInteger(nBackground) || nBackground <= 0) {
    throw new ExplainError('invalid_argument', `nBackground must be a positive integer, got ${nBackground}`, ['nBackground']);
  }
  if (!background || background.length !== nBackground * F) {
    throw new ExplainError('invalid_argument', `background must hold nBackground·nFeatures = ${nBackground * F} values, got ${background ? background.length : 'none'}`, ['background']);
  }
  checkNoInfinity(background, nBackground, F, ['background'], 'createInterventionalTreeExplainer');
  const stride = F + 1;
  const outputLength = nT * stride;
  const bg = Float64Array.from(background);
  const expectedValue = new Float64Array(nT);
  for (let b = 0; b < nBackground; b++) {
    const z = bg.subarray(b * F, (b + 1) * F);
    for (let k = 0; k < nT; k++) expectedValue[k] += treeEnsembleMargin(model, z, k) / nBackground;
  }
  // Shapley weights of the indicator game, by (|A|, |B|): wPos for i ∈ A, wNeg for i ∈ B.
  const D = shape.maxDepth + 1;
  const wPos = new Float64Array(D * D);
  const wNeg = new Float64Array(D * D);
  const fact = new Float64Array(2 * D + 1);
  fact[0] = 1;
  for (let i = 1; i < fact.length; i++) fact[i] = fact[i - 1] * i;
  for (let a = 0; a < D; a++) {
    for (let b = 0; b < D; b++) {
      if (a > 0) wPos[a * D + b] = (fact[a - 1] * fact[b]) / fact[a + b];
      if (b > 0) wNeg[a * D + b] = (fact[a] * fact[b - 1]) / fact[a + b];
    }
  }

  const state = new Uint8Array(F); // 0 free, 1 in A (x side), 2 in B (z side)
  const stackA = new Int32Array(D);
  const stackB = new Int32Array(D);
  let nA = 0;
  let nB = 0;
  let x: ArrayLike<number> = bg;
  let xOff = 0;
  let zOff = 0;
  let out: Float64Array = new Float64Array(0);
  let outOff = 0;
  let scale = 1;

  const walk = (node: number): void => {
    if (model.mode[node] === NodeMode.LEAF) {
      if (nA + nB === 0) return; // x and z reach this leaf together: a constant, no attribution
      const wp = wPos[nA * D + nB] * scale;
      const wn = wNeg[nA * D + nB] * scale;
      for (let k = 0; k < nT; k++) {
        const v = model.leafValue[node * nT + k];
        const o = outOff + k * stride;
        for (let i = 0; i < nA; i++) out[o + stackA[i]] += v * wp;
        for (let i = 0; i < nB; i++) out[o + stackB[i]] -= v * wn;
      }
      return;
    }
    const f = model.feature[node];
    const xTrue = goesTrue(model, node, x[xOff + f]);
    const zTrue = goesTrue(model, node, bg[zOff + f]);
    const xChild = xTrue ? model.trueChild[node] : model.falseChild[node];
    if (xTrue === zTrue) return walk(xChild);
    const zChild = zTrue ? model.trueChild[node] : model.falseChild[node];
    const s = state[f];
    if (s === 1) return walk(xChild);
    if (s === 2) return walk(zChild);
    state[f] = 1;
    stackA[nA++] = f;
    walk(xChild);
    nA--;
    state[f] = 2;
    stackB[nB++] = f;
    walk(zChild);
    nB--;
    state[f] = 0;
  };

  const explainInto = (rows: ArrayLike<number>, rowOff: number, o: Float64Array, oOff: number): void => {
    o.fill(0, oOff, oOff + outputLength);
    x = rows;
    xOff = rowOff;
    out = o;
    outOff = oOff;
    scale = 1 / nBackground;
    for (let t = 0; t < model.treeRoot.length; t++) {
      for (let b = 0; b < nBackground; b++) {
        zOff = b * F;
        walk(model.treeRoot[t]);
      }
    }
    for (let k = 0; k < nT; k++) o[oOff + k * stride + F] = expectedValue[k];
  };

  return {
    nFeatures: F,
    nTargets: nT,
    outputLength,
    nBackground,
    expectedValue,
    explainRow(row, o) {
      checkRowArgs(row, o, F, outputLength);
      explainInto(row, 0, o, 0);
      return o;
    },
    explainBatch(rows, nRows, o) {
      const res = batchOutput(rows, nRows, F, outputLength, o);
      for (let r = 0; r < nRows; r++) explainInto(rows, r * F, res, r * outputLength);
      return res;
    },
  };
}
