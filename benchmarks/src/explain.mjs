// TreeSHAP benchmark: @riskscore/explain (built) vs xgboost's C++ pred_contribs
// (nthread=1, Debian's python3-xgboost), same model, same rows, same run.
//
//   npm run bench:explain            (from the repository root; builds first)
//
// A 200-tree depth-6 binary:logistic model is trained by /usr/bin/python3 on the Taiwan
// credit-default data (../shared/data), or on synthetic data of the same shape when the
// folder is absent. Rows: 2000 held-out rows with ~10% NaN cells. Then the same on the
// fraud bundle's 400-tree member (its golden rows), and explained scores on the committed
// bundles. Prints tables, and as its very last line one JSON object with the figures.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTreeExplainer, createTreeInteractionExplainer } from '@riskscore/explain';
import { createScorer, treeEnsembleFromXgboostJson } from '@riskscore/core';
import { createNodeBackend, loadBundleFromDir } from '@riskscore/node';
import { latencies, quantile } from './stats.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DATA = resolve(ROOT, '..', 'shared', 'data', 'taiwan-credit-default', 'default_of_credit_card_clients.csv');
const WORK = join(tmpdir(), 'riskscore-bench-explain');
mkdirSync(WORK, { recursive: true });
const N_ROWS = 2000;
// SHAP interaction values cost ~2·F TreeSHAP passes a row: timed on the first 50 rows.
const N_INTER = 50;

const PY = String.raw`
import json, sys, time, os
import numpy as np, xgboost as xgb
data, work, n_rows, n_inter = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rng = np.random.default_rng(11)
if os.path.exists(data):
    import pandas as pd
    df = pd.read_csv(data)
    y = df['default payment next month'].to_numpy(np.float32)
    X = df.drop(columns=['ID', 'default payment next month']).to_numpy(np.float32)
    source = 'taiwan-credit-default'
else:
    X = rng.normal(size=(30000, 23)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] * X[:, 2] + rng.normal(size=30000) > 0.5).astype(np.float32)
    source = 'synthetic'
Xtr, ytr = X[:25000].copy(), y[:25000]
Xtr[rng.random(Xtr.shape) < 0.05] = np.nan
model_path = os.path.join(work, 'model-200x6.json')
if not os.path.exists(model_path):
    b = xgb.train({'objective': 'binary:logistic', 'max_depth': 6, 'eta': 0.1, 'base_score': 0.25,
                   'tree_method': 'hist', 'nthread': 2, 'seed': 1}, xgb.DMatrix(Xtr, label=ytr), 200)
    b.save_model(model_path)
b = xgb.Booster(model_file=model_path)
b.set_param({'nthread': 1})
rows = X[25000:25000 + n_rows].copy()
rows[rng.random(rows.shape) < 0.1] = np.nan
rows.astype('<f4').tofile(os.path.join(work, 'rows.f32'))
d = xgb.DMatrix(rows, nthread=1)
b.predict(d, pred_contribs=True)  # warm-up
times = []
for _ in range(3):
    t0 = time.perf_counter(); c = b.predict(d, pred_contribs=True); times.append(time.perf_counter() - t0)
c.astype('<f8').tofile(os.path.join(work, 'contribs.f64'))
di = xgb.DMatrix(rows[:n_inter], nthread=1)
t0 = time.perf_counter(); ci = b.predict(di, pred_interactions=True); inter_s = time.perf_counter() - t0
ci.astype('<f8').tofile(os.path.join(work, 'interactions.f64'))
json.dump({'source': source, 'xgboost': xgb.__version__, 'nFeatures': int(X.shape[1]),
           'predContribsMsPerRow': min(times) * 1000 / n_rows, 'modelPath': model_path,
           'predInteractionsMsPerRow': inter_s * 1000 / n_inter}, sys.stdout)
`;

const py = JSON.parse(execFileSync('/usr/bin/python3', ['-c', PY, DATA, WORK, String(N_ROWS), String(N_INTER)], { encoding: 'utf8', maxBuffer: 1 << 26 }));
const F = py.nFeatures;
const model = treeEnsembleFromXgboostJson(JSON.parse(readFileSync(py.modelPath, 'utf8')));
const rb = readFileSync(join(WORK, 'rows.f32'));
const rows = new Float32Array(rb.buffer.slice(rb.byteOffset, rb.byteOffset + rb.byteLength));
const cb = readFileSync(join(WORK, 'contribs.f64'));
const xgbContribs = new Float64Array(cb.buffer.slice(cb.byteOffset, cb.byteOffset + cb.byteLength));

function timeExplainer(ex) {
  const out = new Float64Array(ex.outputLength);
  const row = new Float32Array(F);
  const once = () => {
    for (let r = 0; r < N_ROWS; r++) {
      row.set(rows.subarray(r * F, (r + 1) * F));
      ex.explainRow(row, out);
    }
  };
  once(); // warm-up (JIT)
  let best = Infinity;
  for (let rep = 0; rep < 3; rep++) {
    const t0 = process.hrtime.bigint();
    once();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const all = ex.explainBatch(rows, N_ROWS);
  let maxDiff = 0;
  for (let i = 0; i < all.length; i++) maxDiff = Math.max(maxDiff, Math.abs(all[i] - xgbContribs[i]));
  return { msPerRow: best / N_ROWS, maxDiff };
}

const t0 = process.hrtime.bigint();
const auto = createTreeExplainer(model);
const setupMs = Number(process.hrtime.bigint() - t0) / 1e6;
const fast = timeExplainer(auto);
const exact = timeExplainer(createTreeExplainer(model, { algorithm: 'exact' }));

// SHAP interaction values vs xgboost pred_interactions (one pass, it is seconds long).
const ib = readFileSync(join(WORK, 'interactions.f64'));
const xgbInteractions = new Float64Array(ib.buffer.slice(ib.byteOffset, ib.byteOffset + ib.byteLength));
const interactionExplainer = createTreeInteractionExplainer(model);
interactionExplainer.explainBatch(rows.subarray(0, 5 * F), 5); // warm-up (JIT)
const ti = process.hrtime.bigint();
const ours = interactionExplainer.explainBatch(rows.subarray(0, N_INTER * F), N_INTER);
const interactionMsPerRow = Number(process.hrtime.bigint() - ti) / 1e6 / N_INTER;
let interactionMaxDiff = 0;
for (let i = 0; i < ours.length; i++) interactionMaxDiff = Math.max(interactionMaxDiff, Math.abs(ours[i] - xgbInteractions[i]));

// The same comparison on the fraud bundle's tree member (400 trees, depth <= 6, 206
// features): xgboost on the model it was trained as (artifacts/xgboost.json), explain on
// the bundle's ONNX copy, on the 200 golden rows and 100 of them with 5 % NaN cells.
const FRAUD = join(ROOT, 'examples', 'fdh-fraud');
const PY_FRAUD = String.raw`
import json, sys, time, os
import numpy as np, xgboost as xgb
here, work = sys.argv[1], sys.argv[2]
g = json.load(open(os.path.join(here, 'artifacts', 'goldens.json')))
s = json.load(open(os.path.join(here, 'artifacts', 'shap_goldens.json')))
rows = np.array(g['rows'] + [[np.nan if v is None else v for v in r] for r in s['nan_rows']], dtype=np.float32)
b = xgb.Booster({'nthread': 1}); b.load_model(os.path.join(here, 'artifacts', 'xgboost.json'))
d = xgb.DMatrix(rows, missing=np.nan, feature_names=b.feature_names, nthread=1)
b.predict(d, pred_contribs=True)
times = []
for _ in range(5):
    t0 = time.perf_counter(); c = b.predict(d, pred_contribs=True); times.append(time.perf_counter() - t0)
rows.astype('<f4').tofile(os.path.join(work, 'fraud-rows.f32'))
np.asarray(c, dtype='<f8').tofile(os.path.join(work, 'fraud-contribs.f64'))
json.dump({'nRows': int(rows.shape[0]), 'nFeatures': int(rows.shape[1]), 'predContribsMsPerRow': min(times) * 1000 / rows.shape[0]}, sys.stdout)
`;
let fraudShap = null;
if (existsSync(join(FRAUD, 'artifacts', 'xgboost.json')) && existsSync(join(FRAUD, 'bundle', 'manifest.json'))) {
  const pf = JSON.parse(execFileSync('/usr/bin/python3', ['-c', PY_FRAUD, FRAUD, WORK], { encoding: 'utf8', maxBuffer: 1 << 26 }));
  const fb = await loadBundleFromDir(join(FRAUD, 'bundle'));
  const trees = fb.members.find((m) => m.trees).trees;
  const fr = readFileSync(join(WORK, 'fraud-rows.f32'));
  const fRows = new Float32Array(fr.buffer.slice(fr.byteOffset, fr.byteOffset + fr.byteLength));
  const fc = readFileSync(join(WORK, 'fraud-contribs.f64'));
  const fContribs = new Float64Array(fc.buffer.slice(fc.byteOffset, fc.byteOffset + fc.byteLength));
  const ex = createTreeExplainer(trees);
  const out = new Float64Array(ex.outputLength);
  const row = new Float32Array(pf.nFeatures);
  const once = () => {
    for (let r = 0; r < pf.nRows; r++) { row.set(fRows.subarray(r * pf.nFeatures, (r + 1) * pf.nFeatures)); ex.explainRow(row, out); }
  };
  once();
  let best = Infinity;
  for (let rep = 0; rep < 5; rep++) {
    const t = process.hrtime.bigint();
    once();
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6);
  }
  const all = ex.explainBatch(fRows, pf.nRows);
  let maxDiff = 0;
  for (let i = 0; i < all.length; i++) maxDiff = Math.max(maxDiff, Math.abs(all[i] - fContribs[i]));
  fraudShap = { trees: trees.treeRoot.length, rows: pf.nRows, xgbMsPerRow: pf.predContribsMsPerRow, msPerRow: best / pf.nRows, maxDiff, tableMiB: ex.plan.tableBytes / 2 ** 20 };
}

const fmt = (x, d = 3) => x.toFixed(d);
console.log(`TreeSHAP, ${model.treeRoot.length} trees depth 6, ${F} features, ${N_ROWS} rows (${py.source}, ~10% NaN), one core`);
console.log(`machine: ${cpus()[0].model}, node ${process.version}, xgboost ${py.xgboost}`);
console.log('');
console.log('| method | ms/row | rows/s | vs xgboost | max abs diff vs pred_contribs |');
console.log('| --- | ---: | ---: | ---: | ---: |');
console.log(`| xgboost pred_contribs (C++, nthread=1) | ${fmt(py.predContribsMsPerRow)} | ${Math.round(1000 / py.predContribsMsPerRow)} | 1.00× | — |`);
console.log(`| explain TreeSHAP auto (tables: ${auto.plan.fastTrees} trees, ${fmt(auto.plan.tableBytes / 2 ** 20, 1)} MiB, setup ${fmt(setupMs, 0)} ms) | ${fmt(fast.msPerRow)} | ${Math.round(1000 / fast.msPerRow)} | ${fmt(py.predContribsMsPerRow / fast.msPerRow, 2)}× | ${fast.maxDiff.toExponential(1)} |`);
console.log(`| explain TreeSHAP exact (Algorithm 2) | ${fmt(exact.msPerRow)} | ${Math.round(1000 / exact.msPerRow)} | ${fmt(py.predContribsMsPerRow / exact.msPerRow, 2)}× | ${exact.maxDiff.toExponential(1)} |`);
console.log('');
console.log(`SHAP interaction values, same model, first ${N_INTER} rows ((F+1)² = ${(F + 1) ** 2} values a row), one core`);
console.log('');
console.log('| method | ms/row | rows/s | vs xgboost | max abs diff vs pred_interactions |');
console.log('| --- | ---: | ---: | ---: | ---: |');
console.log(`| xgboost pred_interactions (C++, nthread=1) | ${fmt(py.predInteractionsMsPerRow, 1)} | ${fmt(1000 / py.predInteractionsMsPerRow, 1)} | 1.00× | — |`);
console.log(`| explain createTreeInteractionExplainer | ${fmt(interactionMsPerRow, 1)} | ${fmt(1000 / interactionMsPerRow, 1)} | ${fmt(py.predInteractionsMsPerRow / interactionMsPerRow, 2)}× | ${interactionMaxDiff.toExponential(1)} |`);
if (fraudShap) {
  console.log('');
  console.log(`TreeSHAP on the fraud bundle's tree member: ${fraudShap.trees} trees depth <= 6, 206 features, ${fraudShap.rows} rows (the golden rows, 100 of them with 5% NaN), one core`);
  console.log('');
  console.log('| method | ms/row | rows/s | vs xgboost | max abs diff vs pred_contribs |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  console.log(`| xgboost pred_contribs (C++, nthread=1) | ${fmt(fraudShap.xgbMsPerRow)} | ${Math.round(1000 / fraudShap.xgbMsPerRow)} | 1.00× | — |`);
  console.log(`| explain TreeSHAP auto (tables ${fmt(fraudShap.tableMiB, 1)} MiB) | ${fmt(fraudShap.msPerRow)} | ${Math.round(1000 / fraudShap.msPerRow)} | ${fmt(fraudShap.xgbMsPerRow / fraudShap.msPerRow, 2)}× | ${fraudShap.maxDiff.toExponential(1)} |`);
}
// score(event, { explain }) on the committed bundles: the whole scoring path plus exact
// TreeSHAP of the tree member and reason codes (neural members omitted, the latency
// budget configuration), one event at a time.
const explainedScores = {};
// Taiwan: its complete demo rows (the shipped bundle requires all 23 fields and refuses
// the 90 of 300 demo events with cells blanked on purpose to test missing values; a
// refusal would time validation, not an explained score). Fraud: simulated transactions after 10 days of warm-up of
// the entity windows (labels fed back 7 days late), so the features are realistic.
async function fraudEvents() {
  const { createTransactionSimulator, scorableEvent } = await import('../../examples/fdh-fraud/src/simulator.mjs');
  const sim = createTransactionSimulator({ customers: 5000, terminals: 10000, seed: 7 });
  const out = [];
  for (const tx of sim.events(14)) out.push({ event: scorableEvent(tx), label: tx.TX_FRAUD, t: tx.TX_TIME_SECONDS });
  return out;
}
const bundles = [
  ['taiwan-credit', join(ROOT, 'examples', 'taiwan-credit', 'bundle'), async (bundle) => readFileSync(join(ROOT, 'examples', 'taiwan-credit', 'demo-events.jsonl'), 'utf8').trim().split('\n').map((l) => ({ event: JSON.parse(l).event }))
    .filter(({ event }) => bundle.manifest.input.fields.every((f) => event[f.name] !== undefined && event[f.name] !== null))],
  ['fdh-fraud', join(ROOT, 'examples', 'fdh-fraud', 'bundle'), fraudEvents],
  // the same trees with the MLP only (no FT-Transformer): the latency-budget variant
  ['fdh-fraud-trees-mlp', join(ROOT, 'examples', 'fdh-fraud', 'bundle-trees-mlp'), fraudEvents],
];
console.log('');
console.log('| score(event, { explain: { neural: \'omit\' } }) | p50 µs | p99 µs | explain part p50 µs |');
console.log('| --- | ---: | ---: | ---: |');
for (const [name, dir, load] of bundles) {
  if (!existsSync(join(dir, 'manifest.json'))) continue;
  const bundle = await loadBundleFromDir(dir);
  const scorer = await createScorer(bundle, { backend: createNodeBackend() });
  const stream = await load(bundle);
  // Warm the entity windows (stateful bundles) with all but the last 3,200 events.
  const measured = stream.length > 3200 ? stream.slice(-3200) : stream;
  if (stream.length > 3200) {
    const pending = [];
    for (const { event, label, t } of stream.slice(0, -3200)) {
      while (pending.length && pending[0].at <= t) { const p = pending.shift(); scorer.recordOutcome(p.event, p.label); }
      await scorer.score(event);
      pending.push({ at: t + 7 * 86400, event, label });
    }
  }
  // Each call takes the next event (time order matters for stateful bundles): 200 warm-up
  // calls, then 3,000 measured.
  const explainUs = new Float64Array(3000);
  let next = 0;
  const lat = await latencies(async (i) => {
    // score() throws on a refusal, so a refused event stops the benchmark instead of being timed.
    const r = await scorer.score(measured[next++ % measured.length].event, { explain: { neural: 'omit' } });
    explainUs[i] = r.timings.explainUs;
  }, 3000, 200);
  explainUs.sort();
  await scorer.close();
  explainedScores[name] = { p50Us: +quantile(lat, 0.5).toFixed(1), p99Us: +quantile(lat, 0.99).toFixed(1), explainP50Us: +quantile(explainUs, 0.5).toFixed(1) };
  console.log(`| ${name} | ${quantile(lat, 0.5).toFixed(0)} | ${quantile(lat, 0.99).toFixed(0)} | ${quantile(explainUs, 0.5).toFixed(0)} |`);
}

console.log(JSON.stringify({
  benchmark: 'explain',
  explainedScoreTreesOnly: explainedScores,
  data: py.source,
  trees: model.treeRoot.length,
  rows: N_ROWS,
  xgboostPredContribsMsPerRow: +py.predContribsMsPerRow.toFixed(4),
  treeShapAutoMsPerRow: +fast.msPerRow.toFixed(4),
  treeShapAutoRowsPerS: Math.round(1000 / fast.msPerRow),
  treeShapExactMsPerRow: +exact.msPerRow.toFixed(4),
  speedupAutoVsXgboost: +(py.predContribsMsPerRow / fast.msPerRow).toFixed(2),
  speedupExactVsXgboost: +(py.predContribsMsPerRow / exact.msPerRow).toFixed(2),
  interactionsMsPerRow: +interactionMsPerRow.toFixed(2),
  xgbPredInteractionsMsPerRow: +py.predInteractionsMsPerRow.toFixed(2),
  interactionsMaxAbsDiff: interactionMaxDiff,
  maxAbsDiffVsXgboost: fast.maxDiff,
  tableMiB: +(auto.plan.tableBytes / 2 ** 20).toFixed(2),
  setupMs: +setupMs.toFixed(1),
  ...(fraudShap ? {
    fraudXgboostPredContribsMsPerRow: +fraudShap.xgbMsPerRow.toFixed(4),
    fraudTreeShapMsPerRow: +fraudShap.msPerRow.toFixed(4),
    fraudSpeedupVsXgboost: +(fraudShap.xgbMsPerRow / fraudShap.msPerRow).toFixed(2),
    fraudMaxAbsDiffVsXgboost: fraudShap.maxDiff,
  } : {}),
}));
