// node benchmarks/src/batch-ab.mjs BASE_DIR [bundle-dir-name] — scoreBatch(256) throughput
// of this build's @riskscore/core against another build's, in one process (as
// e2e-inproc-ab.mjs: each core loads the fraud bundle and builds its own scorer over a
// store that never evicts; both use this build's onnxruntime-node backend). Both warm
// their entity state on the same 30 simulated days, then score the same events in batches
// of 256 taken in turn (the order flips every batch), each batch timed alone. Reports
// events/s from the summed batch times, p50 and p99 of one batch, and the ratio A / B.
// Last line: one JSON object.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scorableEvent } from '../../examples/fdh-fraud/src/simulator.mjs';
import { baseDirOrExit, side, warmAndTake } from './ab-sides.mjs';
import { machine, printTable, quantile } from './stats.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const baseDir = baseDirOrExit('node benchmarks/src/batch-ab.mjs BASE_DIR [bundle|bundle-trees-mlp|bundle-baseline]');
const bundleName = process.argv[3] ?? 'bundle-trees-mlp';
const BATCH = Number(process.env.AB_BATCH ?? 256);
const BATCHES = Number(process.env.AB_BATCHES ?? 200);
const WARM_BATCHES = 20;
const bundleDir = join(root, 'examples', 'fdh-fraud', bundleName);
const sides = [];
for (const dir of [root, baseDir]) sides.push(Object.assign(await side(dir, bundleDir), { ms: [], sum: 0, n: 0 }));
const txs = warmAndTake(sides, (BATCHES + WARM_BATCHES) * BATCH);
async function batch(s, k) {
  const part = txs.slice(k * BATCH, (k + 1) * BATCH);
  s.deliver(part[0].TX_TIME_SECONDS);
  const events = part.map(scorableEvent);
  const t = performance.now();
  const out = await s.scorer.scoreBatch(events);
  const dt = performance.now() - t;
  for (let i = 0; i < part.length; i++) {
    // This build returns outcomes, the old one results.
    const r = out[i].ok === undefined ? out[i] : out[i].ok ? out[i].result : null;
    if (r === null) throw new Error(`event ${k * BATCH + i} refused: ${out[i].error.message}`);
    s.sum += r.score;
    s.scored(part[i], events[i]);
  }
  if (k >= WARM_BATCHES) { s.ms.push(dt); s.n += part.length; }
}
for (let k = 0; k < BATCHES + WARM_BATCHES; k++) {
  if (k % 2 === 0) { await batch(sides[0], k); await batch(sides[1], k); } else { await batch(sides[1], k); await batch(sides[0], k); }
}
if (Math.abs(sides[0].sum - sides[1].sum) > 1e-6 * txs.length) {
  console.error(`the two builds scored differently (sums ${sides[0].sum} vs ${sides[1].sum})`);
  process.exit(1);
}
const [a, b] = sides.map((s) => {
  const sorted = Float64Array.from(s.ms).sort();
  return { rate: s.n / (s.ms.reduce((x, y) => x + y, 0) / 1000), p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
});
console.log(`\nscoreBatch(${BATCH}), examples/fdh-fraud/${bundleName}, ${BATCHES} batches each after ${WARM_BATCHES} of warm-up, alternated; ${JSON.stringify(machine())}`);
console.log(`A: this checkout; B: ${baseDir}\n`);
const r3 = (x) => x.toFixed(3);
printTable(['figure', 'A', 'B', 'A / B'], [
  ['events/s', a.rate.toFixed(0), b.rate.toFixed(0), r3(a.rate / b.rate)],
  ['batch p50 ms', a.p50.toFixed(2), b.p50.toFixed(2), r3(a.p50 / b.p50)],
  ['batch p99 ms', a.p99.toFixed(2), b.p99.toFixed(2), r3(a.p99 / b.p99)],
]);
console.log(JSON.stringify({ bundle: bundleName, batch: BATCH, batches: BATCHES, a_events_per_s: a.rate, b_events_per_s: b.rate, ratio: a.rate / b.rate, a_p50_ms: a.p50, b_p50_ms: b.p50, a_p99_ms: a.p99, b_p99_ms: b.p99 }));
