// Bring your own model, end to end: an xgboost model and a torch MLP trained on German
// credit with Debian's python (test/german-credit/train.py), built into a bundle by
// `riskscore bundle` from a config file only. The members' outputs equal xgboost's and
// torch's (1e-6 / 1e-5), the stacking weights and Platt calibration are scikit-learn's
// fits on the same member logits, the printed validation summary equals scikit-learn's
// metrics on the bundle's own scores, and a second build is byte-identical.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScorer } from '@riskscore/core';
import { describe, expect, it, vi } from 'vitest';
import { missingDataReason, REPO_ROOT, sharedDataPath } from '../../../testing/shared-data';
import { createNodeBackend } from '../src/backend/node-backend';
import { loadBundleFromDir } from '../src/bundle/bundle-dir';
import { buildBundle } from '../src/bundle/build-bundle';
import { runBundleCommand } from '../src/cli/bundle-command';
import { parseCsv } from '../src/io/csv-reader';

const PY = '/usr/bin/python3';
const DATA = sharedDataPath('german-credit/german-numeric.csv');
const FEATURES = Array.from({ length: 24 }, (_, i) => `A${i + 1}`);

function python(script: string, input: unknown): any {
  const r = spawnSync(PY, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

describe.skipIf(DATA === null)(`riskscore bundle on German credit (${DATA === null ? missingDataReason('german-credit/german-numeric.csv') : 'real data'})`, () => {
  it('builds from a config only; matches xgboost, torch and scikit-learn; rebuilds byte-identically', async () => {
    const work = mkdtempSync(join(tmpdir(), 'riskscore-german-'));
    const train = spawnSync(PY, [join(REPO_ROOT, 'packages', 'node', 'test', 'german-credit', 'train.py'), DATA!, work], { encoding: 'utf8' });
    expect(train.status, train.stderr).toBe(0);
    const config = {
      name: 'german-credit', version: '1.0.0', created: '2026-12-02T00:00:00Z',
      description: 'German credit (UCI Statlog, numeric coding): xgboost + MLP, stacked, Platt-calibrated',
      input: { fields: FEATURES.map((name) => ({ name, type: 'integer', min: 0, max: 200 })).map((f) => (f.name === 'A5' || f.name === 'A2' ? { ...f, max: 100_000 } : f)) },
      members: [
        { name: 'xgboost', xgboostJson: 'xgboost.json' },
        { name: 'mlp', onnx: 'mlp.onnx' },
      ],
      ensemble: 'stack', calibration: 'platt',
      decision: { approveBelow: 0.2, declineAtOrAbove: 0.5 },
      training: { file: 'train.csv', backgroundRows: 50, referenceRows: 500, seed: 3 },
      validation: { file: 'valid.csv', label: 'bad' },
    };
    writeFileSync(join(work, 'bundle.json'), JSON.stringify(config, null, 2));
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    let printed: string;
    try {
      expect(await runBundleCommand(['--config', join(work, 'bundle.json'), '--out', join(work, 'bundle')])).toBe(0);
      printed = String(log.mock.calls[0][0]);
    } finally {
      log.mockRestore();
    }
    expect(printed).toMatch(/german-credit@1\.0\.0: 2 members, 24 features/);
    expect(printed).toMatch(/mlp +neural +mlp\.onnx +input features +output logit \(logit, read from the graph\)/);

    // The members against the libraries that trained them, on the validation rows.
    const ref = JSON.parse(readFileSync(join(work, 'predictions.json'), 'utf8'));
    const valid = parseCsv(readFileSync(join(work, 'valid.csv'), 'utf8')).items.map((it) => it.values!);
    const n = valid.length;
    const rows = Float32Array.from(valid.flatMap((r) => FEATURES.map((f) => Number(r[f]))));
    const labels = valid.map((r) => Number(r.bad));
    const bundle = await loadBundleFromDir(join(work, 'bundle'));
    expect(bundle.manifest.features.order).toEqual(FEATURES); // from xgboost's feature_names
    const scorer = await createScorer(bundle, { backend: createNodeBackend() });
    const { memberLogits, scores } = await scorer.predictFeatures(rows, n);
    await scorer.close();
    let worstTree = 0;
    let worstMlp = 0;
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-memberLogits[i]));
      worstTree = Math.max(worstTree, Math.abs(p - ref.xgboost_probability[i]));
      worstMlp = Math.max(worstMlp, Math.abs(memberLogits[n + i] - ref.mlp_logit[i]));
    }
    expect(worstTree).toBeLessThan(1e-6);
    expect(worstMlp).toBeLessThan(1e-5);

    // Stacking and Platt: scikit-learn's unpenalised fits on the same member logits.
    const sk = python(`
import json, sys, numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score, average_precision_score, brier_score_loss
d = json.load(sys.stdin)
L = np.array(d['logits']).reshape(2, -1).T; y = np.array(d['y'])
st = LogisticRegression(penalty=None, solver='newton-cg', tol=1e-12, max_iter=10000).fit(L, y)
z = L @ st.coef_[0] + st.intercept_[0]
pl = LogisticRegression(penalty=None, solver='newton-cg', tol=1e-12, max_iter=10000).fit(z.reshape(-1, 1), y)
s = np.array(d['scores'])
print(json.dumps({'w': st.coef_[0].tolist(), 'b': float(st.intercept_[0]), 'a': float(pl.coef_[0][0]), 'pb': float(pl.intercept_[0]),
  'auc': roc_auc_score(y, s), 'ap': average_precision_score(y, s), 'brier': brier_score_loss(y, s)}))`, { logits: Array.from(memberLogits), y: labels, scores: Array.from(scores) });
    const m = bundle.manifest;
    expect(Math.abs(m.members[0].weight - sk.w[0])).toBeLessThan(1e-5);
    expect(Math.abs(m.members[1].weight - sk.w[1])).toBeLessThan(1e-5);
    expect(Math.abs(m.ensemble.bias - sk.b)).toBeLessThan(1e-5);
    expect(m.calibration).toMatchObject({ method: 'platt' });
    const cal = m.calibration as { a: number; b: number };
    expect(Math.abs(cal.a - sk.a)).toBeLessThan(1e-5);
    expect(Math.abs(cal.b - sk.pb)).toBeLessThan(1e-5);

    // The printed summary against scikit-learn's metrics on the bundle's scores.
    const summary = await buildBundle(join(work, 'bundle.json'), { outDir: join(work, 'again') });
    expect(summary.validation!.rows).toBe(n);
    expect(Math.abs(summary.validation!.auc - sk.auc)).toBeLessThan(1e-12);
    expect(Math.abs(summary.validation!.averagePrecision - sk.ap)).toBeLessThan(1e-12);
    expect(Math.abs(summary.validation!.brier - sk.brier)).toBeLessThan(1e-12);
    expect(printed).toContain(`AUC ${sk.auc.toFixed(4)}`);
    expect(summary.validation!.auc).toBeGreaterThan(0.7);

    // The second build, byte for byte.
    const names = readdirSync(join(work, 'bundle')).sort();
    expect(readdirSync(join(work, 'again')).sort()).toEqual(names);
    for (const f of names) expect(Buffer.compare(readFileSync(join(work, 'bundle', f)), readFileSync(join(work, 'again', f))), f).toBe(0);
    expect(names).toEqual(['background.json', 'manifest.json', 'mlp.onnx', 'reference.json', 'xgboost.onnx']);
  }, 180_000);

  it('refuses a config mistake naming its field', async () => {
    const work = mkdtempSync(join(tmpdir(), 'riskscore-german-'));
    await expect(buildBundle({ name: 'x', version: '1', input: { fields: [{ name: 'a', type: 'number' }] }, members: [], decision: { approveBelow: 0.1, declineAtOrAbove: 0.2 }, training: { file: 't.csv' } } as never, { outDir: join(work, 'b') }))
      .rejects.toMatchObject({ code: 'invalid_argument', path: ['config', 'members'] });
    await expect(buildBundle({ name: 'x', version: '1', input: { fields: [{ name: 'a', type: 'number' }] }, members: [{ name: 'm', onnx: 'm.onnx' }], ensemble: 'stack', decision: { approveBelow: 0.1, declineAtOrAbove: 0.2 }, training: { file: 't.csv' } } as never, { outDir: join(work, 'b') }))
      .rejects.toMatchObject({ code: 'invalid_argument', path: ['config', 'validation'] });
  });
});
