// One command rebuilds the fraud bundles from the handbook data, deterministically:
//
//   npm run build && node examples/fdh-fraud/src/rebuild.mjs [--work DIR]
//
// 1. extract-features.mjs  @riskscore/features' offline pass over 2018-04-01..08-14 (~1 min)
// 2. train.py              XGBoost, MLP, FT-Transformer, stacking, Platt, baseline (~4-6 min, one thread)
// 3. build-bundle.mjs      ONNX conversion, reference profile, manifests, sha256 (seconds)
// then, optionally, `node examples/fdh-fraud/src/evaluate.mjs` (~1 min) for the metrics table.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const work = argv.includes('--work') ? argv[argv.indexOf('--work') + 1] : '/tmp/riskscore-fdh-fraud';
const steps = [
  [process.execPath, [join(here, 'extract-features.mjs'), '--work', work]],
  ['/usr/bin/python3', [join(here, '..', 'train.py'), '--work', work]],
  [process.execPath, [join(here, '..', 'build-bundle.mjs')]],
];
const t0 = performance.now();
for (const [cmd, args] of steps) {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) { console.error(`rebuild: step failed (${r.status ?? r.signal})`); process.exit(1); }
}
console.log(`\nrebuild: done in ${((performance.now() - t0) / 60000).toFixed(1)} min`);
