import { ExplainError } from '../errors';
import { batchOutput, checkRowArgs } from './explainer-args';
import { checkTreeEnsemble } from './check-tree-ensemble';
import { ExactTreeShap } from './tree-shap-exact';
import { FastTreeShap } from './tree-shap-fast';
import { fastTreeShapTableSize } from './tree-shap-fast-layout';
import { NodeMode, type TreeEnsembleArrays } from './tree-ensemble-arrays';

/** A row of features: float32 as scored, or doubles. NaN = missing. */
export type FeatureRow = Float32Array | Float64Array;

/** Options of {@link createTreeExplainer}. */
export interface TreeExplainerOptions {
  /**
   * `'auto'` (default): the precomputed FastTreeSHAP-v2 tables for every tree whose
   * tables fit (see `maxPathFeatures`, `maxTableBytes`), Algorithm 2 for the rest.
   * `'exact'`: Algorithm 2 everywhere. `'fast'`: tables everywhere, or an
   * `unsupported_model` error naming the tree that does not fit.
   */
  readonly algorithm?: 'auto' | 'exact' | 'fast';
  /** Most unique features on one leaf path for which a tree gets tables (2^d doubles per leaf). Default 12, at most 24. */
  readonly maxPathFeatures?: number;
  /** Memory budget of all tables together, in bytes. Default 64 MiB. */
  readonly maxTableBytes?: number;
}

/** Path-dependent TreeSHAP over one tree ensemble; see {@link createTreeExplainer}. */
export interface TreeExplainer {
  readonly nFeatures: number;
  readonly nTargets: number;
  /** Length of one row's output: `nTargets · (nFeatures + 1)`. */
  readonly outputLength: number;
  /**
   * The bias per target: `baseValue + Σ_trees E[tree]`, the expectation under the
   * cover distribution (what xgboost reports as the last `pred_contribs` column).
   */
  readonly expectedValue: Float64Array;
  /**
   * How many trees use the precomputed tables, how many Algorithm 2, and the memory of
   * the tables T (what `maxTableBytes` budgets; the fast layout adds per-leaf factors and
   * integer records: about 1.3× that in all for xgboost depth-6 trees).
   */
  readonly plan: { readonly fastTrees: number; readonly exactTrees: number; readonly tableBytes: number };
  /**
   * Writes the SHAP values of `row` into `out` (cleared first): for target k, feature
   * i at `out[k·(nFeatures+1) + i]`, the bias at `out[k·(nFeatures+1) + nFeatures]`.
   * Per target they sum to the margin. Allocates nothing. Returns `out`.
   */
  explainRow(row: FeatureRow, out: Float64Array): Float64Array;
  /**
   * As {@link TreeExplainer.explainRow} for `nRows` rows stored row-major in `rows`;
   * row r's output starts at `r · outputLength` of `out` (allocated when omitted).
   */
  explainBatch(rows: FeatureRow, nRows: number, out?: Float64Array): Float64Array;
}

/**
 * Creates an exact path-dependent TreeSHAP explainer (Lundberg et al. 2020) for a tree
 * ensemble with node cover. The model is validated and the per-tree plan (precomputed
 * tables or Algorithm 2) is made once here; rows then allocate nothing. The values
 * are the exact Shapley values of `v(S) = E[f(x) | x_S]` under the trees' cover
 * distribution, and equal xgboost's `pred_contribs` for an xgboost model.
 *
 * @throws ExplainError `unsupported_model` when the model has no cover; `invalid_argument`
 * for a malformed model.
 * @example
 * const explainer = createTreeExplainer(model);
 * const phi = explainer.explainRow(new Float32Array([0.2, NaN, 3]), new Float64Array(explainer.outputLength));
 * // phi[0] + phi[1] + phi[2] + phi[3] === margin (to rounding); phi[3] is the bias
 */
export function createTreeExplainer(model: TreeEnsembleArrays, options: TreeExplainerOptions = {}): TreeExplainer {
  const shape = checkTreeEnsemble(model, { needCover: true });
  const algorithm = options.algorithm ?? 'auto';
  if (algorithm !== 'auto' && algorithm !== 'exact' && algorithm !== 'fast') {
    throw new ExplainError('invalid_argument', `algorithm must be 'auto', 'exact' or 'fast', got ${String(algorithm)}`, ['options', 'algorithm']);
  }
  const maxPathFeatures = options.maxPathFeatures ?? 12;
  if (!Number.isInteger(maxPathFeatures) || maxPathFeatures < 0 || maxPathFeatures > 24) {
    throw new ExplainError('invalid_argument', `maxPathFeatures must be an integer in [0, 24], got ${maxPathFeatures}`, ['options', 'maxPathFeatures']);
  }
  const maxTableBytes = options.maxTableBytes ?? 64 * 1024 * 1024;
  if (!(maxTableBytes >= 0)) {
    throw new ExplainError('invalid_argument', `maxTableBytes must be >= 0, got ${maxTableBytes}`, ['options', 'maxTableBytes']);
  }

  const { nFeatures, nTargets } = model;
  const nTrees = model.treeRoot.length;
  const stride = nFeatures + 1;
  const outputLength = nTargets * stride;

  // Plan: which trees get tables.
  const fastRoots: number[] = [];
  const exactRoots: number[] = [];
  const size = new Float64Array(2);
  let tableDoubles = 0;
  for (let t = 0; t < nTrees; t++) {
    const root = model.treeRoot[t];
    let fits = false;
    if (algorithm !== 'exact' && fastTreeShapTableSize(model, root, maxPathFeatures, size) === 0) {
      fits = (tableDoubles + size[0]) * 8 <= maxTableBytes;
    }
    if (fits) {
      fastRoots.push(root);
      tableDoubles += size[0];
    } else if (algorithm === 'fast') {
      throw new ExplainError('unsupported_model', `tree ${t} does not fit the fast TreeSHAP tables (more than ${maxPathFeatures} features on a path, a zero-cover child, or over maxTableBytes); use algorithm 'auto' or 'exact'`, ['treeRoot', t]);
    } else {
      exactRoots.push(root);
    }
  }
  const fast = fastRoots.length > 0 ? new FastTreeShap(model, Int32Array.from(fastRoots)) : null;
  const exact = exactRoots.length > 0 ? new ExactTreeShap(model, shape.maxDepth) : null;
  const exactList = Int32Array.from(exactRoots);

  // Bias: E[tree] under the cover distribution, E(n) = Σ_child cover(child)/cover(n)·E(child)
  // (the same ratios TreeSHAP uses, so Σφ = margin − bias exactly).
  const expectedValue = Float64Array.from(model.baseValue);
  const cover = model.cover as Float64Array;
  const mean = new Float64Array(nTargets);
  const nodeMean = (node: number, k: number): number => {
    if (model.mode[node] === NodeMode.LEAF) return model.leafValue[node * nTargets + k];
    const a = model.trueChild[node];
    const b = model.falseChild[node];
    return (cover[a] * nodeMean(a, k) + cover[b] * nodeMean(b, k)) / cover[node];
  };
  for (let t = 0; t < nTrees; t++) {
    for (let k = 0; k < nTargets; k++) mean[k] = nodeMean(model.treeRoot[t], k);
    for (let k = 0; k < nTargets; k++) expectedValue[k] += mean[k];
  }

  const explainInto = (row: ArrayLike<number>, rowOff: number, out: Float64Array, offset: number): void => {
    out.fill(0, offset, offset + outputLength);
    if (fast) fast.explainTrees(row, rowOff, out, offset);
    if (exact) for (let t = 0; t < exactList.length; t++) exact.explainTree(exactList[t], row, rowOff, out, offset);
    for (let k = 0; k < nTargets; k++) out[offset + k * stride + nFeatures] = expectedValue[k];
  };

  return {
    nFeatures,
    nTargets,
    outputLength,
    expectedValue,
    plan: { fastTrees: fastRoots.length, exactTrees: exactRoots.length, tableBytes: tableDoubles * 8 },
    explainRow(row, out) {
      checkRowArgs(row, out, nFeatures, outputLength);
      explainInto(row, 0, out, 0);
      return out;
    },
    explainBatch(rows, nRows, out) {
      const res = batchOutput(rows, nRows, nFeatures, outputLength, out);
      for (let r = 0; r < nRows; r++) {
        explainInto(rows, r * nFeatures, res, r * outputLength);
      }
      return res;
    },
  };
}
