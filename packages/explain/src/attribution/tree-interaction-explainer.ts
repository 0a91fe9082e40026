import { batchOutput, checkRowArgs } from './explainer-args';
import { checkTreeEnsemble } from './check-tree-ensemble';
import { createTreeExplainer, type FeatureRow } from './tree-explainer';
import { ExactTreeShap } from './tree-shap-exact';
import { NodeMode, type TreeEnsembleArrays } from './tree-ensemble-arrays';

/** SHAP interaction values over one tree ensemble; see {@link createTreeInteractionExplainer}. */
export interface TreeInteractionExplainer {
  readonly nFeatures: number;
  readonly nTargets: number;
  /** Length of one row's output: `nTargets · (nFeatures + 1)²`. */
  readonly outputLength: number;
  /** The bias per target, as {@link TreeExplainer.expectedValue}. */
  readonly expectedValue: Float64Array;
  /**
   * Writes the interaction values of `row` into `out` (cleared first): for target k,
   * features i and j at `out[k·(F+1)² + i·(F+1) + j]` with F = nFeatures; index F is the
   * bias (its row and column are 0 except `[F][F]`, the expected value). The matrix is
   * symmetric; row i sums to feature i's SHAP value; everything sums to the margin.
   * Allocates nothing. Returns `out`.
   */
  explainRow(row: FeatureRow, out: Float64Array): Float64Array;
  /** As {@link TreeInteractionExplainer.explainRow} for `nRows` row-major rows; row r's output starts at `r · outputLength`. */
  explainBatch(rows: FeatureRow, nRows: number, out?: Float64Array): Float64Array;
}

/**
 * Creates a SHAP interaction value explainer (Lundberg et al., "From local explanations
 * to global understanding with explainable AI for trees", Nature MI 2020): the Shapley
 * interaction index of every pair of features under the path-dependent value function
 * `v(S) = E[f(x) | x_S]`, equal to xgboost's `pred_interactions`.
 *
 * For feature i, TreeSHAP is run twice over the trees that split on i, once with i
 * always present and once with it always absent (xgboost's `condition` ±1); half the
 * difference of feature j's values is `Φ_ij`. The diagonal is the main effect
 * `Φ_ii = φ_i − Σ_{j≠i} Φ_ij`. Only leaves below a split on i differ between the two
 * passes, so both skip the subtrees that are neither below nor above one: a row costs
 * the leaves under each feature's splits, not `2·F` full passes as in xgboost.
 *
 * This is the cold path: a dashboard or report explains a sample of rows, not every
 * score.
 *
 * @throws ExplainError `unsupported_model` when the model has no cover; `invalid_argument`
 * for a malformed model.
 * @example
 * const ix = createTreeInteractionExplainer(model);
 * const phi = ix.explainRow(row, new Float64Array(ix.outputLength));
 * const F1 = ix.nFeatures + 1;
 * phi[2 * F1 + 5]; // interaction of features 2 and 5 (= phi[5 * F1 + 2])
 */
export function createTreeInteractionExplainer(model: TreeEnsembleArrays): TreeInteractionExplainer {
  const shape = checkTreeEnsemble(model, { needCover: true });
  const shap = createTreeExplainer(model);
  const { nFeatures: F, nTargets } = model;
  const F1 = F + 1;
  const square = F1 * F1;
  const outputLength = nTargets * square;
  const alg = new ExactTreeShap(model, shape.maxDepth);

  // Per node, the features its subtree splits on (a bit set), and from the roots' sets
  // the trees that split on each feature.
  const words = (F + 31) >>> 5;
  const subtreeSplits = new Uint32Array(shape.nNodes * words);
  const fill = (n: number): void => {
    if (model.mode[n] === NodeMode.LEAF) return;
    const a = model.trueChild[n];
    const b = model.falseChild[n];
    fill(a);
    fill(b);
    for (let w = 0; w < words; w++) subtreeSplits[n * words + w] = subtreeSplits[a * words + w] | subtreeSplits[b * words + w];
    subtreeSplits[n * words + (model.feature[n] >>> 5)] |= 1 << (model.feature[n] & 31);
  };
  const treesOf: number[][] = Array.from({ length: F }, () => []);
  for (let t = 0; t < model.treeRoot.length; t++) {
    const root = model.treeRoot[t];
    fill(root);
    for (let f = 0; f < F; f++) if (subtreeSplits[root * words + (f >>> 5)] & (1 << (f & 31))) treesOf[f].push(root);
  }
  alg.skipUnconditionedLeaves(subtreeSplits, words);
  const used = treesOf.map((list, f) => (list.length > 0 ? f : -1)).filter((f) => f >= 0);

  const phiMain = new Float64Array(shap.outputLength);
  const on = new Float64Array(shap.outputLength);
  const off = new Float64Array(shap.outputLength);

  const explainInto = (rows: FeatureRow, rowOff: number, out: Float64Array, offset: number): void => {
    out.fill(0, offset, offset + outputLength);
    shap.explainRow(rowOff === 0 && rows.length === F ? rows : rows.subarray(rowOff, rowOff + F), phiMain);
    for (const i of used) {
      on.fill(0);
      off.fill(0);
      for (const root of treesOf[i]) {
        alg.explainTree(root, rows, rowOff, on, 0, 1, i);
        alg.explainTree(root, rows, rowOff, off, 0, -1, i);
      }
      for (let k = 0; k < nTargets; k++) {
        const base = offset + k * square + i * F1;
        let rest = 0;
        for (let j = 0; j < F; j++) {
          if (j === i) continue;
          const v = (on[k * F1 + j] - off[k * F1 + j]) / 2;
          out[base + j] = v;
          rest += v;
        }
        out[base + i] = phiMain[k * F1 + i] - rest;
      }
    }
    // Features no tree splits on have φ_i = 0 and no interactions: their rows stay 0.
    for (let k = 0; k < nTargets; k++) out[offset + k * square + F * F1 + F] = shap.expectedValue[k];
  };

  return {
    nFeatures: F,
    nTargets,
    outputLength,
    expectedValue: shap.expectedValue,
    explainRow(row, out) {
      checkRowArgs(row, out, F, outputLength);
      explainInto(row, 0, out, 0);
      return out;
    },
    explainBatch(rows, nRows, out) {
      const res = batchOutput(rows, nRows, F, outputLength, out);
      for (let r = 0; r < nRows; r++) explainInto(rows, r * F, res, r * outputLength);
      return res;
    },
  };
}
