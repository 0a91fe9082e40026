import { NodeMode, type TreeEnsembleArrays } from './tree-ensemble-arrays';

/**
 * Slots per leaf group of the unrolled leaf body of {@link FastTreeShap}: xgboost's
 * default `max_depth` is 6, so most paths have at most 6 unique features.
 */
export const UNROLLED_WIDTH = 6;
/** Ints of an internal node's record: mask, feature word, bit, true child's mask, false child's mask. */
export const NODE_REC = 5;
/** Ints of a leaf group's record before its slot features (both formats). */
export const GROUP_REC = 5;
/**
 * Slot features of a PAIR_TABLES record: the slots b < p, p = d − 1 ≤ 5 (slot p is
 * handled apart; see {@link FastTreeShap}).
 */
export const PAIR_SLOTS = UNROLLED_WIDTH - 1;
/** Bit 30 of a node's feature word: a NaN goes to the true child. */
export const MISSING_TRUE = 1 << 30;
/**
 * Scratch positions past the features that padding slots write to, spread over the
 * groups so that their additions do not form one long chain through one address.
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
 * children), then those of its leaves in groups of one or two, in depth-first order
 * (PAIR_TABLES: ordered by p, largest first).
 * An internal node, {@link NODE_REC} ints: `[mask, feature | missing, 1 << b, true
 * child, false child]`, the mask filled per row by the parent, the feature word with
 * {@link MISSING_TRUE} set when a NaN goes to the true child, b the index of the node's
 * feature among the unique features of its path, and each child as the position of its
 * mask in `rec`. A leaf group, {@link GROUP_REC} ints and then its slot features: the
 * d unique path features in the order the path meets them (f_0 is the root's), then
 * padding slots at one of the {@link PAD_SINKS} scratch positions past the features.
 * Slot features are stored as positions in `data` (`accStart + f`).
 *
 * Format {@link GroupFormat.PAIR_TABLES} (one target, one inlined comparison, paths of
 * at most 6 unique features: xgboost's default). A group is the two leaf children of a
 * node whose feature is new on the path (so it is the path's last unique feature, bit
 * p = d − 1); that node gets no record of its own, its decision is made in the group's
 * body. Any other leaf is a group of one (p = d − 1 too) under a virtual parent that
 * always goes to its true child. Record: `[mask at the parent, parent's feature word,
 * p, numbers, position of f_p]` and {@link PAIR_SLOTS} slot features (slots b < p);
 * a virtual parent's feature word points at a constant −∞, its threshold is +∞. In
 * `data`, the groups' parent thresholds in group order (a region read in sequence), and
 * at `numbers` − 13: δ_0, δ_1, δ_2, then the factors F_b[0], F_b[1] of the 5 slots
 * (`[−1, (1 − z_b)/z_b]` for b < p, `[0, 0]` from p on), then at `numbers` the tables G,
 * C_0, C_1 and (two leaves) C_2 of 2^p entries each; see {@link FastTreeShap}.
 *
 * Format {@link GroupFormat.LEAF_TABLES} (several targets, the general comparison, or
 * wider paths): a group is the two leaf children of any node, or one leaf; the record
 * is `[mask₁, mask₂ (0 for a group of one), (1 << d) − 1, table₁, table₂]` and w slot
 * features; each leaf's numbers are its factors `[−1, (1 − z_b)/z_b]` per slot (0, 0 for
 * padding) followed, at its "table" position, by T(P) for its 2^d patterns P (times the
 * leaf value when there is one target). A group of one points its second table at the
 * tree's stand-in: factors and table 0.
 *
 * `data`, in this order: the row (nFeatures doubles, per row), the sums
 * (`nTargets·(nFeatures+1)` plus {@link PAD_SINKS}, per row; target k, feature f at
 * `accStart + k·(nFeatures+1) + f`), the constant −∞, every internal node's threshold
 * in record order, every group's parent threshold, then the leaves' numbers, tree after
 * tree.
 */
export interface FastTreeShapLayout {
  /** {@link FastComparison}: LT or LEQ when every split of these trees is that mode, else GENERAL. */
  readonly comparison: number;
  /** Per tree (length nTrees + 1): where its node records and its group records begin, its first internal node (threshold) and its first group. */
  readonly treeRec: Int32Array;
  readonly treeLeafRec: Int32Array;
  readonly treeNode: Int32Array;
  readonly treeGroup: Int32Array;
  /** Per tree: w, the most unique features on one of its paths, or {@link UNROLLED_WIDTH} when that is at most UNROLLED_WIDTH (LEAF_TABLES: slots per group). */
  readonly treeWidth: Int32Array;
  /** Per tree: its {@link GroupFormat}. */
  readonly treeFormat: Int32Array;
  /** Per group, two entries: its leaves' nodes in the model (several targets read their values; a group of one repeats its leaf). */
  readonly leafNode: Int32Array;
  readonly rec: Int32Array;
  readonly data: Float64Array;
  /** Where the sums, the internal nodes' thresholds and the groups' (parents') thresholds start in `data`. */
  readonly accStart: number;
  readonly thresholdStart: number;
  readonly groupThresholdStart: number;
  /** Per internal node, in record order: its index in the model (the general comparison). */
  readonly nodeId: Int32Array;
}

/** How a tree's leaf groups are stored; see {@link FastTreeShapLayout}. */
export const GroupFormat = { PAIR_TABLES: 0, LEAF_TABLES: 1 } as const;

/** Slots per group for a tree whose longest path has `maxD` unique features. */
function widthOf(maxD: number): number {
  return maxD <= UNROLLED_WIDTH ? UNROLLED_WIDTH : maxD;
}

/** A leaf as the layout builder sees it: node, value and the zero fraction of each path feature. */
interface Leaf { node: number; value: number; zero: number[] }
/** One or two leaves with the same path features; `parent`: the node of two PAIR_TABLES siblings (its decision is made in the group's body), else −1. */
interface Group { feat: number[]; leaves: Leaf[]; parent: number }

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
  const comparison = uniformComparison(model, trees);
  const accStart = nF;
  const accLength = model.nTargets * (nF + 1) + PAD_SINKS;
  const minusInfinity = accStart + accLength; // a constant: the "feature" of a lone leaf's virtual parent
  const treeRec = [0], treeLeafRec: number[] = [], treeNode = [0], treeGroup = [0], treeWidth: number[] = [], treeFormat: number[] = [];
  const rec: number[] = [], leafData: number[] = [], nodeThreshold: number[] = [], nodeId: number[] = [], leafNode: number[] = [];
  const groupThreshold: number[] = [];
  // Positions in data of the leaves' numbers are counted from the start of the leaf
  // numbers until the regions before them are sized: the rec entries to shift.
  const leafRef: number[] = [];
  const recOf = new Map<number, number>(); // internal node → its record
  const maskOf = new Map<number, { group: Group; half: number }>(); // leaf or folded twig parent → its group's mask
  const groups: Group[] = [];
  const pathFeat: number[] = [];
  const pathZero: number[] = [];
  const isLeaf = (node: number): boolean => model.mode[node] === NodeMode.LEAF;
  const leafOf = (node: number): Leaf => ({ node, value: model.leafValue[node], zero: pathZero.slice() });
  const addGroup = (g: Group, keys: number[]): void => {
    keys.forEach((key, half) => maskOf.set(key, { group: g, half }));
    groups.push(g);
  };
  let format: number = GroupFormat.LEAF_TABLES;

  const visit = (node: number): void => {
    const f = model.feature[node];
    let b = pathFeat.indexOf(f);
    const isNew = b < 0;
    if (isNew) { b = pathFeat.length; pathFeat.push(f); pathZero.push(1); }
    const saved = pathZero[b];
    const children = [model.trueChild[node], model.falseChild[node]];
    const twig = isLeaf(children[0]) && isLeaf(children[1]);
    const leaves = (): Leaf[] => children.map((child) => {
      pathZero[b] = (saved * cover[child]) / cover[node];
      return leafOf(child);
    });
    if (twig && isNew && format === GroupFormat.PAIR_TABLES) {
      // The parent's decision goes into the pair's body (see FastTreeShap): no node record.
      addGroup({ feat: pathFeat.slice(), leaves: leaves(), parent: node }, [node]);
    } else {
      recOf.set(node, rec.length);
      nodeId.push(node);
      nodeThreshold.push(model.threshold[node]);
      // children's mask positions are known once the tree is walked: placeholders until then
      rec.push(0, f | (model.missingGoesTrue[node] === 1 ? MISSING_TRUE : 0), 1 << b, -1, -1);
      if (twig && format === GroupFormat.LEAF_TABLES) {
        addGroup({ feat: pathFeat.slice(), leaves: leaves(), parent: -1 }, children);
      } else {
        for (const child of children) {
          pathZero[b] = (saved * cover[child]) / cover[node];
          if (isLeaf(child)) addGroup({ feat: pathFeat.slice(), leaves: [leafOf(child)], parent: -1 }, [child]);
          else visit(child);
        }
      }
    }
    pathZero[b] = saved;
    if (isNew) { pathFeat.pop(); pathZero.pop(); }
  };

  for (let t = 0; t < trees.length; t++) {
    const firstRec = rec.length, firstNode = nodeId.length;
    recOf.clear();
    maskOf.clear();
    groups.length = 0;
    const w = widthOf(maxPathFeatures(model, trees[t]));
    // PAIR_TABLES: one target, paths of at most 6 unique features, an inlined comparison.
    format = oneTarget && w === UNROLLED_WIDTH && comparison !== FastComparison.GENERAL ? GroupFormat.PAIR_TABLES : GroupFormat.LEAF_TABLES;
    if (!isLeaf(trees[t])) visit(trees[t]);
    // PAIR_TABLES: groups by p, largest first, so that the body's tests of p for its last
    // slots change outcome at most twice per tree (well predicted).
    if (format === GroupFormat.PAIR_TABLES) groups.sort((x, y) => y.feat.length - x.feat.length);
    const indexOf = new Map(groups.map((g, j) => [g, j]));
    const leafRec0 = rec.length;
    const slots = format === GroupFormat.PAIR_TABLES ? PAIR_SLOTS : w;
    const childMask = (node: number): number => {
      const m = maskOf.get(node);
      return m ? leafRec0 + (indexOf.get(m.group) as number) * (GROUP_REC + slots) + m.half : (recOf.get(node) as number);
    };
    for (let k = firstNode; k < nodeId.length; k++) {
      const r = firstRec + (k - firstNode) * NODE_REC;
      rec[r + 3] = childMask(model.trueChild[nodeId[k]]);
      rec[r + 4] = childMask(model.falseChild[nodeId[k]]);
    }
    const standIn = format === GroupFormat.LEAF_TABLES ? pushStandIn(leafData, w) : -1;
    for (let j = 0; j < groups.length; j++) {
      const g = groups[j];
      const r = rec.length;
      if (format === GroupFormat.PAIR_TABLES) {
        const p = g.feat.length - 1;
        const parentWord = g.parent < 0 ? minusInfinity : model.feature[g.parent] | (model.missingGoesTrue[g.parent] === 1 ? MISSING_TRUE : 0);
        rec.push(0, parentWord, p, pushPairTables(leafData, g), accStart + g.feat[p]);
        leafRef.push(r + 3);
      } else {
        const bases = g.leaves.map((l) => pushLeafTable(leafData, g.feat.length, w, l, oneTarget));
        rec.push(0, 0, (1 << g.feat.length) - 1, bases[0], bases.length > 1 ? bases[1] : standIn);
        leafRef.push(r + 3, r + 4);
      }
      for (let b = 0; b < slots; b++) rec.push(accStart + (b < g.feat.length ? g.feat[b] : nF + (j % PAD_SINKS)));
      leafNode.push(g.leaves[0].node, g.leaves[g.leaves.length - 1].node);
      groupThreshold.push(g.parent < 0 ? Infinity : model.threshold[g.parent]);
    }
    treeLeafRec.push(leafRec0);
    treeRec.push(rec.length);
    treeNode.push(nodeId.length);
    treeGroup.push(leafNode.length / 2);
    treeWidth.push(w);
    treeFormat.push(format);
  }
  // The row, the sums, the constant −∞ and the thresholds come before the leaves' numbers.
  const thresholdStart = minusInfinity + 1;
  const groupThresholdStart = thresholdStart + nodeThreshold.length;
  const leafStart = groupThresholdStart + groupThreshold.length;
  const data = new Float64Array(leafStart + leafData.length);
  data[minusInfinity] = -Infinity;
  data.set(nodeThreshold, thresholdStart);
  data.set(groupThreshold, groupThresholdStart);
  data.set(leafData, leafStart);
  for (const r of leafRef) rec[r] += leafStart;
  return {
    comparison,
    treeRec: Int32Array.from(treeRec), treeLeafRec: Int32Array.from(treeLeafRec), treeNode: Int32Array.from(treeNode),
    treeGroup: Int32Array.from(treeGroup), treeWidth: Int32Array.from(treeWidth), treeFormat: Int32Array.from(treeFormat),
    leafNode: Int32Array.from(leafNode), rec: Int32Array.from(rec), data, accStart, thresholdStart, groupThresholdStart, nodeId: Int32Array.from(nodeId),
  };
}

/** The most unique features on one root-to-leaf path of the tree at `root`. */
function maxPathFeatures(model: TreeEnsembleArrays, root: number): number {
  const path: number[] = [];
  const walk = (node: number): number => {
    if (model.mode[node] === NodeMode.LEAF) return path.length;
    const isNew = !path.includes(model.feature[node]);
    if (isNew) path.push(model.feature[node]);
    const d = Math.max(walk(model.trueChild[node]), walk(model.falseChild[node]));
    if (isNew) path.pop();
    return d;
  };
  return walk(root);
}

/** LEAF_TABLES: the stand-in second leaf of a group of one (factors 0, table [0]); returns its table position. */
function pushStandIn(out: number[], w: number): number {
  for (let q = 0; q <= 2 * w; q++) out.push(0);
  return out.length - 1;
}

/** LEAF_TABLES: one leaf's factors and table T (times v with one target); returns the table's position. */
function pushLeafTable(out: number[], d: number, w: number, leaf: Leaf, oneTarget: boolean): number {
  for (let b = 0; b < w; b++) {
    if (b < d) out.push(-1, (1 - leaf.zero[b]) / leaf.zero[b]);
    else out.push(0, 0);
  }
  const at = out.length;
  const table = leafTable(d, leaf.zero);
  const v = oneTarget ? leaf.value : 1;
  for (let P = 0; P < table.length; P++) out.push(table[P] * v);
  return at;
}

/**
 * PAIR_TABLES: the numbers of a group (see {@link FastTreeShap} for the maths): δ_s,
 * the shared slot factors, then G, C_0, C_1 and, for two leaves, C_2; returns the
 * position of G. Leaf values are folded in.
 */
function pushPairTables(out: number[], g: Group): number {
  const d = g.feat.length;
  const p = d - 1;
  const n = 1 << p;
  const [a, b] = g.leaves;
  const Ta = leafTable(d, a.zero);
  const Tb = b ? leafTable(d, b.zero) : null;
  const va = a.value, vb = b ? b.value : 0;
  // z of the two leaves differ only at p (their parent's feature); the factors of the
  // other slots are shared.
  if (b) {
    const beta = va * a.zero[p] + vb * b.zero[p];
    out.push(-beta, va - beta, vb - beta);
  } else {
    out.push(-1, (1 - a.zero[p]) / a.zero[p], 0);
  }
  for (let s = 0; s < PAIR_SLOTS; s++) {
    if (s < p) out.push(-1, (1 - a.zero[s]) / a.zero[s]);
    else out.push(0, 0);
  }
  const at = out.length;
  // G(x) = T(x) with z_p = 1 (the part of T that both leaves share); a lone leaf uses
  // its own v·T(x) there instead (δ then holds its own slot-p factors).
  const G = b ? leafTable(d, a.zero.map((z, j) => (j === p ? 1 : z))) : null;
  const vT = (T: Float64Array | null, v: number, P: number): number => (T ? v * T[P] : 0);
  for (let x = 0; x < n; x++) out.push(G ? G[x] : vT(Ta, va, x));
  for (let x = 0; x < n; x++) out.push(vT(Ta, va, x) + vT(Tb, vb, x)); // C_0: neither leaf keeps bit p
  for (let x = 0; x < n; x++) out.push(vT(Ta, va, x | n) + vT(Tb, vb, x)); // C_1: the first leaf does
  if (b) for (let x = 0; x < n; x++) out.push(vT(Ta, va, x) + vT(Tb, vb, x | n)); // C_2: the second does
  return at;
}

/** T(P) of a leaf with zero fractions `zero` for its 2^d patterns (see {@link fillLeafTable}). */
function leafTable(d: number, zero: ArrayLike<number>): Float64Array {
  const t = new Float64Array(1 << d);
  fillLeafTable(t, 0, d, zero, new Float64Array(d + 2));
  return t;
}

/** LT or LEQ when every split of the trees at `roots` is that mode (xgboost, lightgbm), else GENERAL. */
function uniformComparison(model: TreeEnsembleArrays, roots: Int32Array): number {
  let mode = -1;
  const stack = Array.from(roots);
  while (stack.length > 0) {
    const node = stack.pop() as number;
    if (model.mode[node] === NodeMode.LEAF) continue;
    if (mode === -1) mode = model.mode[node];
    else if (model.mode[node] !== mode) return FastComparison.GENERAL;
    stack.push(model.trueChild[node], model.falseChild[node]);
  }
  if (mode === NodeMode.BRANCH_LT) return FastComparison.LT;
  if (mode === NodeMode.BRANCH_LEQ) return FastComparison.LEQ;
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
  out[1] = 2 * w * (nLeaves + 1) + NODE_REC * nInner + (GROUP_REC + w) * nLeaves;
  return ok ? 0 : -1;
}
