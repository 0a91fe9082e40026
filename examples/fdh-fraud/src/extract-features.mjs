// Step 1 of the rebuild: features for training, validation and test rows, computed by
// @riskscore/features' offline pass (the same evaluator the scorer runs online; labels
// reach the label-delayed windows 7 days after each transaction), never in Python.
//
//   npm run build && node examples/fdh-fraud/src/extract-features.mjs [--work DIR]
//
// Streams 2018-04-01..08-14 (1.17M transactions) through two evaluators — the fraud
// spec (packages/features/specs/fdh-fraud-v1.json, 206 features) and the handbook's
// 15 baseline features (fdhBaselineSpec) — and writes, for the rows the training needs,
// float32 feature matrices and a float64 metadata table to the work folder (default
// /tmp/riskscore-fdh-fraud; data never enters the repository). ~1 min.
import { mkdirSync, readFileSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { compileFeatureSpec, createOfflinePass, fdhBaselineSpec } from '@riskscore/features';
import { PROTOCOL, REPO_ROOT, createHandbookTestFilter, dataAvailable, DATA_DIR, hashUnit, readTransactions } from './fdh-data.mjs';

export const GENUINE_KEEP = 0.2;
export const SUBSAMPLE_SEED = 20240801;
export const META_COLUMNS = ['TRANSACTION_ID', 'TX_TIME_SECONDS', 'TX_TIME_DAYS', 'CUSTOMER_ID', 'TERMINAL_ID', 'TX_AMOUNT', 'TX_FRAUD', 'TX_FRAUD_SCENARIO', 'split', 'handbook_test'];
/** split codes */
export const SPLIT = { train: 1, stack: 2, platt: 3, test: 4 };

const args = process.argv.slice(2);
const work = args.includes('--work') ? args[args.indexOf('--work') + 1] : '/tmp/riskscore-fdh-fraud';
if (!dataAvailable()) {
  console.error(`extract-features: the handbook data is not in ${DATA_DIR} (set FDH_DATA_DIR)`);
  process.exit(1);
}
mkdirSync(work, { recursive: true });

const fraudSpec = JSON.parse(readFileSync(join(REPO_ROOT, 'packages', 'features', 'specs', 'fdh-fraud-v1.json'), 'utf8'));
const fraud = createOfflinePass(compileFeatureSpec(fraudSpec));
const base = createOfflinePass(compileFeatureSpec(fdhBaselineSpec()));
const F = fraud.evaluator.size;
const B = base.evaluator.size;
const M = META_COLUMNS.length;

const CHUNK = 16384;
const fBuf = new Float32Array(CHUNK * F);
const bBuf = new Float32Array(CHUNK * B);
const mBuf = new Float64Array(CHUNK * M);
const fRow = new Float64Array(F);
const bRow = new Float64Array(B);
const files = {
  fraud: openSync(join(work, 'fraud.f32'), 'w'),
  base: openSync(join(work, 'baseline.f32'), 'w'),
  meta: openSync(join(work, 'meta.f64'), 'w'),
};
let n = 0;
let kept = 0;
const flush = () => {
  writeSync(files.fraud, new Uint8Array(fBuf.buffer, 0, n * F * 4));
  writeSync(files.base, new Uint8Array(bBuf.buffer, 0, n * B * 4));
  writeSync(files.meta, new Uint8Array(mBuf.buffer, 0, n * M * 8));
  n = 0;
};

const filter = createHandbookTestFilter();
const counts = { train: 0, trainFrauds: 0, stack: 0, platt: 0, test: 0, handbookTest: 0, handbookTestFrauds: 0 };
const t0 = performance.now();
let rows = 0;
for await (const { event, seconds, day, label, scenario } of readTransactions({ untilDay: PROTOCOL.testTo })) {
  const row = { ...event, TX_FRAUD: label };
  fraud.process(row, fRow);
  base.process(row, bRow);
  rows++;
  let split = 0;
  if (day >= PROTOCOL.trainFrom && day <= PROTOCOL.trainTo) {
    if (label === 1 || hashUnit(event.TRANSACTION_ID, SUBSAMPLE_SEED) < GENUINE_KEEP) { split = SPLIT.train; counts.train++; counts.trainFrauds += label; }
  } else if (day >= PROTOCOL.stackFrom && day <= PROTOCOL.stackTo) { split = SPLIT.stack; counts.stack++; }
  else if (day >= PROTOCOL.plattFrom && day <= PROTOCOL.plattTo) { split = SPLIT.platt; counts.platt++; }
  else if (day >= PROTOCOL.testFrom && day <= PROTOCOL.testTo) { split = SPLIT.test; counts.test++; }
  const hb = filter.isTest(day, event.CUSTOMER_ID) ? 1 : 0;
  filter.observe(day, event.CUSTOMER_ID, label);
  if (hb) { counts.handbookTest++; counts.handbookTestFrauds += label; }
  if (split === 0) continue;
  for (let j = 0; j < F; j++) fBuf[n * F + j] = fRow[j];
  for (let j = 0; j < B; j++) bBuf[n * B + j] = bRow[j];
  const m = [event.TRANSACTION_ID, seconds, day, event.CUSTOMER_ID, event.TERMINAL_ID, event.TX_AMOUNT, label, scenario, split, hb];
  for (let j = 0; j < M; j++) mBuf[n * M + j] = m[j];
  n++;
  kept++;
  if (n === CHUNK) flush();
}
flush();
for (const fd of Object.values(files)) closeSync(fd);
const seconds = (performance.now() - t0) / 1000;
const info = {
  rows_streamed: rows, rows_written: kept, counts, seconds: Math.round(seconds * 10) / 10,
  genuine_keep: GENUINE_KEEP, subsample_seed: SUBSAMPLE_SEED, protocol: PROTOCOL,
  fraud_spec: fraudSpec.name, fraud_features: fraud.evaluator.featureNames,
  baseline_spec: base.evaluator.spec.name, baseline_features: base.evaluator.featureNames, meta_columns: META_COLUMNS,
};
writeFileSync(join(work, 'features.json'), `${JSON.stringify(info, null, 1)}\n`);
console.log(`extract-features: ${rows} transactions streamed, ${kept} rows written (${F} + ${B} features) to ${work} in ${seconds.toFixed(1)} s`);
console.log(JSON.stringify(counts));
