import { describe, expect, it } from 'vitest';
import type { BatchPredict } from './batch-predict';
import { combineEnsembleAttributions } from './ensemble-attribution';
import { createKernelExplainer } from './kernel-explainer';
import { createSeededRandom } from './seeded-random';
import { createTreeExplainer } from './tree-explainer';
import { margin, randomEnsemble, randomRow } from '../../test/fixtures/attribution/random-trees';

describe('combineEnsembleAttributions', () => {
  it('tree member (TreeSHAP) + MLP member (exact KernelSHAP) sum to the ensemble logit', async () => {
    const M = 8;
    const trees = randomEnsemble({ seed: 31, nFeatures: M, nTrees: 5, maxDepth: 4 });
    const rng = createSeededRandom(32);
    const W = Float64Array.from({ length: M }, () => rng.nextNormal());
    const mlp = (x: ArrayLike<number>, o = 0) => {
      let s = 0;
      for (let i = 0; i < M; i++) s += W[i] * Math.tanh(x[o + i] - 2);
      return s + 0.2 * x[o] * x[o + 3];
    };
    const predict: BatchPredict = async (rows, n) => Float64Array.from({ length: n }, (_, r) => mlp(rows, r * M));
    const nBg = 4;
    const bg = new Float32Array(nBg * M);
    for (let b = 0; b < nBg; b++) bg.set(randomRow(rng, M, 0).map(Math.fround), b * M);
    const treeEx = createTreeExplainer(trees);
    const kernel = createKernelExplainer({ predict, nFeatures: M, background: bg, nBackground: nBg });
    const weights = [0.6, 0.4];
    const bias = -0.3;
    const out = new Float64Array(M + 1);
    const tPhi = new Float64Array(M + 1);
    for (let r = 0; r < 5; r++) {
      const x = Float32Array.from(randomRow(rng, M, 0)); // the MLP takes no NaN
      treeEx.explainRow(x, tPhi);
      const kPhi = await kernel.explain(x);
      combineEnsembleAttributions([tPhi, kPhi], weights, bias, out);
      const logit = bias + weights[0] * margin(trees, x) + weights[1] * mlp(x);
      let sum = 0;
      for (let i = 0; i <= M; i++) sum += out[i];
      expect(Math.abs(sum - logit)).toBeLessThan(1e-5);
      expect(out[M]).toBeCloseTo(bias + weights[0] * tPhi[M] + weights[1] * kPhi[M], 12);
      expect(out[2]).toBeCloseTo(weights[0] * tPhi[2] + weights[1] * kPhi[2], 12);
    }
  });

  it('rejects members of the wrong length with the member index in the path', () => {
    expect(() => combineEnsembleAttributions([new Float64Array(3), new Float64Array(2)], [1, 1], 0, new Float64Array(3)))
      .toThrow(expect.objectContaining({ code: 'invalid_argument', path: ['members', 1] }));
  });
});
