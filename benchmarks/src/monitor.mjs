// npm run bench:monitor — the in-process monitor on the Taiwan example bundle (23 features):
//   1. monitor.observe per event on realistic rows (the bundle's reference sample), with
//      tumbling windows of 1000 and with a sliding window of 4 × 1000; the window-close
//      cost (PSI, JS and chi-square of 23 features and the score, the drift tests) alone,
//      with and without the tests, and the first close at a new window size (null models
//      built: Taiwan's 24 and the fraud bundle's 206 features); track + late label;
//   2. full score() with and without the monitor as its observer (interleaved blocks);
//   3. heapUsed before and after 10M observed events (after a forced GC; the script
//      re-executes itself with --expose-gc when started without it).
// Last line: one JSON object with the figures.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

if (typeof globalThis.gc !== 'function') {
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const { createMonitor, createScorer, referenceProfileFromRows, categoricalFeaturesOf } = await import('@riskscore/core');
const { createNodeBackend, loadBundleFromDir } = await import('@riskscore/node');
const { machine, printTable, quantile } = await import('./stats.mjs');

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const example = join(root, 'examples', 'taiwan-credit');
const bundle = await loadBundleFromDir(join(example, 'bundle'));
const order = bundle.manifest.features.order;
const nF = order.length;
const sample = JSON.parse(readFileSync(join(example, 'artifacts', 'reference_sample.json'), 'utf8'));
const nRows = sample.length;
const rows = new Float32Array(nRows * nF);
sample.forEach((r, i) => r.forEach((v, j) => (rows[i * nF + j] = v === null ? NaN : v)));
const backend = createNodeBackend();
const plain = await createScorer(bundle, { backend });
const scores = (await plain.predictFeatures(rows, nRows)).scores;
const reference = referenceProfileFromRows(sample, order, { categorical: categoricalFeaturesOf(bundle.manifest), scores });
const decisions = ['approve', 'review', 'decline'];
const decisionOf = new Array(nRows);
for (let i = 0; i < nRows; i++) decisionOf[i] = scores[i] < 0.25 ? decisions[0] : scores[i] < 0.6 ? decisions[1] : decisions[2];

/** ns per observe over n events (rows cycled), best of `reps` runs. */
function observeNs(monitor, n, reps = 5) {
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    for (let k = 0, i = 0; k < n; k++) {
      monitor.observe(rows, i * nF, scores[i], 180 + (k & 63), decisionOf[i]);
      if (++i === nRows) i = 0;
    }
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / n);
  }
  return best;
}

// --- 1. observe
const N = 2_000_000;
const tumbling = createMonitor(bundle, { reference, window: { events: 1000 } });
const sliding = createMonitor(bundle, { reference, window: { events: 1000 }, slidingWindows: 4 });
const noWindow = createMonitor(bundle, { reference, window: { events: 2 ** 31 - 1 } });
observeNs(tumbling, 200_000, 1); observeNs(sliding, 200_000, 1); observeNs(noWindow, 200_000, 1);
const nsTumbling = observeNs(tumbling, N);
const nsSliding = observeNs(sliding, N);
const nsRecordOnly = observeNs(noWindow, N);
// Window close alone: fill 1000 rows, time flush() (µs, sorted; the first 20 closes, which
// build the null models while the sliding window fills, left out).
function closeTimesUs(options) {
  const closer = createMonitor(bundle, { reference, window: { events: 2 ** 31 - 1 }, slidingWindows: 4, ...options });
  const out = [];
  for (let w = 0; w < 300; w++) {
    for (let k = 0; k < 1000; k++) closer.observe(rows, ((w * 1000 + k) % nRows) * nF, scores[(w * 1000 + k) % nRows], 200, 'approve');
    const t = performance.now();
    closer.flush();
    if (w >= 20) out.push((performance.now() - t) * 1000);
  }
  return out.sort((x, y) => x - y);
}
const closeUs = closeTimesUs({});
// The same without the drift tests (falseDiscoveryRate: null: fixed thresholds alone).
const closeUntestedUs = closeTimesUs({ falseDiscoveryRate: null });
// The first close at a window size builds every feature's null model at that size (then
// cached): time it at five new sizes, for Taiwan (24 profiled) and for the fraud bundle's
// 206 features (its reference profile and the training rows behind it).
function firstCloseMs(source, data, width, sizes) {
  const out = [];
  for (const n of sizes) {
    const mon = createMonitor(source, { window: { events: 2 ** 31 - 1 } });
    for (let k = 0; k < n; k++) mon.observe(data.rows, (k % data.count) * width, data.scores[k % data.count], 200, 'approve');
    const t = performance.now();
    mon.flush();
    out.push(performance.now() - t);
  }
  return out.sort((a, b) => a - b)[out.length >> 1];
}
const firstTaiwanMs = firstCloseMs({ reference, featureNames: order }, { rows, scores, count: nRows }, nF, [1001, 1003, 1005, 1007, 1009]);
const fdhDir = join(root, 'examples', 'fdh-fraud');
const fdhOrder = JSON.parse(readFileSync(join(fdhDir, 'bundle', 'manifest.json'), 'utf8')).features.order;
const fdhSample = JSON.parse(readFileSync(join(fdhDir, 'artifacts', 'reference_sample.json'), 'utf8'));
const fdhRows = new Float32Array(fdhSample.length * fdhOrder.length);
fdhSample.forEach((r, i) => fdhRows.set(r, i * fdhOrder.length));
const fdhSource = { reference: JSON.parse(readFileSync(join(fdhDir, 'bundle', 'reference.json'), 'utf8')), featureNames: fdhOrder };
const firstFdhMs = firstCloseMs(fdhSource, { rows: fdhRows, scores: new Float64Array(fdhSample.length), count: fdhSample.length }, fdhOrder.length, [1001, 1003, 1005, 1007, 1009]);
// track + late label per event (ids made before timing: the caller owns them).
const ids = Array.from({ length: 200_000 }, (_, i) => `tx-${i}`);
const tracker = createMonitor(bundle, { reference, outcomeCapacity: 100_000 });
let best = Infinity;
for (let r = 0; r < 5; r++) {
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < ids.length; k++) {
    tracker.track(ids[k], scores[k % nRows]);
    if (k >= 1000) tracker.recordOutcome(ids[k - 1000], k & 1);
  }
  best = Math.min(best, Number(process.hrtime.bigint() - t0) / ids.length);
}
const nsTrack = best;

// --- 2. score() with and without the monitor
const watched = await createScorer(bundle, { backend, observer: createMonitor(bundle, { reference, window: { events: 1000 }, slidingWindows: 4 }) });
// Complete events only: the shipped bundle requires all 23 fields and refuses the demo
// events with blank cells (90 of 300, blanked on purpose to test missing values); a
// refusal stops at validation and never reaches the observer, so it would measure
// neither scoring nor the monitor. (Section 1's rows are the reference sample, NaN cells
// included: observe() takes feature rows, nothing validates there.)
const events = readFileSync(join(example, 'demo-events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).event)
  .filter((e) => bundle.manifest.input.fields.every((f) => e[f.name] !== undefined && e[f.name] !== null));
for (const s of [plain, watched]) {
  const refused = (await s.scoreBatch(events)).filter((o) => !o.ok);
  if (refused.length > 0) throw new Error(`bench:monitor: ${refused.length} complete demo events refused, first: ${refused[0].error.message}`);
}
const BLOCK = 500, BLOCKS = 40;
const lat = { plain: [], watched: [] };
for (let i = 0; i < 400; i++) { await plain.score(events[i % events.length]); await watched.score(events[i % events.length]); }
for (let b = 0; b < BLOCKS; b++) {
  for (const [name, s] of (b & 1 ? [['watched', watched], ['plain', plain]] : [['plain', plain], ['watched', watched]])) {
    for (let i = 0; i < BLOCK; i++) {
      const t = performance.now();
      await s.score(events[(b * BLOCK + i) % events.length]);
      lat[name].push((performance.now() - t) * 1000);
    }
  }
}
const stat = (a) => { const s = Float64Array.from(a).sort(); return { p50: quantile(s, 0.5), p99: quantile(s, 0.99), mean: a.reduce((x, y) => x + y, 0) / a.length }; };
const sp = stat(lat.plain), sw = stat(lat.watched);
await plain.close(); await watched.close();

// --- 3. memory over 10M events
const M = 10_000_000;
const mem = createMonitor(bundle, { reference, window: { events: 1000 }, slidingWindows: 4, outcomeCapacity: 10_000 });
observeNs(mem, 100_000, 1);
globalThis.gc(); globalThis.gc();
const heapBefore = process.memoryUsage().heapUsed;
const sizeBefore = mem.stateSize();
const t0 = performance.now();
for (let k = 0, i = 0; k < M; k++) {
  mem.observe(rows, i * nF, scores[i], 180, decisionOf[i]);
  if (++i === nRows) i = 0;
}
const tenMs = performance.now() - t0;
globalThis.gc(); globalThis.gc();
const heapAfter = process.memoryUsage().heapUsed;
const sizeAfter = mem.stateSize();

const m = machine();
console.log(`\nMonitor on ${bundle.id}: ${nF} features + score, ${reference.features.filter((f) => f.kind === 'categorical').length} categorical; node ${m.node}, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, ${m.date}`);
printTable(['', 'value'], [
  ['observe, tumbling 1000 (ns/event, incl. window closes)', nsTumbling.toFixed(0)],
  ['observe, sliding 4 × 1000 (ns/event, incl. window closes)', nsSliding.toFixed(0)],
  ['observe, counting only (no window close) (ns/event)', nsRecordOnly.toFixed(0)],
  ['window close: PSI + JS + χ² of 24 + BH tests (µs, p50)', quantile(Float64Array.from(closeUs), 0.5).toFixed(1)],
  ['window close without the tests (µs, p50)', quantile(Float64Array.from(closeUntestedUs), 0.5).toFixed(1)],
  ['first close at a new window size: null models, Taiwan 24 (ms)', firstTaiwanMs.toFixed(0)],
  ['first close at a new window size: null models, fraud 206 (ms)', firstFdhMs.toFixed(0)],
  ['track + late label (ns/event)', nsTrack.toFixed(0)],
  ['score() without monitor p50 / mean (µs)', `${sp.p50.toFixed(1)} / ${sp.mean.toFixed(1)}`],
  ['score() with monitor p50 / mean (µs)', `${sw.p50.toFixed(1)} / ${sw.mean.toFixed(1)}`],
  ['score() difference p50 / mean (µs)', `${(sw.p50 - sp.p50).toFixed(2)} / ${(sw.mean - sp.mean).toFixed(2)}`],
  ['10M observed events: wall (s)', (tenMs / 1000).toFixed(2)],
  ['heapUsed before → after 10M events (MiB)', `${(heapBefore / 2 ** 20).toFixed(2)} → ${(heapAfter / 2 ** 20).toFixed(2)}`],
  ['monitor typed-array state before / after (KiB)', `${(sizeBefore.typedArrayBytes / 1024).toFixed(1)} / ${(sizeAfter.typedArrayBytes / 1024).toFixed(1)}`],
]);
console.log(JSON.stringify({
  bundle: bundle.id,
  features: nF,
  observe_tumbling_ns_per_event: Math.round(nsTumbling),
  observe_sliding4_ns_per_event: Math.round(nsSliding),
  observe_count_only_ns_per_event: Math.round(nsRecordOnly),
  window_close_p50_us: +quantile(Float64Array.from(closeUs), 0.5).toFixed(2),
  window_close_untested_p50_us: +quantile(Float64Array.from(closeUntestedUs), 0.5).toFixed(2),
  first_close_null_models_taiwan_ms: +firstTaiwanMs.toFixed(1),
  first_close_null_models_fdh_ms: +firstFdhMs.toFixed(1),
  track_and_label_ns_per_event: Math.round(nsTrack),
  score_plain_p50_us: +sp.p50.toFixed(2),
  score_monitored_p50_us: +sw.p50.toFixed(2),
  score_plain_mean_us: +sp.mean.toFixed(2),
  score_monitored_mean_us: +sw.mean.toFixed(2),
  score_monitor_overhead_mean_us: +(sw.mean - sp.mean).toFixed(3),
  events_10m_wall_s: +(tenMs / 1000).toFixed(2),
  heap_before_bytes: heapBefore,
  heap_after_bytes: heapAfter,
  heap_growth_bytes_10m_events: heapAfter - heapBefore,
  state_typed_array_bytes: sizeAfter.typedArrayBytes,
  node: m.node,
  cpu: cpus()[0]?.model ?? 'unknown',
  date: m.date,
}));
