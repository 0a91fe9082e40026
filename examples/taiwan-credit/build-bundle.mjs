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

// The input schema: what an application must carry. Every one of the 23 fields is in
// every row of the data (30,000 rows, no missing cell), and a credit application always
// has them (the client's own facts and six statement months of the account), so each is
// required. Bounds: the data's range (see README, "Input schema") widened by a documented
// margin, so that a plausible new client passes and a unit or key error does not:
// amounts up to 3× the largest value in the data, the negative side of bills to ~3× the
// most negative bill; codes are exactly the documented codes plus those the data holds.
const MONEY_MAX = 5_000_000; // NT$; data max: bills 1,664,089, payments 1,684,259, limit 1,000,000
const BILL_MIN = -1_000_000; // NT$; data min -339,603 (a credit balance)
const months = ['September', 'August', 'July', 'June', 'May', 'April'];
const statusCodes = [
  { code: -2, label: 'no consumption (undocumented)' },
  { code: -1, label: 'paid duly' },
  { code: 0, label: 'revolving credit, minimum paid (undocumented)' },
  ...[1, 2, 3, 4, 5, 6, 7, 8].map((k) => ({ code: k, label: `payment delay of ${k} month${k > 1 ? 's' : ''}` })),
  { code: 9, label: 'payment delay of 9 months or more' },
];
const bill = (k) => ({ name: `BILL_AMT${k}`, type: 'number', required: true, min: BILL_MIN, max: MONEY_MAX, description: `Bill statement, ${months[k - 1]} 2005 (NT dollars; negative = credit balance)` });
const paid = (k) => ({ name: `PAY_AMT${k}`, type: 'number', required: true, min: 0, max: MONEY_MAX, description: `Amount paid, ${months[k - 1]} 2005 (NT dollars)` });
const status = (name, month) => ({ name, type: 'integer', required: true, min: -2, max: 9, categories: statusCodes, description: `Repayment status in ${month} 2005` });
const fields = [
  { name: 'LIMIT_BAL', type: 'number', required: true, min: 1000, max: MONEY_MAX, description: 'Credit limit (NT dollars; data 10,000 to 1,000,000)' },
  { name: 'SEX', type: 'integer', required: true, min: 1, max: 2, categories: { 1: 'male', 2: 'female' }, description: 'Sex' },
  { name: 'EDUCATION', type: 'integer', required: true, min: 0, max: 6, categories: { 0: 'undocumented (0)', 1: 'graduate school', 2: 'university', 3: 'high school', 4: 'others', 5: 'undocumented (5)', 6: 'undocumented (6)' }, description: 'Education (0, 5 and 6 occur in the data but are not documented; usually read as others)' },
  { name: 'MARRIAGE', type: 'integer', required: true, min: 0, max: 3, categories: { 0: 'undocumented (0)', 1: 'married', 2: 'single', 3: 'others' }, description: 'Marital status (0 occurs in the data but is not documented)' },
  { name: 'AGE', type: 'integer', required: true, min: 18, max: 100, description: 'Age in years (data 21 to 79)' },
  ...['PAY_0', 'PAY_2', 'PAY_3', 'PAY_4', 'PAY_5', 'PAY_6'].map((n, i) => status(n, months[i])),
  ...[1, 2, 3, 4, 5, 6].map(bill),
  ...[1, 2, 3, 4, 5, 6].map(paid),
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
  input: { fields, unknownFields: 'ignore' },
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
