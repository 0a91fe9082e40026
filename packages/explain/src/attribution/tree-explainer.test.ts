import { describe, expect, it } from 'vitest';
import { ExplainError } from '../errors';
import { createSeededRandom } from './seeded-random';
import { createTreeExplainer } from './tree-explainer';
import { NodeMode } from './tree-ensemble-arrays';
import { bruteForceShapley, margin, pathDependentValue, randomEnsemble, randomRow } from '../../test/fixtures/attribution/random-trees';

describe('createTreeExplainer (path-dependent TreeSHAP)', () => {
  const cases = [
    { name: 'all modes, 10 features', seed: 1, nFeatures: 10, nTrees: 4, maxDepth: 6 },
    { name: 'BRANCH_LT only, repeated features on paths', seed: 2, nFeatures: 3, nTrees: 5, maxDepth: 7, modes: [NodeMode.BRANCH_LT] },
    { name: 'covers not summing exactly (float32 hessians)', seed: 3, nFeatures: 8, nTrees: 3, maxDepth: 5, exactCoverSums: false },
    { name: 'two targets', seed: 4, nFeatures: 6, nTrees: 3, maxDepth: 4, nTargets: 2 },
    // One target, one comparison, paths of <= 6 features: the pair-table layout, where a
    // node with two leaf children decides inside its leaves' body (x == t is frequent on the grid).
    { name: 'BRANCH_LEQ only, depth 6 (pair tables)', seed: 5, nFeatures: 8, nTrees: 6, maxDepth: 6, modes: [NodeMode.BRANCH_LEQ] },
    { name: 'stumps: every root has two leaf children', seed: 6, nFeatures: 3, nTrees: 6, maxDepth: 1, modes: [NodeMode.BRANCH_LT] },
  ];
  for (const c of cases) {
    it(`equals brute-force Shapley values of E[f(x)|x_S] and is additive: ${c.name}`, () => {
      const model = randomEnsemble({ ...c });
      const nT = c.nTargets ?? 1;
      const exact = createTreeExplainer(model, { algorithm: 'exact' });
      const fast = createTreeExplainer(model, { algorithm: 'fast' });
      expect(exact.plan).toMatchObject({ fastTrees: 0, exactTrees: c.nTrees });
      expect(fast.plan).toMatchObject({ fastTrees: c.nTrees, exactTrees: 0 });
      const rng = createSeededRandom(100 + c.seed);
      const a = new Float64Array(exact.outputLength);
      const b = new Float64Array(fast.outputLength);
      for (let r = 0; r < 12; r++) {
        const x = randomRow(rng, c.nFeatures, r === 0 ? 1 : 0.25); // row 0 all missing
        exact.explainRow(x, a);
        fast.explainRow(x, b);
        for (let k = 0; k < nT; k++) {
          const ref = bruteForceShapley(c.nFeatures, (mask) => pathDependentValue(model, x, (f) => ((mask >> f) & 1) === 1, k));
          const off = k * (c.nFeatures + 1);
          let sum = 0;
          for (let i = 0; i <= c.nFeatures; i++) {
            expect(a[off + i]).toBeCloseTo(ref[i], 9);
            expect(b[off + i]).toBeCloseTo(ref[i], 9);
            sum += a[off + i];
          }
          expect(Math.abs(sum - margin(model, x, k))).toBeLessThan(1e-9);
        }
      }
    });
  }

  it('auto falls back to Algorithm 2 for trees over the path or memory bound, with the same values', () => {
    const model = randomEnsemble({ seed: 9, nFeatures: 9, nTrees: 6, maxDepth: 8, leafProb: 0.1 });
    const exact = createTreeExplainer(model, { algorithm: 'exact' });
    const capped = createTreeExplainer(model, { maxPathFeatures: 5 });
    const budget = createTreeExplainer(model, { maxTableBytes: 20_000 });
    expect(capped.plan.exactTrees).toBeGreaterThan(0);
    expect(budget.plan.exactTrees).toBeGreaterThan(0);
    expect(budget.plan.fastTrees).toBeGreaterThan(0);
    expect(budget.plan.tableBytes).toBeLessThanOrEqual(20_000);
    expect(() => createTreeExplainer(model, { algorithm: 'fast', maxPathFeatures: 5 })).toThrow(ExplainError);
    const rng = createSeededRandom(5);
    const rows = new Float64Array(20 * 9);
    for (let r = 0; r < 20; r++) rows.set(randomRow(rng, 9, 0.2), r * 9);
    const e = exact.explainBatch(rows, 20);
    for (const other of [capped, budget]) {
      const o = other.explainBatch(rows, 20);
      for (let i = 0; i < e.length; i++) expect(Math.abs(o[i] - e[i])).toBeLessThan(1e-12);
    }
    // batch = row by row
    const one = new Float64Array(exact.outputLength);
    exact.explainRow(rows.subarray(27, 36), one);
    expect(Array.from(e.subarray(3 * 10, 4 * 10))).toEqual(Array.from(one));
  });

  it('a leaf with zero cover: auto leaves that tree to Algorithm 2, values still exact', () => {
    const model = randomEnsemble({ seed: 12, nFeatures: 6, nTrees: 3, maxDepth: 4, leafProb: 0 });
    const cover = Float64Array.from(model.cover!);
    // a leaf of tree 1 that nobody in training reached
    let n = model.treeRoot[1];
    while (model.mode[n] !== NodeMode.LEAF) n = model.falseChild[n];
    cover[n] = 0;
    const zeroLeaf = { ...model, cover };
    const ex = createTreeExplainer(zeroLeaf);
    expect(ex.plan).toMatchObject({ fastTrees: 2, exactTrees: 1 });
    const rng = createSeededRandom(13);
    const out = new Float64Array(7);
    for (let r = 0; r < 8; r++) {
      const x = randomRow(rng, 6, 0.2);
      ex.explainRow(x, out);
      const ref = bruteForceShapley(6, (mask) => pathDependentValue(zeroLeaf, x, (f) => ((mask >> f) & 1) === 1));
      for (let i = 0; i <= 6; i++) expect(out[i]).toBeCloseTo(ref[i], 9);
    }
  });

  it('rejects bad input with typed errors and leaves out untouched', () => {
    const model = randomEnsemble({ seed: 11, nFeatures: 4, nTrees: 2, maxDepth: 3 });
    const ex = createTreeExplainer(model);
    const out = new Float64Array(5).fill(7);
    const err = (f: () => unknown) => { try { f(); } catch (e) { return e; } return null; };
    const e1 = err(() => ex.explainRow(new Float32Array(3), out)) as ExplainError;
    expect(ExplainError.isInstance(e1)).toBe(true);
    expect(e1.code).toBe('invalid_argument');
    expect(e1.path).toEqual(['row']);
    expect(Array.from(out)).toEqual([7, 7, 7, 7, 7]);
    expect((err(() => ex.explainRow(new Float32Array(4), new Float64Array(4))) as ExplainError).path).toEqual(['out']);
    expect((err(() => ex.explainBatch(new Float32Array(7), 2)) as ExplainError).path).toEqual(['rows']);
    const noCover = err(() => createTreeExplainer({ ...model, cover: null })) as ExplainError;
    expect(noCover.code).toBe('unsupported_model');
    const badChild = Int32Array.from(model.trueChild);
    badChild[model.treeRoot[0]] = 999;
    expect((err(() => createTreeExplainer({ ...model, trueChild: badChild })) as ExplainError).path).toEqual(['trueChild', model.treeRoot[0]]);
    const cyc = Int32Array.from(model.trueChild);
    cyc[model.trueChild[model.treeRoot[0]]] = model.treeRoot[0];
    const cycMode = Uint8Array.from(model.mode);
    cycMode[model.trueChild[model.treeRoot[0]]] = NodeMode.BRANCH_LT;
    expect((err(() => createTreeExplainer({ ...model, trueChild: cyc, mode: cycMode })) as ExplainError).code).toBe('invalid_argument');
    const zeroCover = Float64Array.from(model.cover!);
    zeroCover[model.treeRoot[1]] = 0;
    expect((err(() => createTreeExplainer({ ...model, cover: zeroCover })) as ExplainError).path).toEqual(['cover', model.treeRoot[1]]);
  });
});
