// A stateful bundle built from raw events: the fraud spec and the trees + MLP members,
// with handbook transactions as the training file (July 25–31) and the validation file
// (August 1–3), turned into features by one offline pass inside `riskscore bundle`, the
// stacking weights and Platt fitted on the validation events. The summary is checked
// against scikit-learn's metrics on scores of features computed independently (the
// offline features command over the same two files, written to Arrow), so the builder's
// features are the offline pass's, point in time correct across the two files.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { tableFromIPC } from 'apache-arrow';
import { createScorer, specFeatureStep } from '@riskscore/core';
import { describe, expect, it } from 'vitest';
import { missingDataReason, REPO_ROOT, sharedDataPath } from '../../../testing/shared-data';
import { createNodeBackend } from '../src/backend/node-backend';
import { loadBundleFromDir } from '../src/bundle/bundle-dir';
import { buildBundle } from '../src/bundle/build-bundle';
import { computeFeaturesFile } from '../src/offline/compute-features-file';

const JULY = sharedDataPath('fdh-simulated-transactions/transactions_2018-07.csv.gz');
const AUGUST = sharedDataPath('fdh-simulated-transactions/transactions_2018-08.csv.gz');
const FRAUD = join(REPO_ROOT, 'examples', 'fdh-fraud');

/** The lines of a month whose TX_DATETIME lies in [from, to), with the header. */
function slice(file: string, from: string, to: string): string {
  const lines = gunzipSync(readFileSync(file)).toString('latin1').split('\n');
  return [lines[0], ...lines.slice(1).filter((l) => { const t = l.split(',')[1]; return t !== undefined && t >= from && t < to; })].join('\n') + '\n';
}

describe.skipIf(JULY === null || AUGUST === null)(`a stateful bundle from raw events (${JULY === null ? missingDataReason('fdh-simulated-transactions') : 'handbook data'})`, () => {
  it('builds, scores raw events, and its validation summary is scikit-learn\'s on independently computed features', async () => {
    const work = mkdtempSync(join(tmpdir(), 'riskscore-spec-build-'));
    writeFileSync(join(work, 'train.csv'), slice(JULY!, '2018-07-25', '2018-08-01'));
    writeFileSync(join(work, 'valid.csv'), slice(AUGUST!, '2018-08-01', '2018-08-04'));
    const shipped = JSON.parse(readFileSync(join(FRAUD, 'bundle-trees-mlp', 'manifest.json'), 'utf8'));
    const specFile = join(REPO_ROOT, 'packages', 'features', 'specs', 'fdh-fraud-v1.json');
    const summary = await buildBundle({
      name: 'fdh-fraud-rebuilt', version: '0.1.0', created: '2026-12-02T00:00:00Z',
      input: shipped.input,
      features: { spec: specFile },
      members: [
        { name: 'xgboost', xgboostJson: join(FRAUD, 'artifacts', 'xgboost.json') },
        { name: 'mlp', onnx: join(FRAUD, 'artifacts', 'mlp.onnx') },
      ],
      ensemble: 'stack', calibration: 'platt',
      decision: shipped.decision,
      training: { file: join(work, 'train.csv'), backgroundRows: 50, referenceRows: 1000, seed: 5 },
      validation: { file: join(work, 'valid.csv'), label: 'TX_FRAUD' },
    }, { outDir: join(work, 'bundle') });
    expect(summary.backgroundRows).toBe(50);
    expect(summary.referenceRows).toBe(1000);
    expect(summary.trainingRows).toBeGreaterThan(40_000);

    // The validation features, independently: the offline features command over both files, to Arrow.
    await computeFeaturesFile({ spec: JSON.parse(readFileSync(specFile, 'utf8')), inputs: [join(work, 'train.csv'), join(work, 'valid.csv')], output: join(work, 'features.arrow'), keep: ['TX_FRAUD'] });
    const t = tableFromIPC(readFileSync(join(work, 'features.arrow')));
    const bundle = await loadBundleFromDir(join(work, 'bundle'));
    const order = bundle.manifest.features.order;
    const first = summary.trainingRows;
    const n = t.numRows - first;
    expect(n).toBe(summary.validation!.rows);
    const rows = new Float32Array(n * order.length);
    order.forEach((f, j) => { const col = t.getChild(f)!; for (let i = 0; i < n; i++) rows[i * order.length + j] = col.get(first + i) ?? NaN; });
    const labels = Array.from({ length: n }, (_, i) => Number(t.getChild('TX_FRAUD')!.get(first + i)));
    const scorer = await createScorer(bundle, { backend: createNodeBackend(), features: specFeatureStep(bundle.manifest, { clock: null }) });
    const { scores } = await scorer.predictFeatures(rows, n);
    const r = spawnSync('/usr/bin/python3', ['-c', `
import json, sys
from sklearn.metrics import roc_auc_score, average_precision_score, brier_score_loss
d = json.load(sys.stdin)
print(json.dumps([roc_auc_score(d['y'], d['s']), average_precision_score(d['y'], d['s']), brier_score_loss(d['y'], d['s'])]))`], { input: JSON.stringify({ y: labels, s: Array.from(scores) }), encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(r.status, r.stderr).toBe(0);
    const [auc, ap, brier] = JSON.parse(r.stdout);
    expect(Math.abs(summary.validation!.auc - auc)).toBeLessThan(1e-12);
    expect(Math.abs(summary.validation!.averagePrecision - ap)).toBeLessThan(1e-12);
    expect(Math.abs(summary.validation!.brier - brier)).toBeLessThan(1e-12);
    expect(summary.validation!.auc).toBeGreaterThan(0.8);
    // And the bundle scores raw events online.
    const raw = readFileSync(join(work, 'valid.csv'), 'latin1').split('\n')[1].split(',');
    const res = await scorer.score({ TRANSACTION_ID: Number(raw[0]), TX_DATETIME: raw[1], CUSTOMER_ID: Number(raw[2]), TERMINAL_ID: Number(raw[3]), TX_AMOUNT: Number(raw[4]) });
    expect(res.score).toBeGreaterThan(0);
    await scorer.close();
  }, 300_000);
});
