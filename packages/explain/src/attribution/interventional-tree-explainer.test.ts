import { describe, expect, it } from 'vitest';
import { ExplainError } from '../errors';
import { createInterventionalTreeExplainer } from './interventional-tree-explainer';
import { createSeededRandom } from './seeded-random';
import { bruteForceShapley, margin, randomEnsemble, randomRow } from '../../test/fixtures/attribution/random-trees';

describe('createInterventionalTreeExplainer', () => {
  for (const c of [
    { seed: 21, nFeatures: 10, nTrees: 4, maxDepth: 5, nBg: 6, nTargets: 1 },
    { seed: 22, nFeatures: 4, nTrees: 6, maxDepth: 6, nBg: 9, nTargets: 1 }, // many repeated features per path
    { seed: 23, nFeatures: 7, nTrees: 3, maxDepth: 4, nBg: 4, nTargets: 3 },
  ]) {
    it(`equals brute-force interventional Shapley values (${c.nFeatures} features, ${c.nTargets} target(s), no cover)`, () => {
      const model = randomEnsemble({ ...c, withCover: false });
      const rng = createSeededRandom(c.seed * 7);
      const bg = new Float64Array(c.nBg * c.nFeatures);
      for (let b = 0; b < c.nBg; b++) bg.set(randomRow(rng, c.nFeatures, 0.2), b * c.nFeatures);
      const ex = createInterventionalTreeExplainer(model, bg, c.nBg);
      const out = new Float64Array(ex.outputLength);
      const mixed = new Float64Array(c.nFeatures);
      for (let r = 0; r < 6; r++) {
        const x = randomRow(rng, c.nFeatures, r === 0 ? 1 : 0.2);
        ex.explainRow(x, out);
        for (let k = 0; k < c.nTargets; k++) {
          const ref = bruteForceShapley(c.nFeatures, (mask) => {
            let s = 0;
            for (let b = 0; b < c.nBg; b++) {
              for (let i = 0; i < c.nFeatures; i++) mixed[i] = (mask >> i) & 1 ? x[i] : bg[b * c.nFeatures + i];
              s += margin(model, mixed, k);
            }
            return s / c.nBg;
          });
          let sum = 0;
          for (let i = 0; i <= c.nFeatures; i++) {
            expect(Math.abs(out[k * (c.nFeatures + 1) + i] - ref[i])).toBeLessThan(1e-6);
            sum += out[k * (c.nFeatures + 1) + i];
          }
          expect(Math.abs(sum - margin(model, x, k))).toBeLessThan(1e-9);
        }
      }
    });
  }

  it('rejects a background of the wrong size with a typed error', () => {
    const model = randomEnsemble({ seed: 1, nFeatures: 3, nTrees: 1, maxDepth: 2 });
    try {
      createInterventionalTreeExplainer(model, new Float64Array(5), 2);
      expect.unreachable();
    } catch (e) {
      expect(ExplainError.isInstance(e) && e.code === 'invalid_argument' && e.path[0] === 'background').toBe(true);
    }
  });
});
