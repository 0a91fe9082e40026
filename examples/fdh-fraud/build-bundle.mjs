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
// features online from raw transactions with live entity state. The first two are built
// by `riskscore bundle` from their configs (bundle.json, bundle-trees-mlp.json: the same
// as `riskscore bundle --config examples/fdh-fraud/bundle.json --out examples/fdh-fraud/bundle`):
// xgboost JSON converted to ONNX by riskscore's own converter (cover in nodes_hitrates),
// the drift reference profile from 2,000 training feature rows; the configs' weights and
// Platt parameters are train.py's, and this script refuses to build when they disagree
// with train_summary.json. The baseline's spec is made by code (fdhBaselineSpec), so it is
// sealed here by hand. Deterministic: no clock, no randomness; rerunning changes no byte.
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onnxFromXgboostJson, sealBundle } from '@riskscore/core';
import { fdhBaselineSpec } from '@riskscore/features';
import { buildBundle, writeBundleDir } from '@riskscore/node';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const artDir = argv.includes('--artifacts') ? argv[argv.indexOf('--artifacts') + 1] : join(here, 'artifacts');
const outRoot = argv.includes('--out') ? argv[argv.indexOf('--out') + 1] : here;
const art = (f) => join(artDir, f);
const summary = JSON.parse(readFileSync(art('train_summary.json'), 'utf8'));
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

async function write(dir, draft, files) {
  const out = join(outRoot, dir);
  rmSync(out, { recursive: true, force: true });
  const { files: sealed } = sealBundle(draft, files);
  await writeBundleDir(out, sealed);
  const bytes = Object.values(sealed).reduce((s, b) => s + b.length, 0);
  console.log(`wrote ${out}: ${Object.keys(sealed).length} files, ${(bytes / 1e6).toFixed(2)} MB`);
}

// The two ensembles, through the bundle builder, after checking their configs against training.
for (const [dir, ens] of [['bundle', summary.ensemble], ['bundle-trees-mlp', summary.ensemble_trees_mlp]]) {
  const config = JSON.parse(readFileSync(join(here, `${dir}.json`), 'utf8'));
  const trained = { ...Object.fromEntries(ens.members.map((m, i) => [m, ens.weights[i]])), bias: ens.bias, a: ens.platt.A, b: ens.platt.B };
  const configured = { ...Object.fromEntries(config.members.map((m) => [m.name, m.weight])), bias: config.ensemble.bias, a: config.calibration.a, b: config.calibration.b };
  for (const [k, v] of Object.entries(trained)) {
    if (configured[k] !== v) throw new Error(`${dir}.json's ${k} is ${configured[k]}, train_summary.json's ${v}: copy the retrained values into ${dir}.json`);
  }
  // --artifacts DIR: the config's artifacts/ files from DIR instead.
  const rebase = (f) => (f.startsWith('artifacts/') ? join(artDir, f.slice('artifacts/'.length)) : f);
  for (const m of config.members) { if (m.xgboostJson) m.xgboostJson = rebase(m.xgboostJson); if (m.onnx) m.onnx = rebase(m.onnx); }
  config.training.background = rebase(config.training.background);
  config.training.reference = rebase(config.training.reference);
  const out = join(outRoot, dir);
  const built = await buildBundle(config, { outDir: out, baseDir: here });
  console.log(`wrote ${out}: ${built.id}, ${built.members.length} members, ${built.features} features`);
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
