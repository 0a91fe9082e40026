// score(event, { explain }) on the Taiwan bundle: attributions of every member in logit
// space add up to the ensemble logit; reason codes are the fields that raised the risk
// most, with the manifest's texts. (TreeSHAP itself = xgboost pred_contribs is pinned in
// packages/core/src/trees/tree-shap-parity.test.ts.) Rows 2 and 17 of the goldens have
// blank cells, which the shipped bundle refuses; they are explained with
// partialApplications(bundle), the same models with every field optional.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createScorer, type LoadedBundle, type Scorer } from '@riskscore/core';
import { createTreeExplainer } from '@riskscore/explain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstBlankField, loadTaiwanGoldens, partialApplications, TAIWAN_BUNDLE, TAIWAN_DIR } from '../test/taiwan';
import { createNodeBackend } from './backend/node-backend';
import { loadBundleFromDir } from './bundle/bundle-dir';

const g = loadTaiwanGoldens();
let bundle: LoadedBundle;
/** The shipped bundle: every field required. */
let scorer: Scorer;
/** Every field optional, for the golden rows with blank cells. */
let partial: Scorer;
beforeAll(async () => {
  bundle = await loadBundleFromDir(TAIWAN_BUNDLE);
  scorer = await createScorer(bundle, { backend: createNodeBackend() });
  partial = await createScorer(partialApplications(bundle), { backend: createNodeBackend() });
});
afterAll(async () => {
  await scorer.close();
  await partial.close();
});

describe('explained scores', () => {
  it('attributions of all three members sum to the ensemble logit (KernelSHAP keeps efficiency exactly)', async () => {
    for (const i of [0, 2, 17]) {
      const r = await partial.score(g.events[i], { explain: { kernelBackground: 10, kernelSamples: 100 } });
      const e = r.explanation!;
      expect(e.complete).toBe(true);
      const sum = e.features.reduce((s, f) => s + f.attribution, e.base);
      expect(Math.abs(sum - r.logit)).toBeLessThan(1e-5);
      // Grouping by field keeps the total (identity lineage here: one field per feature).
      const fieldSum = e.fields.reduce((s, f) => s + f.attribution, e.base);
      expect(Math.abs(fieldSum - r.logit)).toBeLessThan(1e-5);
      expect(Object.keys(e.members)).toEqual(['xgboost', 'mlp', 'ft_transformer']);
    }
  });

  it('the shipped bundle refuses a partial row before explaining it, naming the blank field', async () => {
    expect(g.nanRows).toContain(2);
    await expect(scorer.score(g.events[2], { explain: { neural: 'omit' } })).rejects.toMatchObject({
      code: 'invalid_event', path: ['event', firstBlankField(bundle, g.events[2])],
    });
    // The complete row 0 is explained alike by both.
    const [a, b] = await Promise.all([scorer, partial].map((s) => s.score(g.events[0], { explain: { neural: 'omit' } })));
    expect(a.explanation!.features.map((f) => f.attribution)).toEqual(b.explanation!.features.map((f) => f.attribution));
  });

  it('reason codes are the top adverse fields with the manifest texts', async () => {
    // A client four months late in September: PAY_0 must be among the reasons.
    const late = { ...g.events[1], PAY_0: 3, PAY_2: 2 };
    const r = await scorer.score(late, { explain: { neural: 'omit' } });
    const e = r.explanation!;
    expect(e.complete).toBe(false);
    const adverse = e.fields.filter((f) => f.attribution > 0).slice(0, 4).map((f) => f.name);
    const attributionReasons = r.reasons.filter((x) => x.source === 'attribution');
    expect(attributionReasons.length).toBeGreaterThan(0);
    expect(attributionReasons[0].ref).toBe(adverse[0]);
    const pay0 = attributionReasons.find((x) => x.ref === 'PAY_0');
    expect(pay0).toMatchObject({ code: 'C02', text: 'Most recent repayment (September) was late' });
    // Trees only: the attributions add to the tree member's weighted logit.
    const treeLogit = Math.log(r.memberScores.xgboost / (1 - r.memberScores.xgboost));
    const w = scorer.bundle.manifest.members[0].weight;
    const sum = e.features.reduce((s, f) => s + f.attribution, e.base);
    expect(Math.abs(sum - w * treeLogit)).toBeLessThan(1e-5);
  });
});

describe('TreeSHAP on the bundle file', () => {
  it("equals xgboost pred_contribs on the spine's 200-tree model (cover from nodes_hitrates), NaN rows included", () => {
    // Golden: examples/taiwan-credit/make_shap_goldens.py (xgboost 1.7.4, nthread=1).
    const golden = JSON.parse(readFileSync(join(TAIWAN_DIR, 'artifacts', 'shap_goldens.json'), 'utf8')).contribs as number[][];
    const trees = scorer.bundle.members[0].trees!;
    const ex = createTreeExplainer(trees);
    const nF = 23;
    const phi = new Float64Array(nF + 1);
    const margin = new Float64Array(1);
    let maxErr = 0;
    let maxAdd = 0;
    for (let i = 0; i < golden.length; i++) {
      const row = g.matrix.subarray(i * nF, (i + 1) * nF);
      ex.explainRow(row, phi);
      for (let j = 0; j <= nF; j++) maxErr = Math.max(maxErr, Math.abs(phi[j] - golden[i][j]));
      trees.predictMargins(row, 1, margin);
      maxAdd = Math.max(maxAdd, Math.abs(phi.reduce((s, v) => s + v, 0) - margin[0]));
    }
    expect(golden.length).toBe(300);
    expect(maxErr).toBeLessThan(1e-5);
    expect(maxAdd).toBeLessThan(1e-6);
  });
});
