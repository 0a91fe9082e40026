import { goesTrue } from './node-test';
import { NodeMode, type TreeEnsembleArrays } from './tree-ensemble-arrays';

/**
 * Exact path-dependent TreeSHAP for one tree at a time: Algorithm 2 of Lundberg, Erion
 * & Lee, "Consistent Individualized Feature Attribution for Tree Ensembles" (2018), as
 * corrected in Lundberg et al., "From local explanations to global understanding with
 * explainable AI for trees", Nature MI 2 (2020), and as implemented in xgboost
 * (`RegTree::TreeShap`).
 *
 * The value function is the path-dependent conditional expectation
 * `v(S) = E[f(x) | x_S]`: at a node splitting on a feature in S the row follows its own
 * branch, otherwise both branches are taken weighted by `cover(child) / cover(node)`.
 * The algorithm walks every root-to-leaf path once, keeping for the path's *unique*
 * features (a feature split on twice is merged: fractions multiply) the "zero
 * fraction" z (share of cover that goes this way) and the "one fraction" o (1 when x
 * goes this way). `pweight[i]` is the total weight of the subsets of size i of the
 * path's features, `Σ |S|!(d-|S|-1)!/d! Π_{j∈S} o_j Π_{j∉S} z_j`, kept as a polynomial
 * that EXTEND multiplies by one feature and UNWIND divides back out. At a leaf,
 * `φ_i += UNWOUND_SUM(i) · (o_i − z_i) · v_leaf`. Cost O(L·D²) per tree and row.
 *
 * Internal: the explainer ({@link createTreeExplainer}) owns one instance and its
 * workspace, sized once for the deepest tree, so a row allocates nothing.
 *
 * @example
 * const alg2 = new ExactTreeShap(model, maxDepth);
 * alg2.explainTree(model.treeRoot[0], row, 0, phi, 0); // adds tree 0's φ into phi
 */
export class ExactTreeShap {
  private readonly model: TreeEnsembleArrays;
  private readonly cover: Float64Array;
  private readonly stride: number;
  // Unique-path elements of every recursion level, one slot of the workspace per level
  // of the recursion: a child's slot starts at its parent's + its depth + 1.
  private readonly pFeature: Int32Array;
  private readonly pZero: Float64Array;
  private readonly pOne: Float64Array;
  private readonly pWeight: Float64Array;
  private row: ArrayLike<number> = new Float64Array(0);
  private phi: Float64Array = new Float64Array(0);
  private phiOffset = 0;
  private rowOff = 0;
  private condition: -1 | 0 | 1 = 0;
  private conditionFeature = -1;
  private subtreeSplits: Uint32Array | null = null;
  private words = 0;

  constructor(model: TreeEnsembleArrays, maxDepth: number) {
    this.model = model;
    this.cover = model.cover as Float64Array;
    this.stride = model.nFeatures + 1;
    const size = ((maxDepth + 2) * (maxDepth + 3)) / 2;
    this.pFeature = new Int32Array(size);
    this.pZero = new Float64Array(size);
    this.pOne = new Float64Array(size);
    this.pWeight = new Float64Array(size);
  }

  /**
   * Adds the attributions of the tree rooted at `root` for the row at `row[rowOff..]` into
   * `phi[phiOffset + k·(nFeatures+1) + i]` (target k, feature i). The bias is not
   * touched (the explainer adds the expected values once).
   *
   * `condition` (xgboost's `condition`, for interaction values): 0 = plain SHAP values;
   * +1 = the values of the other features in the game where `conditionFeature` is
   * always present (the row follows its own branch there, the feature gets no share);
   * −1 = the game where it is always absent (both branches by cover). Half the
   * difference of the two is the Shapley interaction index (Lundberg et al. 2020, §"SHAP
   * interaction values"; xgboost `pred_interactions`).
   */
  explainTree(root: number, row: ArrayLike<number>, rowOff: number, phi: Float64Array, phiOffset: number, condition: -1 | 0 | 1 = 0, conditionFeature = -1): void {
    this.row = row;
    this.rowOff = rowOff;
    this.phi = phi;
    this.phiOffset = phiOffset;
    this.condition = condition;
    this.conditionFeature = condition === 0 ? -1 : conditionFeature;
    this.recurse(root, 0, -1, 1, 1, -1, 1, false);
  }

  /**
   * For conditioned passes whose only use is the difference `on − off`: `subtreeSplits`
   * holds per node a bit set of the features its subtree splits on (`words` 32-bit
   * words per node). A leaf with no split on the conditioned feature above it adds the
   * same to both passes, so a subtree without that feature, entered from above any such
   * split, is skipped in both. Plain SHAP values of a conditioned pass are then
   * incomplete; the difference is exact.
   */
  skipUnconditionedLeaves(subtreeSplits: Uint32Array | null, words: number): void {
    this.subtreeSplits = subtreeSplits;
    this.words = words;
  }

  private recurse(node: number, uniqueDepth: number, parentOffset: number, zero: number, one: number, feat: number, conditionFraction: number, belowCondition: boolean): void {
    if (conditionFraction === 0) return;
    const cf = this.conditionFeature;
    const sets = this.subtreeSplits;
    if (sets !== null && cf >= 0 && !belowCondition && (sets[node * this.words + (cf >>> 5)] & (1 << (cf & 31))) === 0) return;
    const m = this.model;
    const pF = this.pFeature, pZ = this.pZero, pO = this.pOne, pW = this.pWeight;
    // This level's slot starts after the parent's (xgboost's layout): copy the parent's
    // path, then EXTEND it — unless the edge splits on the conditioned feature, which
    // never joins the path (the child then has the parent's depth).
    const off = parentOffset + uniqueDepth + 1;
    const grows = feat < 0 || feat !== this.conditionFeature;
    if (parentOffset >= 0) {
      const n = grows ? uniqueDepth : uniqueDepth + 1;
      for (let i = 0; i < n; i++) {
        pF[off + i] = pF[parentOffset + i];
        pZ[off + i] = pZ[parentOffset + i];
        pO[off + i] = pO[parentOffset + i];
        pW[off + i] = pW[parentOffset + i];
      }
    }
    if (grows) this.extend(off, uniqueDepth, zero, one, feat);

    if (m.mode[node] === NodeMode.LEAF) {
      const nT = m.nTargets;
      for (let i = 1; i <= uniqueDepth; i++) {
        const w = this.unwoundSum(off, uniqueDepth, i) * (pO[off + i] - pZ[off + i]) * conditionFraction;
        const f = pF[off + i];
        for (let k = 0; k < nT; k++) {
          this.phi[this.phiOffset + k * this.stride + f] += w * m.leafValue[node * nT + k];
        }
      }
      return;
    }

    const split = m.feature[node];
    const hotIsTrue = goesTrue(m, node, this.row[this.rowOff + split]);
    const hot = hotIsTrue ? m.trueChild[node] : m.falseChild[node];
    const cold = hotIsTrue ? m.falseChild[node] : m.trueChild[node];
    const c = this.cover[node];
    const hotZero = this.cover[hot] / c;
    const coldZero = this.cover[cold] / c;
    let inZero = 1;
    let inOne = 1;
    let depth = uniqueDepth;
    // A feature already on the path: undo its earlier split so that this node's split
    // is merged with it (fractions multiply), keeping the path's features unique.
    let pathIndex = 0;
    for (; pathIndex <= depth; pathIndex++) if (pF[off + pathIndex] === split) break;
    if (pathIndex !== depth + 1) {
      inZero = pZ[off + pathIndex];
      inOne = pO[off + pathIndex];
      this.unwind(off, depth, pathIndex);
      depth -= 1;
    }
    let hotFraction = conditionFraction;
    let coldFraction = conditionFraction;
    let below = belowCondition;
    if (split === cf) {
      if (this.condition > 0) {
        coldFraction = 0;
      } else {
        hotFraction *= hotZero;
        coldFraction *= coldZero;
      }
      depth -= 1;
      below = true;
    }
    this.recurse(hot, depth + 1, off, hotZero * inZero, inOne, split, hotFraction, below);
    this.recurse(cold, depth + 1, off, coldZero * inZero, 0, split, coldFraction, below);
  }

  /** EXTEND: multiply the subset-weight polynomial by one more feature (z, o). */
  private extend(off: number, d: number, zero: number, one: number, feat: number): void {
    const pW = this.pWeight;
    this.pFeature[off + d] = feat;
    this.pZero[off + d] = zero;
    this.pOne[off + d] = one;
    pW[off + d] = d === 0 ? 1 : 0;
    for (let i = d - 1; i >= 0; i--) {
      pW[off + i + 1] += (one * pW[off + i] * (i + 1)) / (d + 1);
      pW[off + i] = (zero * pW[off + i] * (d - i)) / (d + 1);
    }
  }

  /** UNWIND: divide element `pathIndex` back out of the polynomial and drop it. */
  private unwind(off: number, d: number, pathIndex: number): void {
    const pW = this.pWeight, pF = this.pFeature, pZ = this.pZero, pO = this.pOne;
    const one = pO[off + pathIndex];
    const zero = pZ[off + pathIndex];
    let next = pW[off + d];
    for (let i = d - 1; i >= 0; i--) {
      if (one !== 0) {
        const tmp = pW[off + i];
        pW[off + i] = (next * (d + 1)) / ((i + 1) * one);
        next = tmp - (pW[off + i] * zero * (d - i)) / (d + 1);
      } else {
        pW[off + i] = (pW[off + i] * (d + 1)) / (zero * (d - i));
      }
    }
    for (let i = pathIndex; i < d; i++) {
      pF[off + i] = pF[off + i + 1];
      pZ[off + i] = pZ[off + i + 1];
      pO[off + i] = pO[off + i + 1];
    }
  }

  /** Σ of the weights the path would have with element `pathIndex` unwound, without unwinding. */
  private unwoundSum(off: number, d: number, pathIndex: number): number {
    const pW = this.pWeight;
    const one = this.pOne[off + pathIndex];
    const zero = this.pZero[off + pathIndex];
    let next = pW[off + d];
    let total = 0;
    for (let i = d - 1; i >= 0; i--) {
      if (one !== 0) {
        const tmp = (next * (d + 1)) / ((i + 1) * one);
        total += tmp;
        next = pW[off + i] - (tmp * zero * (d - i)) / (d + 1);
      } else if (zero !== 0) {
        total += pW[off + i] / zero / ((d - i) / (d + 1));
      }
    }
    return total;
  }
}
