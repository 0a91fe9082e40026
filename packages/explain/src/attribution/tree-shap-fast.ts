import { goesTrue } from './node-test';
import type { TreeEnsembleArrays } from './tree-ensemble-arrays';
import {
  FastComparison, fastTreeShapLayoutFrom, GROUP_REC, GroupFormat, MISSING_TRUE, NODE_REC, PAD_SINKS, PAIR_SLOTS, type FastTreeShapLayout,
} from './tree-shap-fast-layout';

/**
 * Path-dependent TreeSHAP with per-leaf precomputed tables, in the spirit of
 * FastTreeSHAP v2 (J. Yang, "Fast TreeSHAP: Accelerating SHAP Value Computation for
 * Trees", 2021). Gives the same values as Algorithm 2 ({@link ExactTreeShap}).
 *
 * The maths. For a leaf l with value v, let D be the unique features on its path
 * (d = |D|), z_j the product of `cover(child)/cover(node)` over the path's nodes on
 * feature j, and O ⊆ D the features on which the row follows the path at every node
 * (o_j = 1). Algorithm 2 adds, for i ∈ D,
 *
 *   φ_i += v (o_i − z_i) Σ_{S ⊆ O∖{i}} w(|S|, d) Π_{j ∈ D∖S∖{i}} z_j,
 *   w(s, d) = s! (d − s − 1)! / d!,
 *
 * since the product over S of o_j vanishes unless S ⊆ O. Writing
 * `T(P) = Σ_{S ⊆ P} w(|S|, d) Π_{j ∈ D∖S} z_j` (a number per leaf and pattern P ⊆ D):
 *
 * - i ∉ O: o_i = 0 and the sum is T(O)/z_i, so φ_i += −v·T(O), the same for every such i;
 * - i ∈ O: o_i = 1 and the sum is T(O∖{i})/z_i, so φ_i += v·(1 − z_i)/z_i·T(O∖{i}).
 *
 * T depends only on the tree, so it is computed once per leaf for all 2^d patterns
 * (`T(P) = Π_{j∉P} z_j Σ_k w(k, d) e_{|P|−k}(z_P)` with e the elementary symmetric
 * polynomials of the z's in P): O(d) work per leaf and row instead of Algorithm 2's
 * O(d²). Memory is Σ_l 2^{d_l} doubles per tree, so deep trees are left to Algorithm 2;
 * a zero fraction z_i = 0 (a child with zero cover) makes the division above undefined,
 * so such trees are left to Algorithm 2 too.
 *
 * The row's walk. Bit b of a leaf's pattern stands for the b-th unique feature on its
 * path (in the order the path meets them), so the bit of a feature is the same at every
 * node of the path that splits on it, and O is "all bits, minus the bit of every node
 * where the leaf lies on the side the row does not take". Per tree and row that is two
 * flat loops over typed arrays ({@link FastTreeShapLayout}), with no recursion, no
 * stack and no data-dependent branch (the depth-first walk with a stack this replaced
 * cost 2.1 µs per depth-6 tree, 1.2 µs even with its tables in L1/L2):
 *
 * 1. internal nodes in pre-order (a parent before its children): the row's decision at
 *    the node, as 0/1, clears the node's bit in the mask of the child it does not take,
 *    `mask[child] = mask[node] & ~bit`, so every node ends with the pattern of its path;
 * 2. leaves: `P = mask[leaf]`, then for every bit slot b of the leaf, with o_b its bit
 *    in P: `P & ~(1 << b)` is P ∖ {b} when o_b = 1 and P itself when o_b = 0, so the
 *    term is `φ[f_b] += F_b[o_b]·T(P & ~(1 << b))` with the two factors F_b[0] = −1 and
 *    F_b[1] = r_b = (1 − z_b)/z_b stored per slot. One load of T and one multiply per
 *    slot, no branch, and exactly the selected term (−1·T is exact).
 *
 * Sibling leaves. The two leaf children of a node have the same path features D and
 * the same z_j except at their parent's feature p; when p is new on the path it is the
 * last unique feature, bit p = d − 1 (80 % of the fraud model's leaves are in such pairs).
 * Splitting the subsets S by whether they hold p gives, for either leaf,
 *
 *   T(P) = z_p·G(P ∖ {p}) + [p ∈ P]·H(P),
 *
 * with G (T at z_p = 1, over patterns without p) and H (the subsets holding p) the same
 * for both leaves. Let q be the pair's common pattern without bit p and e_1, e_2 whether
 * each leaf keeps bit p (at most one does: the parent clears it in the child the row does
 * not take), s = e_1 + 2e_2. Then, with leaf values v folded in:
 *
 * - a slot b ≠ p has the same bit o_b, factor F_b and feature for both leaves, and
 *   their two terms sum to `F_b[o_b]·C_s(q & ~(1 << b))` with
 *   `C_0(x) = v_1T_1(x) + v_2T_2(x)`, `C_1(x) = v_1T_1(x ∪ p) + v_2T_2(x)`,
 *   `C_2(x) = v_1T_1(x) + v_2T_2(x ∪ p)`: one table read per slot for two leaves;
 * - slot p: leaf i adds r_p·v_i·T_i(q) = (1 − z_{i,p})·v_i·G(q) when e_i = 1 and
 *   −v_i·T_i(q) = −z_{i,p}·v_i·G(q) when e_i = 0, so the pair adds
 *   `δ_s·G(q)` with `δ_s = Σ_i v_i·(e_i − z_{i,p})`: δ_0 = −β, δ_1 = v_1 − β, δ_2 = v_2 − β,
 *   β = v_1·z_{1,p} + v_2·z_{2,p}.
 *
 * A leaf on its own is the same with v_2 = 0, p = d − 1 and its own v·T in place of G
 * (δ = [−1, r_p]). Tables: G, C_0, C_1, C_2 of 2^(d−1) entries (the two leaves' 2^d
 * each before), factors shared. Exactly the sums of Algorithm 2, reordered. The
 * parent's own decision only says which leaf keeps bit p, so it is made in the pair's
 * body: `s = bit_p(Q)·(2 − go)` with Q the mask at the parent (a leaf on its own has a
 * virtual parent that always goes true); the node loop then skips ~40 % of the nodes.
 *
 * The unrolled body. One target, one inlined comparison and paths of at most 6 unique
 * features (xgboost's default depth) take a body with the slots b < p ≤ 5 written out
 * (b = 0..4; those from p on have factors 0 and add 0 to a scratch position). Slot 0 is
 * the root's feature in every group of a tree, so its terms are summed in a local
 * variable and added once per tree. Other trees keep per-leaf tables (siblings still
 * share a record) and a plain loop over the d slots. Sums go into a scratch region of
 * the layout and are added to the caller's `phi` once per row; only the order of the
 * additions differs from Algorithm 2. The data layout, and why it is so, is
 * {@link FastTreeShapLayout}.
 *
 * Internal: {@link createTreeExplainer} decides per tree, builds one instance for all
 * eligible trees.
 *
 * @example
 * const fast = new FastTreeShap(model, Int32Array.from([model.treeRoot[0]]));
 * fast.explainTrees(row, 0, phi, 0); // adds tree 0's φ into phi[0..nFeatures); the bias slot untouched
 */
export class FastTreeShap {
  private readonly model: TreeEnsembleArrays;
  private readonly layout: FastTreeShapLayout;
  private readonly nTrees: number;
  private readonly nFeatures: number;

  /**
   * @param trees root node of each tree this instance handles (all must be eligible:
   *   see {@link fastTreeShapTableSize}).
   */
  constructor(model: TreeEnsembleArrays, trees: Int32Array) {
    this.model = model;
    this.layout = fastTreeShapLayoutFrom(model, trees);
    this.nTrees = trees.length;
    this.nFeatures = model.nFeatures;
  }

  /**
   * Adds the attributions of all this instance's trees for the row at `row[rowOff..]`
   * into `phi[phiOff + k·(nFeatures+1) + i]` (target k, feature i); the bias slots are
   * not touched. Allocates nothing.
   */
  explainTrees(row: ArrayLike<number>, rowOff: number, phi: Float64Array, phiOff: number): void {
    const L = this.layout, data = L.data, nF = this.nFeatures, nT = this.model.nTargets;
    // One copy into doubles (the row region of data, at 0), so the node loop reads one
    // array whatever the caller passes.
    for (let i = 0; i < nF; i++) data[i] = row[rowOff + i];
    const acc = L.accStart, stride = nF + 1;
    data.fill(0, acc, acc + nT * stride + PAD_SINKS);
    for (let t = 0; t < this.nTrees; t++) {
      if (L.treeRec[t + 1] === L.treeRec[t]) continue; // a lone leaf: no features, no terms
      this.walkTree(t);
      if (L.treeFormat[t] === GroupFormat.PAIR_TABLES) this.addPairsUnrolled(t);
      else this.addLeavesLoop(t);
    }
    for (let k = 0; k < nT; k++) {
      for (let i = 0; i < nF; i++) phi[phiOff + k * stride + i] += data[acc + k * stride + i];
    }
  }

  /** Loop 1: the pattern mask of every node of tree t (see the class comment). */
  private walkTree(t: number): void {
    const L = this.layout, rec = L.rec, data = L.data; // the row at data[0..], thresholds at data[th + k]
    const cmp = L.comparison, th = L.thresholdStart;
    // Module constants copied into locals: V8 reloads a module binding at every iteration.
    const step = NODE_REC, featureBits = MISSING_TRUE - 1, lt = FastComparison.LT, leq = FastComparison.LEQ;
    const end = L.treeLeafRec[t];
    rec[L.treeRec[t]] = -1; // the root: every bit set
    for (let r = L.treeRec[t], k = L.treeNode[t]; r < end; r += step, k++) {
      const fm = rec[r + 1];
      const v = data[fm & featureBits];
      // go = 1 when the row takes the true child. A NaN fails every comparison and goes
      // where the node's missing flag says. Booleans are used as 0/1 integers on purpose.
      const nanTrue = ((v !== v) as unknown as number) & (fm >>> 30);
      let go: number;
      if (cmp === lt) go = ((v < data[th + k]) as unknown as number) | nanTrue;
      else if (cmp === leq) go = ((v <= data[th + k]) as unknown as number) | nanTrue;
      else go = goesTrue(this.model, L.nodeId[k], v) ? 1 : 0;
      const m = rec[r];
      const bit = rec[r + 2];
      rec[rec[r + 3]] = m & ~(bit & (go - 1)); // go = 0: the true child is off the row's way
      rec[rec[r + 4]] = m & ~(bit & -go); // go = 1: the false child is
    }
  }

  /**
   * Loop 2, {@link GroupFormat.PAIR_TABLES}: one target, one or two leaves per group,
   * the parent's decision, slot p and the slots b < p (see the class comment for C_s, G
   * and δ_s). The slot loop is written out: on Node 20 a loop over b makes V8 re-check
   * the map, length and base of every typed array at each slot, which cost 2.6× the
   * unrolled body.
   */
  private addPairsUnrolled(t: number): void {
    const L = this.layout, rec = L.rec, data = L.data; // record features are positions in data
    const end = L.treeRec[t + 1];
    // Locals: V8 reloads a module binding at every iteration.
    const step = GROUP_REC + PAIR_SLOTS, featureBits = MISSING_TRUE - 1, leq = L.comparison === FastComparison.LEQ ? 1 : 0;
    let root = 0; // slot 0 of every group: the root's feature
    // j: the group's parent threshold, in a region of its own read in order
    for (let r = L.treeLeafRec[t], j = L.groupThresholdStart + L.treeGroup[t]; r < end; r += step, j++) {
      const Q = rec[r], pw = rec[r + 1], p = rec[r + 2], g = rec[r + 3];
      const F = g - 10; // factors F_b[o] at F + 2b + o; δ_s at F − 3 + s
      // The parent's decision (a lone leaf's virtual parent: −∞ < +∞, always true): the
      // true child keeps bit p when the row goes there, s = e_1 + 2e_2.
      const v = data[pw & featureBits], th = data[j];
      const go = ((v < th) as unknown as number) | (leq & ((v === th) as unknown as number)) | (((v !== v) as unknown as number) & (pw >>> 30));
      const s = ((Q >> p) & 1) * (2 - go);
      const q = Q & ((1 << p) - 1);
      const c = g + ((1 + s) << p); // C_s
      data[rec[r + 4]] += data[F - 3 + s] * data[g + q];
      root += data[F + (q & 1)] * data[c + (q & ~1)];
      data[rec[r + 6]] += data[F + 2 + ((q >> 1) & 1)] * data[c + (q & ~2)];
      data[rec[r + 7]] += data[F + 4 + ((q >> 2) & 1)] * data[c + (q & ~4)];
      // Slots 3 and 4 add 0 unless b < p; groups come largest p first, so these tests
      // change outcome at most twice per tree (18 % of the fraud model's slots are skipped).
      if (p > 3) {
        data[rec[r + 8]] += data[F + 6 + ((q >> 3) & 1)] * data[c + (q & ~8)];
        if (p > 4) data[rec[r + 9]] += data[F + 8 + ((q >> 4) & 1)] * data[c + (q & ~16)];
      }
    }
    data[L.accStart + (rec[L.treeRec[t] + 1] & featureBits)] += root;
  }

  /**
   * Loop 2, {@link GroupFormat.LEAF_TABLES} (wider paths or several targets): a plain
   * loop over the d real slots of each leaf of each group, `F_b[o_b]·T(P & ~(1 << b))`.
   * One target: the tables hold v·T; several: T, times each target's leaf value.
   */
  private addLeavesLoop(t: number): void {
    const L = this.layout, rec = L.rec, data = L.data;
    const leafValue = this.model.leafValue, nT = this.model.nTargets, stride = this.nFeatures + 1;
    const w = L.treeWidth[t];
    const end = L.treeRec[t + 1];
    for (let r = L.treeLeafRec[t], j = 2 * L.treeGroup[t]; r < end; r += GROUP_REC + w, j += 2) {
      const full = rec[r + 2];
      const d = 31 - Math.clz32(full + 1);
      for (let h = 0; h < 2; h++) {
        const P = rec[r + h] & full;
        const base = rec[r + 3 + h];
        for (let b = 0; b < d; b++) {
          const c = data[base - 2 * w + 2 * b + ((P >> b) & 1)] * data[base + (P & ~(1 << b))];
          const f = rec[r + GROUP_REC + b];
          if (nT === 1) data[f] += c;
          else for (let k = 0; k < nT; k++) data[k * stride + f] += leafValue[L.leafNode[j + h] * nT + k] * c;
        }
      }
    }
  }
}
