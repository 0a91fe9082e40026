// node benchmarks/src/e2e-inproc-ab.mjs BASE_DIR [bundle-dir-name] — bench:e2e's score() loop for
// this build's @riskscore/core against another build's, in one process: each core loads
// the fraud bundle itself and builds its own scorer; both use this build's
// onnxruntime-node backend (one native runtime per process), so what differs is core
// and features: validation, the feature transaction, members' glue, decision. Both warm
// their entity state on the same 30 simulated days, then score the same events in chunks
// of 250 taken in turn (the order flips every chunk), each call timed alone. Last line:
// one JSON object.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createNodeBackend } from '@riskscore/node';
import { createTransactionSimulator, scorableEvent } from '../../examples/fdh-fraud/src/simulator.mjs';
import { machine, printTable, quantile } from './stats.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const baseDir = resolve(process.argv[2] ?? '');
const bundleName = process.argv[3] ?? 'bundle';
const coreOf = (dir) => join(dir, 'packages', 'core', 'dist', 'index.js');
if (!process.argv[2] || !existsSync(coreOf(baseDir))) {
  console.error('usage: node benchmarks/src/e2e-inproc-ab.mjs BASE_DIR [bundle|bundle-trees-mlp|bundle-baseline]');
  process.exit(1);
}
const N = Number(process.env.E2E_EVENTS ?? 20000);
const DELAY_S = 7 * 86400;
const bundleDir = join(root, 'examples', 'fdh-fraud', bundleName);
const files = { readFile: async (p) => new Uint8Array(readFileSync(join(bundleDir, p))) };

async function side(dir) {
  const core = await import(pathToFileURL(coreOf(dir)).href);
  const features = await import(pathToFileURL(join(dir, 'packages', 'features', 'dist', 'index.js')).href);
  const bundle = await core.loadBundle(files);
  // A store that never evicts: the builds evict differently (segmented LRU now, plain LRU
  // before), and the comparison is of speed on the same features.
  const step = core.specFeatureStep(bundle.manifest, { store: features.createMemoryStateStore({ maxEntities: 1 << 21, maxBytes: 2 ** 31 }) });
  const scorer = await core.createScorer(bundle, { backend: createNodeBackend(), features: step, ...(process.env.AB_IDEMPOTENCY === 'off' ? { idempotency: false } : {}) });
  return { core, bundle, step, scorer, pending: [], head: 0, lat: new Float64Array(N), feat: new Float64Array(N), sum: 0 };
}
const sides = [await side(root), await side(baseDir)];
const sim = createTransactionSimulator({ customers: 5000, terminals: 10000, seed: 2024 });
const deliver = (s, t) => {
  while (s.head < s.pending.length && s.pending[s.head].at <= t) { const p = s.pending[s.head++]; s.scorer.recordOutcome(p.event, p.label); }
};
for (const s of sides) {
  const row = new Float32Array(s.bundle.manifest.features.order.length);
  for (const tx of createTransactionSimulator({ customers: 5000, terminals: 10000, seed: 2024 }).events(30)) {
    deliver(s, tx.TX_TIME_SECONDS);
    const e = scorableEvent(tx);
    s.step.compute(e, row, 0);
    s.pending.push({ at: tx.TX_TIME_SECONDS + DELAY_S, event: e, label: tx.TX_FRAUD });
  }
}
// The same 30 days again from the same seed, then the next events are the ones scored.
const txs = [];
let skipped = 0;
for (const tx of sim.events(60)) {
  if (skipped < sides[0].pending.length) { skipped++; continue; }
  txs.push(tx);
  if (txs.length === N + 2000) break;
}
async function chunk(s, from, to) {
  for (let i = from; i < to; i++) {
    const tx = txs[i];
    deliver(s, tx.TX_TIME_SECONDS);
    const e = scorableEvent(tx);
    const t = performance.now();
    const r = await s.scorer.score(e);
    const dt = (performance.now() - t) * 1000;
    s.pending.push({ at: tx.TX_TIME_SECONDS + DELAY_S, event: e, label: tx.TX_FRAUD });
    s.sum += r.score;
    if (i >= 2000) { s.lat[i - 2000] = dt; s.feat[i - 2000] = r.timings.featuresUs; }
  }
}
const CHUNK = 250;
for (let c = 0, from = 0; from < txs.length; c++, from += CHUNK) {
  const to = Math.min(txs.length, from + CHUNK);
  if (c % 2 === 0) { await chunk(sides[0], from, to); await chunk(sides[1], from, to); }
  else { await chunk(sides[1], from, to); await chunk(sides[0], from, to); }
}
if (Math.abs(sides[0].sum - sides[1].sum) > 1e-6 * txs.length) {
  console.error(`the two builds scored differently (sums ${sides[0].sum} vs ${sides[1].sum})`);
  process.exit(1);
}
const st = (x) => { const s = Float64Array.from(x).sort(); return { p50: quantile(s, 0.5), p99: quantile(s, 0.99), p999: quantile(s, 0.999) }; };
const [a, b] = sides.map((s) => ({ wall: st(s.lat), feat: st(s.feat) }));
console.log(`\nscore() one event at a time, examples/fdh-fraud/${bundleName}, ${N} events each after 2,000 of warm-up, chunks of ${CHUNK} alternated; ${JSON.stringify(machine())}`);
console.log(`A: this checkout; B: ${baseDir}\n`);
const r3 = (x) => x.toFixed(3);
printTable(['figure', 'A µs', 'B µs', 'A / B'], [
  ['score() wall p50', a.wall.p50.toFixed(1), b.wall.p50.toFixed(1), r3(a.wall.p50 / b.wall.p50)],
  ['score() wall p99', a.wall.p99.toFixed(1), b.wall.p99.toFixed(1), r3(a.wall.p99 / b.wall.p99)],
  ['features stage p50', a.feat.p50.toFixed(1), b.feat.p50.toFixed(1), r3(a.feat.p50 / b.feat.p50)],
  ['features stage p99', a.feat.p99.toFixed(1), b.feat.p99.toFixed(1), r3(a.feat.p99 / b.feat.p99)],
]);
console.log(JSON.stringify({ bundle: bundleName, events: N, a_p50_us: a.wall.p50, a_p99_us: a.wall.p99, b_p50_us: b.wall.p50, b_p99_us: b.wall.p99, ratio_p50: a.wall.p50 / b.wall.p50, ratio_p99: a.wall.p99 / b.wall.p99, ratio_features_p50: a.feat.p50 / b.feat.p50, ratio_features_p99: a.feat.p99 / b.feat.p99 }));
