// Exact TreeSHAP on the fraud bundle's tree member (400 trees over 206 features, cover
// read back from the ONNX file's nodes_hitrates) against xgboost's own pred_contribs,
// golden from make_shap_goldens.py: 200 test-period rows and 100 of them with 5 % of the
// cells blanked (NaN routed by the trees' default directions).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTreeExplainer } from '@riskscore/explain';
import { loadBundleFromDir } from '@riskscore/node';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const g = JSON.parse(readFileSync(join(root, 'artifacts', 'goldens.json'), 'utf8'));
const s = JSON.parse(readFileSync(join(root, 'artifacts', 'shap_goldens.json'), 'utf8'));

describe('TreeSHAP on the fraud bundle', () => {
  it.each([
    ['rows', g.rows, s.rows_contribs],
    ['rows with NaN', s.nan_rows, s.nan_rows_contribs],
  ])('%s: equals pred_contribs to 1e-5 and adds up to the margin to 1e-6', async (_name, rows: Array<Array<number | null>>, golden: number[][]) => {
    const bundle = await loadBundleFromDir(join(root, 'bundle'));
    const trees = bundle.members.find((m) => m.spec.name === 'xgboost')!.trees!;
    const nF = trees.nFeatures;
    const ex = createTreeExplainer(trees);
    const phi = new Float64Array(nF + 1);
    const margin = new Float64Array(1);
    const row = new Float32Array(nF);
    let maxErr = 0;
    let maxAdd = 0;
    let nans = 0;
    rows.forEach((r, i) => {
      r.forEach((v, j) => { row[j] = v === null ? NaN : v; if (v === null) nans++; });
      ex.explainRow(row, phi);
      for (let j = 0; j <= nF; j++) maxErr = Math.max(maxErr, Math.abs(phi[j] - golden[i][j]));
      trees.predictMargins(row, 1, margin);
      maxAdd = Math.max(maxAdd, Math.abs(phi.reduce((a, b) => a + b, 0) - margin[0]));
    });
    if (_name !== 'rows') expect(nans).toBeGreaterThan(500);
    expect(maxErr).toBeLessThan(1e-5);
    expect(maxAdd).toBeLessThan(1e-6);
  });
});
