// Assembles the fraud bundles from the training artifacts (step 3 of the rebuild).
//
//   npm run build && node examples/fdh-fraud/build-bundle.mjs [--artifacts DIR]
//
// Writes three bundles beside this file, each a folder of manifest + files with sha256:
//   bundle/             fdh-fraud: XGBoost + MLP + FT-Transformer, stacked in logit space, Platt
//   bundle-trees-mlp/   fdh-fraud-fast: XGBoost + MLP only (its own stacking and Platt fit),
//                       the configuration for a sub-0.5 ms p99 budget
//   bundle-baseline/    fdh-baseline: the handbook's 15 features + default XGBoost trained on
//                       the handbook's training week (the comparison row)
// Every manifest carries its features spec (`features.spec`), so the scorer computes the
// features online from raw transactions with live entity state. xgboost JSON is converted
// to ONNX by riskscore's own converter (cover in nodes_hitrates); the drift reference
// profile is built with @riskscore/explain's createReferenceProfile from 2,000 training
// rows. Deterministic: no clock, no randomness; rerunning changes no byte. Takes seconds.
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onnxFromXgboostJson, sealBundle } from '@riskscore/core';
import { createReferenceProfile } from '@riskscore/explain';
import { fdhBaselineSpec } from '@riskscore/features';
import { writeBundleDir } from '@riskscore/node';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const artDir = argv.includes('--artifacts') ? argv[argv.indexOf('--artifacts') + 1] : join(here, 'artifacts');
const outRoot = argv.includes('--out') ? argv[argv.indexOf('--out') + 1] : here;
const art = (f) => join(artDir, f);
const summary = JSON.parse(readFileSync(art('train_summary.json'), 'utf8'));
const spec = JSON.parse(readFileSync(join(here, '..', '..', 'packages', 'features', 'specs', 'fdh-fraud-v1.json'), 'utf8'));
const features = summary.features;
const enc = new TextEncoder();
const read = (f) => new Uint8Array(readFileSync(art(f)));
/** The bundles' creation stamp: fixed, so a rebuild is byte-identical. */
const CREATED = '2026-11-24T00:00:00Z';

// The raw event's input schema, checked before any feature is computed. Plausibility
// bounds, not the data's range (ids grow, amounts vary by market):
// - ids are exact integers: at most 2^53 − 1 (Number.MAX_SAFE_INTEGER), past which two
//   different ids read as the same double, i.e. two cards would share one velocity
//   window (data: TRANSACTION_ID ≤ 1,754,154, CUSTOMER_ID ≤ 4,999, TERMINAL_ID ≤ 9,999);
// - TX_AMOUNT ≤ 1,000,000: a single card payment above a million currency units is past
//   any card limit and is a unit or parsing error (data max 2,628.00, genuine amounts
//   below 220), and it keeps absurd values (1e20) out of the windowed sums.
const ID_MAX = Number.MAX_SAFE_INTEGER;
const AMOUNT_MAX = 1_000_000;
const fields = [
  { name: 'TRANSACTION_ID', type: 'integer', required: true, min: 0, max: ID_MAX, description: 'Transaction id (unique)' },
  { name: 'TX_DATETIME', type: 'string', required: true, description: 'Date and time, YYYY-MM-DD HH:MM:SS (no time zone)' },
  { name: 'CUSTOMER_ID', type: 'integer', required: true, min: 0, max: ID_MAX, description: 'Card holder id' },
  { name: 'TERMINAL_ID', type: 'integer', required: true, min: 0, max: ID_MAX, description: 'Terminal (point of sale) id' },
  { name: 'TX_AMOUNT', type: 'number', required: true, min: 0, max: AMOUNT_MAX, decimals: 2, description: 'Amount in cents precision (at most 1,000,000: a larger card payment is a unit or parsing error; at most 2 decimals, so 1e-40 cannot poison later ratios)' },
];
// Attributions are grouped by the raw field each feature derives from; these are the texts.
const reasonCodes = {
  TX_AMOUNT: { code: 'F01', text: 'Amount is unusual for this card or terminal' },
  TERMINAL_ID: { code: 'F02', text: 'Terminal has recent confirmed fraud or unusual activity' },
  CUSTOMER_ID: { code: 'F03', text: 'Card activity differs from its usual pattern (velocity, recent fraud)' },
  TX_DATETIME: { code: 'F04', text: 'Time of the transaction (night, weekend) or time since the previous one' },
  // label-delayed features derive from the outcomes of earlier transactions
  TX_FRAUD: { code: 'F05', text: 'Confirmed fraud on this terminal or card in recent weeks' },
};
// Score bands on the calibrated probability of fraud: under 5 % approve, 50 % or more
// (more likely fraud than not) decline, in between send to an analyst.
const decision = { approveBelow: 0.05, declineAtOrAbove: 0.5, rules: [] };

const training = {
  dataset: 'Fraud Detection Handbook simulated transactions (Le Borgne et al. 2022), ../shared/data/fdh-simulated-transactions',
  protocol: 'train 2018-05-01..07-24 (all frauds + 20 % of genuine, seeded); stacking 07-25..28; Platt 07-29..31; test 08-08..14 with known compromised cards removed (handbook chapter 3)',
  rows: summary.dataset.rows,
  seed: summary.seed,
  handbookTestPython: summary.handbook_test_python,
  versions: summary.versions,
};

// Drift reference profile from 2,000 training feature rows (quantile bins, missing counts).
const refRows = JSON.parse(readFileSync(art('reference_sample.json'), 'utf8'));
const reference = createReferenceProfile(features.map((name, j) => ({
  name, kind: 'numeric', values: Float64Array.from(refRows, (r) => (r[j] === null ? NaN : Math.fround(r[j]))),
})), { bins: 10 });
const referenceBytes = enc.encode(`${JSON.stringify(reference)}\n`);

const xgbOnnx = onnxFromXgboostJson(JSON.parse(readFileSync(art('xgboost.json'), 'utf8')), { metadata: { dataset: 'fdh-simulated-transactions' } });
const desc = Object.fromEntries(summary.members.map((m) => [m.name, m.architecture]));
const member = (name, weight) => (name === 'xgboost'
  ? { name, kind: 'trees', file: 'xgboost.onnx', input: { name: 'features', width: features.length }, output: { name: 'margin', kind: 'logit' }, weight, description: `${summary.members[0].trees} trees, depth ${summary.members[0].params.max_depth}, converted by riskscore (cover in nodes_hitrates)` }
  : { name, kind: 'neural', file: `${name}.onnx`, input: { name: 'features', width: features.length }, output: { name: 'logit', kind: 'logit' }, weight, description: desc[name] });

async function write(dir, draft, files) {
  const out = join(outRoot, dir);
  rmSync(out, { recursive: true, force: true });
  const { files: sealed } = sealBundle(draft, files);
  await writeBundleDir(out, sealed);
  const bytes = Object.values(sealed).reduce((s, b) => s + b.length, 0);
  console.log(`wrote ${out}: ${Object.keys(sealed).length} files, ${(bytes / 1e6).toFixed(2)} MB`);
}

for (const [dir, name, ens, extra] of [
  ['bundle', 'fdh-fraud', summary.ensemble, 'XGBoost + MLP + FT-Transformer'],
  ['bundle-trees-mlp', 'fdh-fraud-fast', summary.ensemble_trees_mlp, 'XGBoost + MLP (the low-latency configuration)'],
]) {
  const files = { 'xgboost.onnx': xgbOnnx, 'reference.json': referenceBytes, 'background.json': read('background.json') };
  for (const m of ens.members) if (m !== 'xgboost') files[`${m}.onnx`] = read(`${m}.onnx`);
  await write(dir, {
    manifestVersion: 1,
    name,
    version: '1.0.0',
    created: CREATED,
    description: `Probability that a card transaction is fraudulent (Fraud Detection Handbook data): ${extra} on ${features.length} windowed, label-delayed features computed online; stacked in logit space, Platt-calibrated.`,
    input: { fields, unknownFields: 'ignore' },
    features: { order: features, spec },
    members: ens.members.map((m, i) => member(m, ens.weights[i])),
    ensemble: { method: 'logit-weighted', bias: ens.bias },
    calibration: { method: 'platt', a: ens.platt.A, b: ens.platt.B },
    decision,
    reasonCodes,
    reference: { file: 'reference.json' },
    background: { file: 'background.json' },
    training,
  }, files);
}

// The handbook baseline: its 15 features, default XGBoost, no ensemble, no calibration.
const baseline = summary.baseline;
await write('bundle-baseline', {
  manifestVersion: 1,
  name: 'fdh-baseline',
  version: '1.0.0',
  created: CREATED,
  description: "The handbook's chapter-3 baseline: 15 features, XGBoost with default parameters trained on 2018-07-25..31.",
  input: { fields, unknownFields: 'ignore' },
  features: { order: baseline.features, spec: fdhBaselineSpec() },
  members: [{ name: 'xgboost', kind: 'trees', file: 'xgboost.onnx', input: { name: 'features', width: baseline.features.length }, output: { name: 'margin', kind: 'logit' }, weight: 1, description: 'xgboost 1.7.4 defaults (100 trees, depth 6, eta 0.3)' }],
  ensemble: { method: 'logit-weighted', bias: 0 },
  calibration: { method: 'none' },
  decision,
  reasonCodes,
  training: { dataset: training.dataset, trainedOn: baseline.trained_on, params: baseline.params },
}, { 'xgboost.onnx': onnxFromXgboostJson(JSON.parse(readFileSync(art('baseline_xgboost.json'), 'utf8')), { metadata: { dataset: 'fdh-simulated-transactions' } }) });
