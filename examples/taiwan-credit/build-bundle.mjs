// Assembles the Taiwan credit-default bundle from the training artifacts.
//
//   npm run build && node examples/taiwan-credit/build-bundle.mjs
//
// Converts artifacts/xgboost.json to ONNX with riskscore's own converter (cover in
// nodes_hitrates), copies the two torch-exported ONNX members, writes the manifest
// (weights and Platt calibration from artifacts/train_summary.json, a decision policy,
// reason-code texts) with every file's sha256, and the demo event stream used by
// `npm start` (the 300 golden test rows with their labels). Deterministic: the
// `created` stamp comes from the training summary, so rerunning changes no byte.
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { categoricalFeaturesOf, createScorer, loadBundle, onnxFromXgboostJson, referenceProfileFromRows, sealBundle } from '@riskscore/core';
import { createNodeBackend, writeBundleDir } from '@riskscore/node';

const here = dirname(fileURLToPath(import.meta.url));
const art = (f) => join(here, 'artifacts', f);
const summary = JSON.parse(readFileSync(art('train_summary.json'), 'utf8'));
const features = summary.features;
const weights = summary.ensemble.weights_by_member;
const read = (f) => new Uint8Array(readFileSync(art(f)));

const files = {
  'xgboost.onnx': onnxFromXgboostJson(JSON.parse(readFileSync(art('xgboost.json'), 'utf8')), { metadata: { dataset: 'taiwan-credit-default' } }),
  'mlp.onnx': read('mlp.onnx'),
  'ft_transformer.onnx': read('ft_transformer.onnx'),
  'background.json': read('background.json'),
};

const money = (name, description) => ({ name, type: 'number', required: false, description });
const status = (name, month) => ({ name, type: 'integer', required: false, min: -2, max: 9, description: `Repayment status in ${month} 2005 (-2 no use, -1 paid duly, 0 revolving, k = k months late)` });
const months = ['September', 'August', 'July', 'June', 'May', 'April'];
const fields = [
  { name: 'LIMIT_BAL', type: 'number', required: false, min: 0, description: 'Credit limit (NT dollars)' },
  { name: 'SEX', type: 'integer', required: false, min: 1, max: 2, description: '1 male, 2 female' },
  { name: 'EDUCATION', type: 'integer', required: false, min: 0, max: 6, description: '1 graduate school, 2 university, 3 high school, 4 others (0, 5, 6 undocumented)' },
  { name: 'MARRIAGE', type: 'integer', required: false, min: 0, max: 3, description: '1 married, 2 single, 3 others' },
  { name: 'AGE', type: 'integer', required: false, min: 18, max: 120, description: 'Age in years' },
  ...['PAY_0', 'PAY_2', 'PAY_3', 'PAY_4', 'PAY_5', 'PAY_6'].map((n, i) => status(n, months[i])),
  ...[1, 2, 3, 4, 5, 6].map((k) => money(`BILL_AMT${k}`, `Bill statement, ${months[k - 1]} 2005`)),
  ...[1, 2, 3, 4, 5, 6].map((k) => money(`PAY_AMT${k}`, `Amount paid, ${months[k - 1]} 2005`)),
];
if (fields.map((f) => f.name).join() !== features.join()) throw new Error('input fields and trained feature order differ');

const reasonCodes = {
  LIMIT_BAL: { code: 'C01', text: 'Credit limit is low relative to comparable accounts' },
  PAY_0: { code: 'C02', text: 'Most recent repayment (September) was late' },
  PAY_2: { code: 'C03', text: 'Repayment in August was late' },
  PAY_3: { code: 'C03', text: 'Repayment in July was late' },
  PAY_4: { code: 'C04', text: 'Earlier repayments (April to June) were late' },
  PAY_5: { code: 'C04', text: 'Earlier repayments (April to June) were late' },
  PAY_6: { code: 'C04', text: 'Earlier repayments (April to June) were late' },
  BILL_AMT1: { code: 'C05', text: 'Outstanding balance is high' },
  PAY_AMT1: { code: 'C06', text: 'Recent payments are small relative to the balance' },
  PAY_AMT2: { code: 'C06', text: 'Recent payments are small relative to the balance' },
  PAY_AMT3: { code: 'C06', text: 'Recent payments are small relative to the balance' },
  AGE: { code: 'C07', text: 'Length of credit history (age) is short' },
  'severe-delinquency': { code: 'R01', text: 'Latest repayment is four or more months overdue' },
};

const draft = {
  manifestVersion: 1,
  name: 'taiwan-credit',
  version: '1.0.0',
  created: summary.created ?? '2026-11-24T00:00:00Z',
  description: 'Probability of default next month for a credit-card client (UCI Taiwan 2005): XGBoost + MLP + FT-Transformer, stacked in logit space, Platt-calibrated.',
  input: { fields },
  features: { order: features },
  members: [
    { name: 'xgboost', kind: 'trees', file: 'xgboost.onnx', input: { name: 'features', width: features.length }, output: { name: 'margin', kind: 'logit' }, weight: weights.xgboost, description: '200 trees, depth 6, converted by riskscore (cover in nodes_hitrates)' },
    { name: 'mlp', kind: 'neural', file: 'mlp.onnx', input: { name: 'features', width: features.length }, output: { name: 'logit', kind: 'logit' }, weight: weights.mlp, description: summary.members[1].architecture },
    { name: 'ft_transformer', kind: 'neural', file: 'ft_transformer.onnx', input: { name: 'features', width: features.length }, output: { name: 'logit', kind: 'logit' }, weight: weights.ft_transformer, description: summary.members[2].architecture },
  ],
  ensemble: { method: 'logit-weighted', bias: summary.ensemble.bias },
  calibration: { method: 'platt', a: summary.calibration.A, b: summary.calibration.B },
  decision: {
    approveBelow: 0.25,
    declineAtOrAbove: 0.6,
    rules: [{ id: 'severe-delinquency', field: 'PAY_0', op: 'gte', value: 4, decision: 'decline', reason: 'R01' }],
  },
  reasonCodes,
  background: { file: 'background.json' },
  training: { dataset: summary.dataset, seed: summary.seed, rocAuc: summary.roc_auc, versions: summary.versions ?? summary.library_versions },
};

const out = join(here, 'bundle');
rmSync(out, { recursive: true, force: true });
let { files: sealed } = sealBundle(draft, files);

// The drift reference: per-feature quantile bins / category counts of 2,000 training
// rows, and the ensemble's scores on them (scored by the sealed bundle itself).
const sample = JSON.parse(readFileSync(art('reference_sample.json'), 'utf8'));
const b0 = await loadBundle(sealed);
const sc = await createScorer(b0, { backend: createNodeBackend() });
const { scores } = await sc.predictFeatures(Float32Array.from(sample.flat(), (v) => v ?? NaN), sample.length);
await sc.close();
files['reference.json'] = new TextEncoder().encode(JSON.stringify(referenceProfileFromRows(sample, features, { categorical: categoricalFeaturesOf(b0.manifest), scores })));
draft.reference = { file: 'reference.json' };
({ files: sealed } = sealBundle(draft, files));
await writeBundleDir(out, sealed);

// The demo stream: golden rows as events (null = missing field) with their labels.
const goldens = JSON.parse(readFileSync(art('goldens.json'), 'utf8'));
const lines = goldens.rows.map((row, i) => {
  const event = { id: `golden-${i}` };
  row.forEach((v, j) => { if (v !== null) event[features[j]] = v; });
  return JSON.stringify({ event, label: goldens.label[i] });
});
writeFileSync(join(here, 'demo-events.jsonl'), `${lines.join('\n')}\n`);
console.log(`wrote ${out} (${Object.keys(sealed).length} files) and demo-events.jsonl (${lines.length} events)`);
