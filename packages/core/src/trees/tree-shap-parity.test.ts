/**
 * TreeSHAP parity with xgboost's C++ `pred_contribs`: core's xgboost JSON reader gives
 * the arrays, explain's TreeSHAP explains them, and both must agree with what
 * xgboost 1.7.4 computed for the same rows (goldens made by
 * packages/explain/test/fixtures/attribution/make_xgb_goldens.py; rows carry NaNs,
 * the first is all-missing, base_score = 0.3). Interaction values against
 * `pred_interactions` on the first 16 of those rows (make_xgb_interaction_goldens.py).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTreeExplainer, createTreeInteractionExplainer } from '@riskscore/explain';
import { REPO_ROOT } from '../../../../testing/shared-data';
import { treeEnsembleFromXgboostJson } from './xgboost-json';

const FIXTURES = resolve(REPO_ROOT, 'packages/explain/test/fixtures/attribution');

interface Golden {
  nFeatures: number;
  rows: Array<Array<number | null>>;
  margins: number[];
  contribs: number[][];
}

describe('TreeSHAP on an xgboost model = xgboost pred_contribs', () => {
  const model = treeEnsembleFromXgboostJson(JSON.parse(readFileSync(resolve(FIXTURES, 'xgb-taiwan-model.json'), 'utf8')));
  const golden = JSON.parse(readFileSync(resolve(FIXTURES, 'xgb-taiwan-golden.json'), 'utf8')) as Golden;
  const F = golden.nFeatures;
  const rows = new Float32Array(golden.rows.length * F);
  golden.rows.forEach((r, i) => r.forEach((v, j) => { rows[i * F + j] = v === null ? NaN : v; }));

  it('golden rows really carry missing values and the bias is not 0', () => {
    expect(rows.some((v) => Number.isNaN(v))).toBe(true);
    expect(Math.abs(golden.contribs[0][F])).toBeGreaterThan(0.1);
  });

  for (const algorithm of ['exact', 'fast', 'auto'] as const) {
    it(`${algorithm}: every contribution within 1e-5 of xgboost, additive within 1e-6`, () => {
      const ex = createTreeExplainer(model, { algorithm });
      const out = ex.explainBatch(rows, golden.rows.length);
      let maxDiff = 0;
      for (let r = 0; r < golden.rows.length; r++) {
        let sum = 0;
        for (let i = 0; i <= F; i++) {
          const d = Math.abs(out[r * (F + 1) + i] - golden.contribs[r][i]);
          if (d > maxDiff) maxDiff = d;
          sum += out[r * (F + 1) + i];
        }
        const m = new Float64Array(1);
        model.predictMargins(rows.subarray(r * F, (r + 1) * F), 1, m);
        expect(Math.abs(sum - m[0])).toBeLessThan(1e-6);
        // xgboost's own margin (float32 arithmetic) agrees to float32 rounding
        expect(Math.abs(m[0] - golden.margins[r])).toBeLessThan(1e-5);
      }
      expect(maxDiff).toBeLessThan(1e-5);
    });
  }

  it('interaction values: every entry within 1e-5 of xgboost pred_interactions', () => {
    const inter = JSON.parse(readFileSync(resolve(FIXTURES, 'xgb-taiwan-interactions.json'), 'utf8')) as { nRows: number; size: number; interactions: number[][] };
    expect(inter.size).toBe(F + 1);
    const ix = createTreeInteractionExplainer(model);
    const out = ix.explainBatch(rows.subarray(0, inter.nRows * F), inter.nRows);
    let maxDiff = 0;
    let largestOffDiagonal = 0;
    for (let r = 0; r < inter.nRows; r++) {
      for (let a = 0; a < inter.size * inter.size; a++) {
        maxDiff = Math.max(maxDiff, Math.abs(out[r * ix.outputLength + a] - inter.interactions[r][a]));
        if (a % inter.size !== Math.floor(a / inter.size)) largestOffDiagonal = Math.max(largestOffDiagonal, Math.abs(inter.interactions[r][a]));
      }
    }
    expect(largestOffDiagonal).toBeGreaterThan(0.05); // the golden has real interactions
    expect(maxDiff).toBeLessThan(1e-5);
  });
});
