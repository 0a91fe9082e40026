import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExplainError } from '../errors';
import { createSeededRandom } from './seeded-random';
import { createTreeExplainer } from './tree-explainer';
import { createTreeInteractionExplainer } from './tree-interaction-explainer';
import { NodeMode } from './tree-ensemble-arrays';
import { bruteForceInteractions, margin, pathDependentValue, randomEnsemble, randomRow } from '../../test/fixtures/attribution/random-trees';

describe('createTreeInteractionExplainer (SHAP interaction values)', () => {
  const cases = [
    { name: 'all modes, 7 features', seed: 11, nFeatures: 7, nTrees: 4, maxDepth: 6 },
    { name: 'BRANCH_LT only, features repeated on paths', seed: 12, nFeatures: 3, nTrees: 5, maxDepth: 7, modes: [NodeMode.BRANCH_LT] },
    { name: 'covers not summing exactly', seed: 13, nFeatures: 6, nTrees: 3, maxDepth: 5, exactCoverSums: false },
    { name: 'two targets', seed: 14, nFeatures: 5, nTrees: 3, maxDepth: 4, nTargets: 2 },
    { name: 'stumps (no interactions possible)', seed: 15, nFeatures: 3, nTrees: 6, maxDepth: 1, modes: [NodeMode.BRANCH_LT] },
  ];
  for (const c of cases) {
    it(`equals the Shapley interaction index by subset enumeration: ${c.name}`, () => {
      const model = randomEnsemble({ ...c });
      const nT = c.nTargets ?? 1;
      const F1 = c.nFeatures + 1;
      const ix = createTreeInteractionExplainer(model);
      const out = new Float64Array(ix.outputLength);
      const rng = createSeededRandom(200 + c.seed);
      let offDiagonal = 0;
      for (let r = 0; r < 10; r++) {
        const x = randomRow(rng, c.nFeatures, r === 0 ? 1 : 0.25);
        ix.explainRow(x, out);
        for (let k = 0; k < nT; k++) {
          const ref = bruteForceInteractions(c.nFeatures, (mask) => pathDependentValue(model, x, (f) => ((mask >> f) & 1) === 1, k));
          for (let a = 0; a < F1 * F1; a++) {
            expect(Math.abs(out[k * F1 * F1 + a] - ref[a])).toBeLessThan(1e-9);
            if (a % F1 !== Math.floor(a / F1)) offDiagonal = Math.max(offDiagonal, Math.abs(ref[a]));
          }
        }
      }
      // The cases with depth > 1 really have interactions; stumps have none.
      if (c.maxDepth > 1) expect(offDiagonal).toBeGreaterThan(1e-3);
      else expect(offDiagonal).toBeLessThan(1e-12);
    });
  }

  it('is symmetric, its rows sum to the SHAP values and its total to the margin (property)', () => {
    const model = randomEnsemble({ seed: 21, nFeatures: 9, nTrees: 8, maxDepth: 6 });
    const ix = createTreeInteractionExplainer(model);
    const shap = createTreeExplainer(model);
    const F1 = 10;
    const out = new Float64Array(ix.outputLength);
    const phi = new Float64Array(shap.outputLength);
    fc.assert(fc.property(fc.array(fc.oneof(fc.constant(NaN), fc.integer({ min: -1, max: 6 }).map((v) => v / 2)), { minLength: 9, maxLength: 9 }), (cells) => {
      const x = Float64Array.from(cells);
      ix.explainRow(x, out);
      shap.explainRow(x, phi);
      let total = 0;
      for (let i = 0; i < F1; i++) {
        let rowSum = 0;
        for (let j = 0; j < F1; j++) {
          expect(Math.abs(out[i * F1 + j] - out[j * F1 + i])).toBeLessThan(1e-9);
          rowSum += out[i * F1 + j];
        }
        expect(Math.abs(rowSum - phi[i])).toBeLessThan(1e-9);
        total += rowSum;
      }
      expect(Math.abs(total - margin(model, x))).toBeLessThan(1e-9);
    }), { numRuns: 200 });
  });

  it('explainBatch equals explainRow row by row; bad input is a typed error', () => {
    const model = randomEnsemble({ seed: 22, nFeatures: 4, nTrees: 3, maxDepth: 4 });
    const ix = createTreeInteractionExplainer(model);
    const rng = createSeededRandom(3);
    const rows = new Float32Array(5 * 4);
    for (let r = 0; r < 5; r++) rows.set(randomRow(rng, 4, 0.2), r * 4);
    const batch = ix.explainBatch(rows, 5);
    const one = new Float64Array(ix.outputLength);
    for (let r = 0; r < 5; r++) {
      ix.explainRow(rows.subarray(r * 4, r * 4 + 4), one);
      expect(Array.from(batch.subarray(r * ix.outputLength, (r + 1) * ix.outputLength))).toEqual(Array.from(one));
    }
    expect(() => ix.explainRow(new Float64Array(3), one)).toThrow(ExplainError);
    expect(() => ix.explainRow(new Float64Array([1, Infinity, 0, 0]), one)).toThrow(/column 1 is Infinity/);
    expect(() => ix.explainBatch(rows, 4)).toThrow(ExplainError);
    expect(() => createTreeInteractionExplainer({ ...model, cover: null })).toThrow(ExplainError);
  });
});
