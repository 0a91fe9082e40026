import { NodeMode, type TreeEnsembleArrays } from './tree-ensemble-arrays';

/**
 * Slots per leaf of the unrolled leaf body of {@link FastTreeShap}: xgboost's default
 * `max_depth` is 6, so most paths have at most 6 unique features.
 */
export const UNROLLED_WIDTH = 6;
/** Ints of an internal node's record: mask, feature word, bit, true child's record, false child's record. */
export const NODE_REC = 5;
/** Ints of a leaf pair's record before its w slot features: two masks, `(1 << d) − 1`, two table starts. */
export const PAIR_REC = 5;
/** Bit 30 of a node's feature word: a NaN goes to the true child. */
export const MISSING_TRUE = 1 << 30;
/**
 * Scratch positions past the features that padding slots write to, spread over the
 * leaves so that their additions do not form one long chain through one address.
 */
export const PAD_SINKS = 8;
/** How internal nodes compare: one inlined comparison for all trees, or the general `goesTrue`. */
export const FastComparison = { LT: 0, LEQ: 1, GENERAL: 2 } as const;

/**
 * The trees of a {@link FastTreeShap} instance laid out flat for its per-row loops. On
 * Node 20, V8 re-checks every typed array it touches at each loop iteration (map,
 * length, base), so what the loops read and write sits in two arrays: the integers of
 * all nodes and leaves in one `Int32Array` of records, and every number, the per-row
 * scratch included, in one `Float64Array`. (One array fewer in the leaf loop made it 7 %
 * faster.) The per-row parts (masks in `rec`, row copy and sums in `data`) make an
 * instance usable by one caller at a time, as before.
 *
 * Per tree, first the records of its internal nodes in pre-order (a parent before its
 * children), then those of its leaves, two by two, in depth-first order:
 *
 * - internal node, {@link NODE_REC} ints: `[mask, feature | missing, 1 << b, true child, false child]`,
 *   the mask filled per row by the parent, the feature word with {@link MISSING_TRUE} set
 *   when a NaN goes to the true child, b the index of the node's feature among the unique
 *   features of its path, and each child as the position of its mask in `rec`;
 * - leaf pair, {@link PAIR_REC} + w ints: `[mask₁, mask₂, (1 << d) − 1, table₁, table₂,
 *   f_0 … f_{w−1}]`. The two children of a node that are both leaves (90 % of the leaves
 *   of an xgboost depth-6 tree) have the same path features, so they share one record and
 *   one set of additions into φ; a leaf whose sibling is not a leaf is paired with a
 *   stand-in whose mask stays 0 and whose factors and table are 0. The d unique path
 *   features come in the order the path meets them (f_0 is the root's), then w − d
 *   padding slots at one of the {@link PAD_SINKS} scratch positions
 *   `nFeatures + (pair index mod 8)` past the features.
 *
 * `data`, in this order: the row (nFeatures doubles, per row), the sums
 * (`nTargets·(nFeatures+1)` plus {@link PAD_SINKS}, per row; sum of target k, feature f
 * at `accStart + k·(nFeatures+1) + f`), every internal node's threshold in record order,
 * then per tree its stand-in leaf and its leaves' numbers: first two factors per slot,
 * `[−1, (1 − z_b)/z_b]` (0, 0 for padding), then at the leaf's "table" position T(P) for
 * its 2^d patterns P, times the leaf value when the model has one target. The slot
 * features of a record are stored as positions in `data` (`accStart + f`), the node's
 * feature as the position of its value in the row copy (which starts at 0).
 */
export interface FastTreeShapLayout {
  /** {@link FastComparison}: LT or LEQ when every split of these trees is that mode, else GENERAL. */
  readonly comparison: number;
  /** Per tree (length nTrees + 1): where its node records, its leaf records and its thresholds begin. */
  readonly treeRec: Int32Array;
  readonly treeLeafRec: Int32Array;
  readonly treeNode: Int32Array;
  /** Per tree: slots per leaf (w), the most unique features on one of its paths, or {@link UNROLLED_WIDTH} when that is at most UNROLLED_WIDTH. */
  readonly treeWidth: Int32Array;
  /** Per tree (length nTrees + 1): index of its first leaf pair. */
  readonly treePair: Int32Array;
  /** Per leaf pair, two entries: the leaves' nodes in the model (several targets read their values; the stand-in repeats the first). */
  readonly leafNode: Int32Array;
  readonly rec: Int32Array;
  readonly data: Float64Array;
  /** Where the sums and the thresholds start in `data`. */
  readonly accStart: number;
  readonly thresholdStart: number;
  /** Per internal node, in record order: its index in the model (the general comparison). */
  readonly nodeId: Int32Array;
}

/** Slots per leaf for a tree whose longest path has `maxD` unique features. */
function widthOf(maxD: number): number {
  return maxD <= UNROLLED_WIDTH ? UNROLLED_WIDTH : maxD;
}

/**
 * Builds the {@link FastTreeShapLayout} of the trees rooted at `trees` (all eligible:
 * see {@link fastTreeShapTableSize}). Setup-time code: plain arrays, then typed arrays.
 *
 * @example
 * const layout = fastTreeShapLayoutFrom(model, model.treeRoot);
 * layout.treeWidth[0]; // 6 for a tree of depth 6 or less
 */
export function fastTreeShapLayoutFrom(model: TreeEnsembleArrays, trees: Int32Array): FastTreeShapLayout {
  const cover = model.cover as Float64Array;
  const nF = model.nFeatures;
  const oneTarget = model.nTargets === 1;
  const treeRec = [0], treeLeafRec: number[] = [], treeNode = [0], treePair = [0], treeWidth: number[] = [];
  const rec: number[] = [], leafData: number[] = [], nodeThreshold: number[] = [], nodeId: number[] = [], leafNode: number[] = [];
  // Per tree, during the walk: the record of each internal node, the pair and half of
  // each leaf (resolved once the tree's node records are all placed), and the pairs.
  type Leaf = { node: number; zero: number[] };
  const recOf = new Map<number, number>();
  const pairOf = new Map<number, number>();
  const pairs: Array<{ feat: number[]; leaves: Leaf[] }> = [];
  const pathFeat: number[] = [];
  const pathZero: number[] = [];
  const e = new Float64Array(26);
  const isLeaf = (node: number): boolean => model.mode[node] === NodeMode.LEAF;

  const visit = (node: number): void => {
    const f = model.feature[node];
    let b = pathFeat.indexOf(f);
    const isNew = b < 0;
    if (isNew) { b = pathFeat.length; pathFeat.push(f); pathZero.push(1); }
    recOf.set(node, rec.length);
    nodeId.push(node);
    nodeThreshold.push(model.threshold[node]);
    // children's records are known once the tree is walked: placeholders until then
    rec.push(0, f | (model.missingGoesTrue[node] === 1 ? MISSING_TRUE : 0), 1 << b, -1, -1);
    const saved = pathZero[b];
    const children = [model.trueChild[node], model.falseChild[node]];
    // Two leaf children share their path's features: one pair. A lone leaf child gets a pair of its own.
    const twig = isLeaf(children[0]) && isLeaf(children[1]);
    if (twig) pairs.push({ feat: pathFeat.slice(), leaves: [] });
    for (const child of children) {
      pathZero[b] = (saved * cover[child]) / cover[node];
      if (!isLeaf(child)) { visit(child); continue; }
      if (!twig) pairs.push({ feat: pathFeat.slice(), leaves: [] });
      const pair = pairs[pairs.length - 1];
      pairOf.set(child, 2 * (pairs.length - 1) + pair.leaves.length);
      pair.leaves.push({ node: child, zero: pathZero.slice() });
    }
    pathZero[b] = saved;
    if (isNew) { pathFeat.pop(); pathZero.pop(); }
  };

  const accStart = nF;
  const accLength = model.nTargets * (nF + 1) + PAD_SINKS;
  for (let t = 0; t < trees.length; t++) {
    const firstRec = rec.length;
    recOf.clear();
    pairOf.clear();
    pairs.length = 0;
    if (!isLeaf(trees[t])) visit(trees[t]);
    let maxD = 0;
    for (const p of pairs) maxD = Math.max(maxD, p.feat.length);
    const w = widthOf(maxD);
    const leafRec0 = rec.length;
    const recOfNode = (node: number): number => {
      if (!isLeaf(node)) return recOf.get(node) as number;
      const q = pairOf.get(node) as number; // 2·pair + half
      return leafRec0 + (q >> 1) * (PAIR_REC + w) + (q & 1);
    };
    for (let r = firstRec; r < leafRec0; r += NODE_REC) {
      const node = nodeId[treeNode[t] + (r - firstRec) / NODE_REC];
      rec[r + 3] = recOfNode(model.trueChild[node]);
      rec[r + 4] = recOfNode(model.falseChild[node]);
    }
    // The stand-in second leaf of lone leaves: factors 0 and the table [0].
    for (let q = 0; q <= 2 * w; q++) leafData.push(0);
    const standIn = leafData.length - 1;
    for (let j = 0; j < pairs.length; j++) {
      const { feat, leaves } = pairs[j];
      const d = feat.length;
      const bases = [standIn, standIn];
      leaves.forEach(({ node, zero }, h) => {
        for (let b = 0; b < w; b++) {
          if (b < d) leafData.push(-1, (1 - zero[b]) / zero[b]);
          else leafData.push(0, 0);
        }
        bases[h] = leafData.length;
        const table = new Float64Array(1 << d);
        fillLeafTable(table, 0, d, zero, e);
        // Single target: fold the leaf value into its table (T → v·T), one multiply less per term.
        const v = oneTarget ? model.leafValue[node] : 1;
        for (let P = 0; P < table.length; P++) leafData.push(table[P] * v);
      });
      rec.push(0, 0, (1 << d) - 1, bases[0], bases[1]);
      for (let b = 0; b < w; b++) rec.push(accStart + (b < d ? feat[b] : nF + (j % PAD_SINKS)));
      leafNode.push(leaves[0].node, leaves.length > 1 ? leaves[1].node : leaves[0].node);
    }
    treeLeafRec.push(leafRec0);
    treeRec.push(rec.length);
    treeNode.push(nodeId.length);
    treePair.push(leafNode.length / 2);
    treeWidth.push(w);
  }
  // Leaf positions were counted from the start of the leaf numbers; the row, the sums and
  // the thresholds come before them.
  const thresholdStart = accStart + accLength;
  const leafStart = thresholdStart + nodeThreshold.length;
  const data = new Float64Array(leafStart + leafData.length);
  data.set(nodeThreshold, thresholdStart);
  data.set(leafData, leafStart);
  for (let t = 0; t < trees.length; t++) {
    const w = treeWidth[t];
    for (let r = treeLeafRec[t]; r < treeRec[t + 1]; r += PAIR_REC + w) { rec[r + 3] += leafStart; rec[r + 4] += leafStart; }
  }
  return {
    comparison: uniformComparison(model, Int32Array.from(nodeId)),
    treeRec: Int32Array.from(treeRec), treeLeafRec: Int32Array.from(treeLeafRec), treeNode: Int32Array.from(treeNode),
    treePair: Int32Array.from(treePair), treeWidth: Int32Array.from(treeWidth), leafNode: Int32Array.from(leafNode),
    rec: Int32Array.from(rec), data, accStart, thresholdStart, nodeId: Int32Array.from(nodeId),
  };
}

/** LT or LEQ when every one of `nodes` splits so (xgboost, lightgbm), else GENERAL. */
function uniformComparison(model: TreeEnsembleArrays, nodes: Int32Array): number {
  if (nodes.length === 0) return FastComparison.GENERAL;
  const first = model.mode[nodes[0]];
  for (let k = 1; k < nodes.length; k++) if (model.mode[nodes[k]] !== first) return FastComparison.GENERAL;
  if (first === NodeMode.BRANCH_LT) return FastComparison.LT;
  if (first === NodeMode.BRANCH_LEQ) return FastComparison.LEQ;
  return FastComparison.GENERAL;
}

/**
 * Fills `T(P)` for the 2^d patterns P of one leaf (see {@link FastTreeShap}):
 * `T(P) = Π_{j∉P} z_j Σ_{k=0}^{|P|} w(k, d) e_{|P|−k}(z_P)`, with `w(k, d) =
 * k!(d−k−1)!/d!` for k < d; T(D) is never read (it would need w(d, d)) and is left 0.
 */
function fillLeafTable(table: Float64Array, start: number, d: number, z: ArrayLike<number>, e: Float64Array): void {
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
 * Memory of one tree in a {@link FastTreeShapLayout}, or -1 when the tree is not
 * eligible: a leaf path with more than `maxPathFeatures` unique features, a child with
 * zero cover (zero fraction 0), or more features than a record's feature word holds.
 * `out[0]` = doubles of its tables T (what `maxTableBytes` budgets), `out[1]` at most
 * the doubles of its slot factors plus the ints of its records (2w + 5 + w per leaf,
 * 5 per node; leaf pairs share a record).
 *
 * @example
 * fastTreeShapTableSize(model, model.treeRoot[0], 12, out) // 0 (eligible); out = [1736, 1191] for the Taiwan bundle's first tree
 */
export function fastTreeShapTableSize(model: TreeEnsembleArrays, root: number, maxPathFeatures: number, out: Float64Array): number {
  out[0] = 0;
  out[1] = 0;
  if (model.nFeatures + PAD_SINKS >= MISSING_TRUE) return -1;
  const cover = model.cover as Float64Array;
  const path: number[] = [];
  let ok = true;
  let maxD = 0;
  let nLeaves = 0;
  let nInner = 0;
  const walk = (node: number): void => {
    if (!ok) return;
    if (model.mode[node] === NodeMode.LEAF) {
      out[0] += 2 ** path.length;
      maxD = Math.max(maxD, path.length);
      nLeaves++;
      return;
    }
    nInner++;
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
  const w = widthOf(maxD);
  out[1] = 2 * w * (nLeaves + 1) + NODE_REC * nInner + (PAIR_REC + w) * nLeaves;
  return ok ? 0 : -1;
}
