// node benchmarks/src/e2e-inproc-ab.mjs BASE_DIR [bundle-dir-name] — bench:e2e's score() loop for
// this build's @riskscore/core against another build's, in one process: each core loads
// the fraud bundle itself and builds its own scorer; both use this build's
// onnxruntime-node backend (one native runtime per process), so what differs is core
// and features: validation, the feature transaction, members' glue, decision. Both warm
// their entity state on the same 30 simulated days, then score the same events in chunks
// of 250 taken in turn (the order flips every chunk), each call timed alone. Last line:
// one JSON object.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scorableEvent } from '../../examples/fdh-fraud/src/simulator.mjs';
import { baseDirOrExit, side, warmAndTake } from './ab-sides.mjs';
import { machine, printTable, quantile } from './stats.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const baseDir = baseDirOrExit('node benchmarks/src/e2e-inproc-ab.mjs BASE_DIR [bundle|bundle-trees-mlp|bundle-baseline]');
const bundleName = process.argv[3] ?? 'bundle';
const N = Number(process.env.E2E_EVENTS ?? 20000);
const bundleDir = join(root, 'examples', 'fdh-fraud', bundleName);
const options = process.env.AB_IDEMPOTENCY === 'off' ? { idempotency: false } : {};
const sides = [];
for (const dir of [root, baseDir]) {
  const s = await side(dir, bundleDir, options);
  sides.push(Object.assign(s, { lat: new Float64Array(N), feat: new Float64Array(N), sum: 0 }));
}
const txs = warmAndTake(sides, N + 2000);
async function chunk(s, from, to) {
  for (let i = from; i < to; i++) {
    const tx = txs[i];
    s.deliver(tx.TX_TIME_SECONDS);
    const e = scorableEvent(tx);
    const t = performance.now();
    const r = await s.scorer.score(e);
    const dt = (performance.now() - t) * 1000;
    s.scored(tx, e);
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
