// bench:batch — batch scoring of the handbook's test month, three ways, in one run:
//   scoreTable  an Arrow table of the month's events (@riskscore/node scoreTable, chunks of BATCH_CHUNK)
//   scoreBatch  the same events as objects, scoreBatch in chunks of BATCH_CHUNK
//   score()     one event at a time (the first BATCH_SINGLE events)
// for the trees-only (the full bundle's XGBoost member alone), trees + MLP and full fraud
// bundles (examples/fdh-fraud). Every row starts from the same entity state: the last
// BATCH_WARM_DAYS days of July scored once per bundle (outcomes not fed: the label-delayed
// windows stay empty, which costs the same), its snapshot restored into each row's store.
// Events/s over the scored events, on one core (onnxruntime with one intra-op thread).
// Targets (issue #13): scoreTable ≥ 100,000 events/s trees + MLP, ≥ 30,000 full.
//   npm run bench:batch        (BATCH_ROWS=50000 BATCH_CHUNK=4096 BATCH_SINGLE=10000 BATCH_WARM_DAYS=7)
// Last line: one JSON object.
import { cpus } from 'node:os';
import { join } from 'node:path';
import { tableFromArrays } from 'apache-arrow';
import { createScorer, specFeatureStep } from '@riskscore/core';
import { createMemoryStateStore } from '@riskscore/features';
import { createNodeBackend, loadBundleFromDir, scoreTable } from '@riskscore/node';
import { existsSync } from 'node:fs';
import { monthRows } from './fdh-months.mjs';
import { machine, printTable } from './stats.mjs';

const num = (k, d) => (process.env[k] ? Number(process.env[k]) : d);
const ROWS = num('BATCH_ROWS', 50_000);
const CHUNK = num('BATCH_CHUNK', 4096);
const SINGLE = num('BATCH_SINGLE', 10_000);
const WARM_DAYS = num('BATCH_WARM_DAYS', 7);
const TARGETS = { trees_mlp: 100_000, full: 30_000 };

const root = join(import.meta.dirname, '..', '..');
const dataDir = join(root, '..', 'shared', 'data', 'fdh-simulated-transactions');
if (!existsSync(dataDir)) { console.error(`bench:batch needs the handbook data in ${dataDir}`); process.exit(2); }
const strip = (r) => ({ TRANSACTION_ID: r.TRANSACTION_ID, TX_DATETIME: r.TX_DATETIME, CUSTOMER_ID: r.CUSTOMER_ID, TERMINAL_ID: r.TERMINAL_ID, TX_AMOUNT: r.TX_AMOUNT });
const july = monthRows(join(dataDir, 'transactions_2018-07.csv.gz'));
const warmFrom = `2018-07-${String(32 - WARM_DAYS).padStart(2, '0')}`;
const warm = july.filter((r) => r.TX_DATETIME >= warmFrom).map(strip);
const august = monthRows(join(dataDir, 'transactions_2018-08.csv.gz')).slice(0, ROWS).map(strip);
const table = tableFromArrays({
  TRANSACTION_ID: Float64Array.from(august, (e) => e.TRANSACTION_ID),
  TX_DATETIME: august.map((e) => e.TX_DATETIME),
  CUSTOMER_ID: Float64Array.from(august, (e) => e.CUSTOMER_ID),
  TERMINAL_ID: Float64Array.from(august, (e) => e.TERMINAL_ID),
  TX_AMOUNT: Float64Array.from(august, (e) => e.TX_AMOUNT),
});
console.error(`bench:batch: ${warm.length} warm-up events (from ${warmFrom}), ${august.length} August events, chunks of ${CHUNK}`);

const backend = createNodeBackend({ intraOpNumThreads: 1 });
async function scorerFrom(bundle, snapshot) {
  const store = createMemoryStateStore({});
  if (snapshot) store.restore(snapshot);
  const features = specFeatureStep(bundle.manifest, { clock: null, store });
  return { scorer: await createScorer(bundle, { backend, features }), store };
}
const treesOnly = (b) => ({ ...b, id: `${b.manifest.name}-trees@${b.manifest.version}`, members: b.members.slice(0, 1), manifest: { ...b.manifest, members: b.manifest.members.slice(0, 1) } });
const full = await loadBundleFromDir(join(root, 'examples', 'fdh-fraud', 'bundle'));
const bundles = [
  ['trees', 'trees only (XGBoost)', treesOnly(full)],
  ['trees_mlp', 'trees + MLP', await loadBundleFromDir(join(root, 'examples', 'fdh-fraud', 'bundle-trees-mlp'))],
  ['full', 'full (+ FT-Transformer)', full],
];

const fig = { bench: 'batch', ...machine(), cpu_model: cpus()[0]?.model ?? 'unknown', rows: august.length, chunk: CHUNK, single: SINGLE, warm_events: warm.length };
const rows = [];
for (const [key, label, bundle] of bundles) {
  const w = await scorerFrom(bundle, null);
  for (let i = 0; i < warm.length; i += CHUNK) await w.scorer.scoreBatch(warm.slice(i, i + CHUNK));
  const snapshot = w.store.snapshot();
  await w.scorer.close();
  const res = {};
  const run = async (mode, scorer, events, tab) => {
    let refused = 0;
    let sum = 0;
    if (mode === 'scoreTable') {
      const r = await scoreTable(scorer, tab, { chunkRows: CHUNK });
      refused = r.refused;
      const sc = r.table.getChild('score');
      for (let i = 0; i < events.length; i++) sum += sc.get(i) ?? 0;
    } else if (mode === 'scoreBatch') {
      for (let i = 0; i < events.length; i += CHUNK) {
        for (const o of await scorer.scoreBatch(events.slice(i, i + CHUNK))) { if (o.ok) sum += o.result.score; else refused++; }
      }
    } else {
      for (const e of events) {
        const o = await scorer.safeScore(e);
        if (o.ok) sum += o.result.score; else refused++;
      }
    }
    return { refused, sum };
  };
  for (const mode of ['scoreTable', 'scoreBatch', 'score']) {
    // JIT warm-up on a throwaway scorer, so that no mode pays for compiling the shared code.
    const jit = await scorerFrom(bundle, snapshot);
    await run(mode, jit.scorer, august.slice(0, 2000), table.slice(0, 2000));
    await jit.scorer.close();
    const { scorer } = await scorerFrom(bundle, snapshot);
    const events = mode === 'score' ? august.slice(0, Math.min(SINGLE, august.length)) : august;
    const t0 = performance.now();
    const { refused, sum } = await run(mode, scorer, events, table);
    const s = (performance.now() - t0) / 1000;
    await scorer.close();
    const n = events.length;
    res[mode] = { events: n, seconds: s, rate: n / s, refused, sum };
    console.error(`  ${label} ${mode}: ${(n / s).toFixed(0)} events/s (${refused} refused)`);
  }
  // The two batch paths score the same events from the same state: their sums agree.
  if (Math.abs(res.scoreTable.sum - res.scoreBatch.sum) > 1e-6 * august.length) throw new Error(`${key}: scoreTable and scoreBatch disagree (${res.scoreTable.sum} vs ${res.scoreBatch.sum})`);
  rows.push([label, bundle.id ?? `${bundle.manifest.name}@${bundle.manifest.version}`, res.scoreTable.rate.toFixed(0), res.scoreBatch.rate.toFixed(0), res.score.rate.toFixed(0), (res.scoreTable.rate / res.score.rate).toFixed(2), res.scoreTable.refused]);
  for (const [mode, r] of Object.entries(res)) Object.assign(fig, { [`${key}_${mode}_events_per_s`]: r.rate, [`${key}_${mode}_events`]: r.events, [`${key}_${mode}_refused`]: r.refused });
}
console.log(`\nBatch scoring of the handbook's August 2018 (${august.length} events, state from ${warm.length} July events), one core, onnxruntime 1 thread (${fig.cpu_model}, node ${fig.node}, ${fig.date})`);
printTable(['bundle', 'model', 'scoreTable ev/s', `scoreBatch(${CHUNK}) ev/s`, 'score() ev/s', 'scoreTable / score()', 'refused'], rows);
const met = { trees_mlp: fig.trees_mlp_scoreTable_events_per_s >= TARGETS.trees_mlp, full: fig.full_scoreTable_events_per_s >= TARGETS.full };
printTable(['target (issue #13)', 'wanted', 'measured', 'met'], [
  ['scoreTable trees + MLP', `≥ ${TARGETS.trees_mlp}`, fig.trees_mlp_scoreTable_events_per_s.toFixed(0), met.trees_mlp ? 'yes' : 'NO'],
  ['scoreTable full', `≥ ${TARGETS.full}`, fig.full_scoreTable_events_per_s.toFixed(0), met.full ? 'yes' : 'NO'],
]);
Object.assign(fig, { target_trees_mlp_met: met.trees_mlp, target_full_met: met.full });
console.log(JSON.stringify(fig));
