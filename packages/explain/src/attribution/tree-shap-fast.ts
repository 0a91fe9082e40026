import { goesTrue } from './node-test';
import { NodeMode, type TreeEnsembleArrays } from './tree-ensemble-arrays';

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
 * polynomials of the z's in P). A row then costs one walk over the tree that carries
 * the pattern O as a bit mask (the branch the row does not take clears the bit of the
 * node's feature) and O(d) work per leaf: O(L·D) instead of Algorithm 2's O(L·D²).
 * Memory is Σ_l 2^{d_l} doubles per tree, so deep trees are left to Algorithm 2; a
 * zero fraction z_i = 0 (a child with zero cover) makes the division above undefined,
 * so such trees are left to Algorithm 2 too.
 *
 * Internal: {@link createTreeExplainer} decides per tree, builds one instance.
 *
 * @example
 * const fast = new FastTreeShap(model, model.treeRoot, maxDepth, tableDoubles, leafFeatSlots);
 * fast.explainTree(model.treeRoot[0], row, 0, phi, 0); // adds tree 0's φ into phi
 */
export class FastTreeShap {
  private readonly model: TreeEnsembleArrays;
  /** Bit index of each internal node's feature within its path's unique features. */
  private readonly nodeBit: Uint8Array;
  /** Per leaf node: start of its table in `table`, its features in `leafFeat`/`leafRatio`, and d. */
  private readonly leafTable: Int32Array;
  private readonly leafFeatStart: Int32Array;
  private readonly leafD: Uint8Array;
  private readonly leafFeat: Int32Array;
  /** (1 − z)/z per leaf feature. */
  private readonly leafRatio: Float64Array;
  /** T(P) per leaf and pattern; multiplied by the leaf value when there is one target. */
  private readonly table: Float64Array;
  private readonly stackNode: Int32Array;
  private readonly stackMask: Int32Array;
  private readonly stride: number;

  /**
   * @param trees root node of each tree this instance handles (all must be eligible:
   *   see {@link fastTreeShapTableSize}).
   */
  constructor(model: TreeEnsembleArrays, trees: Int32Array, maxDepth: number, tableSize: number, leafFeatSize: number) {
    this.model = model;
    this.stride = model.nFeatures + 1;
    const nNodes = model.feature.length;
    this.nodeBit = new Uint8Array(nNodes);
    this.leafTable = new Int32Array(nNodes);
    this.leafFeatStart = new Int32Array(nNodes);
    this.leafD = new Uint8Array(nNodes);
    this.leafFeat = new Int32Array(leafFeatSize);
    this.leafRatio = new Float64Array(leafFeatSize);
    this.table = new Float64Array(tableSize);
    this.stackNode = new Int32Array(2 * maxDepth + 2);
    this.stackMask = new Int32Array(2 * maxDepth + 2);
    const build = { tablePos: 0, featPos: 0 };
    const pathFeat = new Int32Array(maxDepth + 1);
    const pathZero = new Float64Array(maxDepth + 1);
    const e = new Float64Array(maxDepth + 2);
    for (let t = 0; t < trees.length; t++) this.buildNode(trees[t], 0, pathFeat, pathZero, e, build);
  }

  private buildNode(
    node: number, d: number, pathFeat: Int32Array, pathZero: Float64Array, e: Float64Array,
    pos: { tablePos: number; featPos: number },
  ): void {
    const m = this.model;
    if (m.mode[node] === NodeMode.LEAF) {
      this.leafTable[node] = pos.tablePos;
      this.leafFeatStart[node] = pos.featPos;
      this.leafD[node] = d;
      for (let b = 0; b < d; b++) {
        this.leafFeat[pos.featPos + b] = pathFeat[b];
        this.leafRatio[pos.featPos + b] = (1 - pathZero[b]) / pathZero[b];
      }
      pos.featPos += d;
      fillLeafTable(this.table, pos.tablePos, d, pathZero, e);
      // Single target: fold the leaf value into its table (T → v·T), one multiply less per term.
      if (m.nTargets === 1) for (let P = 0; P < 1 << d; P++) this.table[pos.tablePos + P] *= m.leafValue[node];
      pos.tablePos += 1 << d;
      return;
    }
    const cover = m.cover as Float64Array;
    const f = m.feature[node];
    let b = 0;
    while (b < d && pathFeat[b] !== f) b++;
    this.nodeBit[node] = b;
    const isNew = b === d;
    const saved = isNew ? 1 : pathZero[b];
    pathFeat[b] = f;
    const nd = isNew ? d + 1 : d;
    for (const child of [m.trueChild[node], m.falseChild[node]]) {
      pathZero[b] = (saved * cover[child]) / cover[node];
      this.buildNode(child, nd, pathFeat, pathZero, e, pos);
    }
    pathZero[b] = saved;
    if (isNew) pathFeat[b] = -1;
  }

  /** Adds the attributions of tree `root` for the row at `row[rowOff..]` into `phi[phiOff..]` (bias untouched). */
  explainTree(root: number, row: ArrayLike<number>, rowOff: number, phi: Float64Array, phiOff: number): void {
    const m = this.model;
    const mode = m.mode, feature = m.feature, tc = m.trueChild, fc = m.falseChild;
    const leafValue = m.leafValue, nT = m.nTargets, stride = this.stride;
    const sN = this.stackNode, sM = this.stackMask;
    const table = this.table, leafFeat = this.leafFeat, leafRatio = this.leafRatio;
    let sp = 0;
    sN[0] = root;
    sM[0] = -1; // all bits set: the row follows the (empty) path so far
    sp = 1;
    while (sp > 0) {
      sp--;
      const node = sN[sp];
      const mask = sM[sp];
      if (mode[node] !== NodeMode.LEAF) {
        const bit = 1 << this.nodeBit[node];
        const hotTrue = goesTrue(m, node, row[rowOff + feature[node]]);
        sN[sp] = hotTrue ? tc[node] : fc[node];
        sM[sp] = mask;
        sN[sp + 1] = hotTrue ? fc[node] : tc[node];
        sM[sp + 1] = mask & ~bit;
        sp += 2;
        continue;
      }
      const d = this.leafD[node];
      if (d === 0) continue;
      const P = mask & ((1 << d) - 1);
      const base = this.leafTable[node];
      const fs = this.leafFeatStart[node];
      const tP = table[base + P];
      if (nT === 1) {
        // table holds v·T here
        for (let b = 0; b < d; b++) {
          const f = phiOff + leafFeat[fs + b];
          if ((P >> b) & 1) phi[f] += leafRatio[fs + b] * table[base + (P ^ (1 << b))];
          else phi[f] -= tP;
        }
      } else {
        for (let b = 0; b < d; b++) {
          const f = phiOff + leafFeat[fs + b];
          const c = (P >> b) & 1 ? leafRatio[fs + b] * table[base + (P ^ (1 << b))] : -tP;
          for (let k = 0; k < nT; k++) phi[k * stride + f] += leafValue[node * nT + k] * c;
        }
      }
    }
  }
}

/**
 * Fills `T(P)` for the 2^d patterns P of one leaf (see {@link FastTreeShap}):
 * `T(P) = Π_{j∉P} z_j Σ_{k=0}^{|P|} w(k, d) e_{|P|−k}(z_P)`, with `w(k, d) =
 * k!(d−k−1)!/d!` for k < d; T(D) is never read (it would need w(d, d)) and is left 0.
 */
function fillLeafTable(table: Float64Array, start: number, d: number, z: Float64Array, e: Float64Array): void {
  const n = 1 << d;
  for (let P = 0; P < n - 1; P++) {
    // Elementary symmetric polynomials of {z_j : j ∈ P}, by the product Π (1 + z_j t).
    e[0] = 1;
    let cnt = 0;
    let outside = 1;
    for (let j = 0; j < d; j++) {
      if ((P >> j) & 1) {
        cnt++;
        e[cnt] = 0;
        for (let q = cnt; q >= 1; q--) e[q] += z[j] * e[q - 1];
      } else {
        outside *= z[j];
      }
    }
    let s = 0;
    for (let k = 0; k <= cnt; k++) s += shapleyWeight(k, d) * e[cnt - k];
    table[start + P] = outside * s;
  }
  table[start + n - 1] = 0;
}

/** w(s, d) = s!(d−s−1)!/d! = 1 / (d · C(d−1, s)), computed without factorials. */
function shapleyWeight(s: number, d: number): number {
  let c = 1; // C(d−1, s)
  for (let i = 1; i <= s; i++) c = (c * (d - s - 1 + i)) / i;
  return 1 / (d * c);
}

/**
 * Size of the precomputed tables of one tree for {@link FastTreeShap}, or -1 when the
 * tree is not eligible: a leaf path with more than `maxPathFeatures` unique features,
 * or a child with zero cover (zero fraction 0). `out[0]` = table doubles,
 * `out[1]` = leaf-feature slots.
 *
 * @example
 * fastTreeShapTableSize(model, model.treeRoot[0], 16, out) // 0 (eligible), out = [448, 384]
 */
export function fastTreeShapTableSize(model: TreeEnsembleArrays, root: number, maxPathFeatures: number, out: Float64Array): number {
  out[0] = 0;
  out[1] = 0;
  const cover = model.cover as Float64Array;
  const path: number[] = [];
  let ok = true;
  const walk = (node: number): void => {
    if (!ok) return;
    if (model.mode[node] === NodeMode.LEAF) {
      out[0] += 2 ** path.length;
      out[1] += path.length;
      return;
    }
    const f = model.feature[node];
    const isNew = !path.includes(f);
    if (isNew) path.push(f);
    if (path.length > maxPathFeatures) ok = false;
    for (const c of [model.trueChild[node], model.falseChild[node]]) {
      if (!(cover[c] > 0)) ok = false;
      walk(c);
    }
    if (isNew) path.pop();
  };
  walk(root);
  return ok ? 0 : -1;
}
