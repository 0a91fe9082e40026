// npm run bench:e2e — end-to-end single-event scoring on the fraud bundles: a raw
// simulated transaction → validation → features with live entity state (206-feature spec fdh-fraud-v1:
// customer / terminal / customer×terminal windows, label-delayed fraud rates) → members →
// stacked logit → Platt → decision, one event at a time with `scorer.score()`, on one core.
//
// Stream: examples/fdh-fraud/src/simulator.mjs at the handbook's scale (5,000 customers,
// 10,000 terminals), 30 days of warm-up into the entity windows with labels fed 7 days
// late, then the measured events. Configurations:
//   full        bundle/            XGBoost + MLP + FT-Transformer
//   trees+mlp   bundle-trees-mlp/  XGBoost + MLP (its own stacking and calibration)
// Per stage (from ScoreResult.timings): features, each member, ensemble + decision.
// Also sequential throughput (events/s through score()) and scoreBatch throughput.
// Last line: one JSON object with the figures.
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createScorer, specFeatureStep } from '@riskscore/core';
import { createNodeBackend, loadBundleFromDir } from '@riskscore/node';
import { createTransactionSimulator, scorableEvent } from '../../examples/fdh-fraud/src/simulator.mjs';
import { machine, printTable, quantile } from './stats.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const N = Number(process.env.E2E_EVENTS ?? 30000);
const WARMUP_DAYS = 30;
const DELAY_S = 7 * 86400;

async function run(dir) {
  const bundle = await loadBundleFromDir(join(root, 'examples', 'fdh-fraud', dir));
  const step = specFeatureStep(bundle.manifest);
  const scorer = await createScorer(bundle, { backend: createNodeBackend(), features: step });
  const sim = createTransactionSimulator({ customers: 5000, terminals: 10000, seed: 2024 });
  const pending = [];
  let head = 0;
  const deliver = (t) => {
    while (head < pending.length && pending[head].at <= t) { const p = pending[head++]; scorer.recordOutcome(p.event, p.label); }
    if (head > 8192) { pending.splice(0, head); head = 0; }
  };
  const row = new Float32Array(bundle.manifest.features.order.length);
  for (const tx of sim.events(WARMUP_DAYS)) {
    deliver(tx.TX_TIME_SECONDS);
    const e = scorableEvent(tx);
    step.compute(e, row, 0);
    pending.push({ at: tx.TX_TIME_SECONDS + DELAY_S, event: e, label: tx.TX_FRAUD });
  }
  // Events to score, prepared up front so the timed loop measures the scorer only.
  // (one generator pass: breaking out of a generator closes it)
  const BATCH = 256, BATCHES = 20;
  const txs = [];
  for (const tx of sim.events(30)) { txs.push(tx); if (txs.length === N + 2000 + BATCH * BATCHES) break; }
  const total = new Float64Array(N), feat = new Float64Array(N), ens = new Float64Array(N);
  const mem = Object.fromEntries(bundle.manifest.members.map((m) => [m.name, new Float64Array(N)]));
  const names = Object.keys(mem);
  // 2,000 events of JIT warm-up, then N measured; wall time per call measured outside too.
  const wall = new Float64Array(N);
  let tLoop = 0;
  for (let i = 0; i < N + 2000; i++) {
    const tx = txs[i];
    deliver(tx.TX_TIME_SECONDS);
    const e = scorableEvent(tx);
    const t = performance.now();
    const r = await scorer.score(e);
    const dt = performance.now() - t;
    pending.push({ at: tx.TX_TIME_SECONDS + DELAY_S, event: e, label: tx.TX_FRAUD });
    if (i < 2000) continue;
    const k = i - 2000;
    tLoop += dt;
    wall[k] = dt * 1000;
    total[k] = r.timings.totalUs; feat[k] = r.timings.featuresUs; ens[k] = r.timings.ensembleUs;
    for (const m of names) mem[m][k] = r.timings.membersUs[m];
  }
  // Batch throughput on fresh events (the state keeps moving forward).
  const batch = txs.slice(N + 2000).map(scorableEvent);
  const tb = performance.now();
  for (let i = 0; i < batch.length; i += BATCH) await scorer.scoreBatch(batch.slice(i, i + BATCH));
  const batchRate = batch.length / ((performance.now() - tb) / 1000);
  await scorer.close();
  const s = (a) => a.sort();
  return { model: scorer.model, members: names, wall: s(wall), total: s(total), feat: s(feat), ens: s(ens), mem: Object.fromEntries(names.map((m) => [m, s(mem[m])])), seqRate: N / (tLoop / 1000), batchRate };
}

const configs = [['full', 'bundle'], ['trees+mlp', 'bundle-trees-mlp']];
const res = {};
for (const [name, dir] of configs) res[name] = await run(dir);

const f = (x) => x.toFixed(1);
const rows = [];
const fig = { events_measured: N, ...machine(), cpu_model: cpus()[0]?.model ?? 'unknown', logical_cpus: cpus().length };
for (const [name, r] of Object.entries(res)) {
  const key = name.replace('+', '_');
  rows.push([`${name}: score() wall time`, f(quantile(r.wall, 0.5)), f(quantile(r.wall, 0.99)), f(quantile(r.wall, 0.999))]);
  rows.push([`  features (validate + 206 features + state)`, f(quantile(r.feat, 0.5)), f(quantile(r.feat, 0.99)), f(quantile(r.feat, 0.999))]);
  for (const m of r.members) rows.push([`  member ${m}`, f(quantile(r.mem[m], 0.5)), f(quantile(r.mem[m], 0.99)), f(quantile(r.mem[m], 0.999))]);
  rows.push([`  ensemble + calibration + decision`, f(quantile(r.ens, 0.5)), f(quantile(r.ens, 0.99)), f(quantile(r.ens, 0.999))]);
  fig[`${key}_p50_us`] = quantile(r.wall, 0.5);
  fig[`${key}_p99_us`] = quantile(r.wall, 0.99);
  fig[`${key}_p999_us`] = quantile(r.wall, 0.999);
  fig[`${key}_features_p50_us`] = quantile(r.feat, 0.5);
  fig[`${key}_features_p99_us`] = quantile(r.feat, 0.99);
  for (const m of r.members) { fig[`${key}_${m}_p50_us`] = quantile(r.mem[m], 0.5); fig[`${key}_${m}_p99_us`] = quantile(r.mem[m], 0.99); }
  fig[`${key}_sequential_events_per_s`] = r.seqRate;
  fig[`${key}_batch256_events_per_s`] = r.batchRate;
  fig[`${key}_meets_p99_500us`] = quantile(r.wall, 0.99) <= 500;
}
console.log(`\nEnd-to-end score() per event, simulated stream (5,000 customers, 10,000 terminals, ${WARMUP_DAYS} days warm-up), ${N} events, one core (${fig.cpu_model}, ${fig.logical_cpus} logical CPUs, node ${fig.node}, ${fig.date})`);
printTable(['stage', 'p50 (µs)', 'p99 (µs)', 'p99.9 (µs)'], rows);
console.log('');
printTable(['configuration', 'model', 'events/s, score() one at a time', 'events/s, scoreBatch(256)', 'p99 ≤ 500 µs'],
  Object.entries(res).map(([name, r]) => [name, r.model, r.seqRate.toFixed(0), r.batchRate.toFixed(0), quantile(r.wall, 0.99) <= 500 ? 'yes' : 'no']));
console.log(JSON.stringify(fig));
