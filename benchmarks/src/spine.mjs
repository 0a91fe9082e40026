// npm run bench:spine — the scoring spine on the Taiwan example bundle (200 trees of
// depth 6, an MLP, an FT-Transformer), all in one run:
//   1. TS tree evaluator vs onnxruntime-node on the same tree file: batch-1 latency and
//      rows/s at batch 1, 64, 1024;
//   2. full ensemble score() p50/p99 vs the sum of its members' raw calls at batch 1;
//   3. bundle load time, and decoding the 200-tree ONNX file with core's own protobuf
//      reader vs protobufjs (the generated ONNX module that onnxruntime-web ships).
// Last line: one JSON object with the figures.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { createScorer, onnxModelFromBytes, treeGraphFromOnnx } from '@riskscore/core';
import { createNodeBackend, loadBundleFromDir } from '@riskscore/node';
import { latencies, latenciesSync, machine, printTable, quantile, throughput } from './stats.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bundleDir = join(root, 'examples', 'taiwan-credit', 'bundle');
const events = readFileSync(join(root, 'examples', 'taiwan-credit', 'demo-events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).event);

const bundle = await loadBundleFromDir(bundleDir);
const nF = bundle.manifest.features.order.length;
// score() and scoreBatch() must measure scoring, not refusals: the shipped bundle requires
// all 23 fields and refuses the demo events with blank cells (90 of 300, blanked on
// purpose to test missing values), so section 2 feeds it the complete events only. The
// feature matrix of sections 1 and 2 (trees, members' raw calls) keeps all 300 rows, NaN
// cells included: nothing validates there, and the NaN rows exercise the missing-value
// branches of the trees.
const complete = events.filter((e) => bundle.manifest.input.fields.every((f) => e[f.name] !== undefined && e[f.name] !== null));
const treeMember = bundle.members.find((m) => m.spec.kind === 'trees');
const trees = treeMember.trees;

// Feature rows: the demo events (NaN for missing), tiled to 1024.
const base = new Float32Array(events.length * nF);
events.forEach((e, i) => bundle.manifest.features.order.forEach((f, j) => (base[i * nF + j] = e[f] ?? NaN)));
const rows = new Float32Array(1024 * nF);
for (let i = 0; i < 1024; i++) rows.set(base.subarray((i % events.length) * nF, ((i % events.length) + 1) * nF), i * nF);

const opts = { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
const ortTrees = await ort.InferenceSession.create(treeMember.bytes, opts);
const out = new Float64Array(1024);

// --- 1. trees: TS vs onnxruntime-node
const N1 = 20000;
const tsLat = latenciesSync((i) => trees.predictMargins(rows.subarray((i % 1024) * nF, (i % 1024 + 1) * nF), 1, out), N1);
const ortLat = await latencies((i) => ortTrees.run({ features: new ort.Tensor('float32', rows.subarray((i % 1024) * nF, (i % 1024 + 1) * nF), [1, nF]) }, ['margin']), N1);
const treeRows = [];
const treeFig = {};
for (const b of [1, 64, 1024]) {
  const x = rows.subarray(0, b * nF);
  const ts = await throughput(() => trees.predictMargins(x, b, out), b);
  const ortT = await throughput(() => ortTrees.run({ features: new ort.Tensor('float32', x, [b, nF]) }, ['margin']), b);
  treeFig[`trees_ts_rows_per_s_batch${b}`] = ts;
  treeFig[`trees_ort_node_rows_per_s_batch${b}`] = ortT;
  treeRows.push([`rows/s at batch ${b}`, ts.toFixed(0), ortT.toFixed(0), (ts / ortT).toFixed(2)]);
}
console.log(`\nTree member (${trees.nTrees} trees, ${trees.nNodes} nodes, ${nF} features): TS evaluator vs onnxruntime-node ${ort.env.versions?.common ?? ''}`);
printTable(['', 'TS (core)', 'onnxruntime-node', 'TS / ORT'], [
  ['batch-1 latency p50 (µs)', quantile(tsLat, 0.5).toFixed(2), quantile(ortLat, 0.5).toFixed(2), `${(quantile(ortLat, 0.5) / quantile(tsLat, 0.5)).toFixed(2)}× faster`],
  ['batch-1 latency p99 (µs)', quantile(tsLat, 0.99).toFixed(2), quantile(ortLat, 0.99).toFixed(2), `${(quantile(ortLat, 0.99) / quantile(tsLat, 0.99)).toFixed(2)}× faster`],
  ...treeRows,
]);

// --- 2. full ensemble score() vs its members' raw calls
const scorer = await createScorer(bundle, { backend: createNodeBackend() });
const refused = (await scorer.scoreBatch(complete)).filter((o) => !o.ok);
if (refused.length > 0) throw new Error(`bench:spine: ${refused.length} complete demo events refused, first: ${refused[0].error.message}`);
const raw = {};
for (const m of bundle.members.filter((x) => x.spec.kind === 'neural')) {
  const s = await ort.InferenceSession.create(m.bytes, opts);
  raw[m.spec.name] = await latencies((i) => s.run({ [m.spec.input.name]: new ort.Tensor('float32', rows.subarray((i % 1024) * nF, (i % 1024 + 1) * nF), [1, nF]) }, [m.spec.output.name]), 5000);
}
raw[treeMember.spec.name] = tsLat;
const N2 = 5000;
const scoreLat = await latencies((i) => scorer.score(complete[i % complete.length]), N2);
const sumP50 = Object.values(raw).reduce((s, l) => s + quantile(l, 0.5), 0);
const ensRows = Object.entries(raw).map(([n, l]) => [`member ${n} raw call`, quantile(l, 0.5).toFixed(1), quantile(l, 0.99).toFixed(1)]);
ensRows.push(['sum of member raw calls', sumP50.toFixed(1), '']);
ensRows.push(['score(event): validate → features → members → ensemble → decision', quantile(scoreLat, 0.5).toFixed(1), quantile(scoreLat, 0.99).toFixed(1)]);
ensRows.push(['score() p50 / sum of members p50', (quantile(scoreLat, 0.5) / sumP50).toFixed(3), '']);
const batchRates = {};
for (const b of [1, 64, 1024]) {
  const evs = Array.from({ length: b }, (_, i) => complete[i % complete.length]);
  batchRates[b] = await throughput(() => scorer.scoreBatch(evs), b);
  ensRows.push([`scoreBatch rows/s at batch ${b}`, batchRates[b].toFixed(0), '']);
}
console.log(`\nFull ensemble (${bundle.id}), one event at a time, onnxruntime-node for neural members; the ${complete.length} complete demo events of ${events.length}`);
printTable(['', 'p50 (µs)', 'p99 (µs)'], ensRows);

// --- 3. bundle load and ONNX decoding
const loadLat = await latencies(() => loadBundleFromDir(bundleDir), 30, 3);
const treeBytes = treeMember.bytes;
const oursDecode = latenciesSync(() => treeGraphFromOnnx(onnxModelFromBytes(treeBytes)), 50, 5);
const require = createRequire(import.meta.url);
const onnxProto = require(join(root, 'node_modules', 'onnxruntime-web', 'lib', 'onnxjs', 'ort-schema', 'protobuf', 'onnx.js')).onnx;
const pbDecode = latenciesSync(() => onnxProto.ModelProto.decode(treeBytes), 50, 5);
console.log(`\nLoading (${(treeBytes.length / 1024).toFixed(0)} KiB tree file, whole bundle ${bundle.members.reduce((s, m) => s + m.bytes.length, 0) >> 10} KiB)`);
printTable(['', 'p50 (ms)'], [
  ['loadBundleFromDir: read, sha256, decode, check shapes, parse trees', (quantile(loadLat, 0.5) / 1000).toFixed(2)],
  ['decode + parse 200-tree ONNX: core reader (to flat arrays)', (quantile(oursDecode, 0.5) / 1000).toFixed(2)],
  ['decode 200-tree ONNX: protobufjs ModelProto.decode (objects only)', (quantile(pbDecode, 0.5) / 1000).toFixed(2)],
]);
await scorer.close();

const figures = {
  bench: 'spine', ...machine(), model: bundle.id, trees: trees.nTrees,
  trees_ts_batch1_p50_us: quantile(tsLat, 0.5), trees_ts_batch1_p99_us: quantile(tsLat, 0.99),
  trees_ort_node_batch1_p50_us: quantile(ortLat, 0.5), trees_ort_node_batch1_p99_us: quantile(ortLat, 0.99),
  trees_ts_speedup_vs_ort_batch1_p50: quantile(ortLat, 0.5) / quantile(tsLat, 0.5),
  ...treeFig,
  score_p50_us: quantile(scoreLat, 0.5), score_p99_us: quantile(scoreLat, 0.99), members_raw_p50_sum_us: sumP50,
  score_p50_over_members_sum: quantile(scoreLat, 0.5) / sumP50,
  score_batch_rows_per_s_batch1: batchRates[1], score_batch_rows_per_s_batch64: batchRates[64], score_batch_rows_per_s_batch1024: batchRates[1024],
  bundle_load_p50_ms: quantile(loadLat, 0.5) / 1000, onnx_tree_decode_core_p50_ms: quantile(oursDecode, 0.5) / 1000, onnx_tree_decode_protobufjs_p50_ms: quantile(pbDecode, 0.5) / 1000,
};
console.log(JSON.stringify(figures));
