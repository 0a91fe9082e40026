// Assembles the Taiwan credit-default bundle from the training artifacts.
//
//   npm run build && node examples/taiwan-credit/build-bundle.mjs
//
// The bundle is built by `riskscore bundle` from examples/taiwan-credit/bundle.json (the
// same as `riskscore bundle --config examples/taiwan-credit/bundle.json --out
// examples/taiwan-credit/bundle`): artifacts/xgboost.json converted by riskscore's own
// converter (cover in nodes_hitrates, feature_names in the metadata), the two
// torch-exported ONNX members, the input schema, decision policy and reason texts, the
// background rows and the drift reference sample. The ensemble weights and Platt
// calibration in the config are train.py's (artifacts/train_summary.json: stacked on
// validation half 1, Platt on half 2); this script refuses to build if the two disagree,
// i.e. after a retraining the config must be updated. It also writes the demo event
// stream used by `npm start` (the 300 golden test rows with their labels).
// Deterministic: rerunning changes no byte on the same machine (the reference profile's
// score distribution comes from onnxruntime's float32 kernels, which differ in the last
// bits between CPU families, e.g. AVX-512 and AVX2 machines).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBundle } from '@riskscore/node';

const here = dirname(fileURLToPath(import.meta.url));
const art = (f) => join(here, 'artifacts', f);
const summary = JSON.parse(readFileSync(art('train_summary.json'), 'utf8'));
const features = summary.features;
const config = JSON.parse(readFileSync(join(here, 'bundle.json'), 'utf8'));
const trained = { ...Object.fromEntries(Object.entries(summary.ensemble.weights_by_member)), bias: summary.ensemble.bias, a: summary.calibration.A, b: summary.calibration.B };
const configured = { ...Object.fromEntries(config.members.map((m) => [m.name, m.weight])), bias: config.ensemble.bias, a: config.calibration.a, b: config.calibration.b };
for (const [k, v] of Object.entries(trained)) {
  if (configured[k] !== v) throw new Error(`bundle.json's ${k} is ${configured[k]}, train_summary.json's ${v}: copy the retrained values into bundle.json`);
}

const out = join(here, 'bundle');
const built = await buildBundle(join(here, 'bundle.json'), { outDir: out });
if (built.members.map((m) => m.name).join() !== 'xgboost,mlp,ft_transformer') throw new Error('unexpected members');

// The demo stream: golden rows as events (null = missing field) with their labels.
const goldens = JSON.parse(readFileSync(art('goldens.json'), 'utf8'));
const lines = goldens.rows.map((row, i) => {
  const event = { id: `golden-${i}` };
  row.forEach((v, j) => { if (v !== null) event[features[j]] = v; });
  return JSON.stringify({ event, label: goldens.label[i] });
});
writeFileSync(join(here, 'demo-events.jsonl'), `${lines.join('\n')}\n`);
console.log(`wrote ${out} (${built.id}, ${built.members.length} members) and demo-events.jsonl (${lines.length} events)`);
