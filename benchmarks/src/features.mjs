// npm run bench:features — @riskscore/features on the Fraud Detection Handbook data:
//   1. online per-event latency (computeInto, p50/p99/p99.9) of the 206-feature fraud spec
//      with warm state: May and June 2018 replayed first (61 days, past the spec's longest
//      horizon of 37 days, so every ring has reached its size), then 100,000 July events timed one by one
//      (outcomes 7 days old passed through recordOutcome, untimed), then the next 50,000
//      under V8's sampling heap profiler (collected objects included): bytes allocated
//      per event, which the hot path should keep near zero; then the same latency run with
//      the customer and terminal ids as string tokens ("cus_00001234"), as card and
//      merchant ids usually come;
//   2. offline throughput over all 1,754,155 events (six .csv.gz files, one pass through
//      computeFeaturesFile, reading included, no output file), for the 15-feature baseline
//      spec and the fraud spec;
//      wall-clock and this process's CPU time (the machine may be shared);
//   3. memory held by entity state after 10k / 100k / 1M distinct customers (synthetic
//      events, fraud spec, store bounded at 100k entities and 64 MiB per entity kind),
//      and after 1M with string ids;
//   4. the slowest single event while tables grow past a million entities (1.2M new
//      customers and customer × terminal pairs, store bounded at 4M entities): what a
//      growth of the key index or the per-entity arrays stalls; with numeric and with
//      string ids.
// Last line: one JSON object with the figures.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Session } from 'node:inspector/promises';
import * as features from '@riskscore/features';
import * as nodePkg from '@riskscore/node';
import { monthRows } from './fdh-months.mjs';
import { machine, printTable, quantile } from './stats.mjs';

const { compileFeatureSpec, createMemoryStateStore, createOfflinePass, fdhBaselineSpec, secondsFromDatetime } = features;
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dataDir = join(root, '..', 'shared', 'data', 'fdh-simulated-transactions');
const months = ['04', '05', '06', '07', '08', '09'].map((m) => join(dataDir, `transactions_2018-${m}.csv.gz`));
if (!months.every(existsSync)) {
  console.error(`bench:features needs the handbook data in ${dataDir}`);
  process.exit(1);
}
const fraudSpec = JSON.parse(readFileSync(join(root, 'packages', 'features', 'specs', 'fdh-fraud-v1.json'), 'utf8'));
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

/** The fraud spec with the customer and terminal ids as strings (tokens), and an event's ids as tokens. */
const fraudSpecStringIds = structuredClone(fraudSpec);
for (const f of fraudSpecStringIds.event.fields) {
  if (f.name === 'CUSTOMER_ID' || f.name === 'TERMINAL_ID') { delete f.integer; delete f.min; f.type = 'string'; }
}
const token = (prefix, id) => `${prefix}_${String(id).padStart(8, '0')}`;
const withTokens = (r) => ({ ...r, CUSTOMER_ID: token('cus', r.CUSTOMER_ID), TERMINAL_ID: token('ter', r.TERMINAL_ID) });


// --- 1. online latency with warm state -------------------------------------------------
// In a function so that its state (two months of entities) is garbage before the offline runs.
async function online206(stringIds) {
  const ids = stringIds ? (rows) => rows.map(withTokens) : (rows) => rows;
  const warmup = ids([...monthRows(months[1]), ...monthRows(months[2])]); // May and June
  const julyAll = ids(monthRows(months[3]).slice(0, stringIds ? 100_000 : 150_000));
  const july = julyAll.slice(0, 100_000);
  const online = compileFeatureSpec(stringIds ? fraudSpecStringIds : fraudSpec);
  {
    const pass = createOfflinePass(online); // warms the same evaluator with labels 7 days late
    const tmp = new Float32Array(online.size);
    for (const r of warmup) pass.process(r, tmp);
  }
  // Outcomes of warm-up events still pending at the start of July, then July's own.
  const WEEK = 7 * 86400;
  const pending = [...warmup.filter((r) => secondsFromDatetime(r.TX_DATETIME) + WEEK > secondsFromDatetime(july[0].TX_DATETIME)), ...july];
  let next = 0;
  const out = new Float32Array(online.size);
  const lat = new Float64Array(july.length);
  const evs = july.map((r) => ({ TRANSACTION_ID: r.TRANSACTION_ID, TX_DATETIME: r.TX_DATETIME, CUSTOMER_ID: r.CUSTOMER_ID, TERMINAL_ID: r.TERMINAL_ID, TX_AMOUNT: r.TX_AMOUNT }));
  const ts = july.map((r) => secondsFromDatetime(r.TX_DATETIME));
  const pts = pending.map((r) => secondsFromDatetime(r.TX_DATETIME));
  for (let i = 0; i < evs.length; i++) {
    while (next < pending.length && pts[next] + WEEK <= ts[i]) { online.recordOutcome(pending[next], pending[next].TX_FRAUD); next++; }
    const t0 = process.hrtime.bigint();
    online.computeInto(evs[i], out);
    lat[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  const sortedLat = Float64Array.from(lat.subarray(1000)).sort(); // first 1,000: JIT warm-up
  const latency = {
    p50: quantile(sortedLat, 0.5), p99: quantile(sortedLat, 0.99), p999: quantile(sortedLat, 0.999),
    mean: sortedLat.reduce((s, x) => s + x, 0) / sortedLat.length,
  };
  if (stringIds) return { ...latency, allocPerEvent: NaN };
  // Allocation: the next 50,000 events (outcomes included) with every sampled allocation
  // counted, also those already collected (a hot path that allocates shows up here).
  // Events and times are built first, so the figure is the evaluator's alone.
  const more = julyAll.slice(100_000);
  const moreEvs = more.map((r) => ({ TRANSACTION_ID: r.TRANSACTION_ID, TX_DATETIME: r.TX_DATETIME, CUSTOMER_ID: r.CUSTOMER_ID, TERMINAL_ID: r.TERMINAL_ID, TX_AMOUNT: r.TX_AMOUNT }));
  const moreTs = Float64Array.from(more, (r) => secondsFromDatetime(r.TX_DATETIME));
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  for (let i = 0; i < moreEvs.length; i++) {
    while (next < pending.length && pts[next] + WEEK <= moreTs[i]) { online.recordOutcome(pending[next], pending[next].TX_FRAUD); next++; }
    online.computeInto(moreEvs[i], out);
  }
  const { profile } = await session.post('HeapProfiler.stopSampling');
  session.disconnect();
  let sampled = 0;
  const walk = (n) => { sampled += n.selfSize; for (const c of n.children) walk(c); };
  walk(profile.head);
  return { ...latency, allocPerEvent: sampled / more.length };
}
const onlineRes = await online206(false);
gc();
const onlineStr = await online206(true);
gc();

// --- 2. offline throughput over all 1.75M events ---------------------------------------
// The path of `riskscore features`: computeFeaturesFile reads the files (only the columns
// the spec uses) and drives a fresh evaluator, here without writing an output file.
async function offline(spec) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await nodePkg.computeFeaturesFile({ spec, inputs: months });
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { rows: r.rows, features: r.features, wall, cpu: (cpu.user + cpu.system) / 1e6 };
}
const offBase = await offline(fdhBaselineSpec());
const offFraud = await offline(fraudSpec);

// --- 3. memory per number of entities --------------------------------------------------
function held() {
  gc(); gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed + m.arrayBuffers, rss: m.rss };
}
const maxEntities = 100_000;
const maxBytes = 64 * 1024 * 1024;
const memory = [];
for (const [n, stringIds] of [[10_000, false], [100_000, false], [1_000_000, false], [1_000_000, true]]) {
  // Measured after compiling: the Δ is the entity state (histories, keys, LRU entries).
  const ev = compileFeatureSpec(stringIds ? fraudSpecStringIds : fraudSpec, { store: createMemoryStateStore({ maxEntities, maxBytes }) });
  const before = held();
  const o = new Float32Array(ev.size);
  const e = { TRANSACTION_ID: 0, TX_DATETIME: '', CUSTOMER_ID: stringIds ? '' : 0, TERMINAL_ID: stringIds ? '' : 0, TX_AMOUNT: 0 };
  const base = Date.UTC(2018, 6, 1) / 1000;
  for (let i = 0; i < n; i++) {
    // Two events per customer, a few minutes apart, at one of 10,000 terminals.
    for (let k = 0; k < 2; k++) {
      const t = base + Math.floor((i * 2 + k) * (30 * 86400) / (2 * n));
      e.TRANSACTION_ID = i * 2 + k; e.TX_AMOUNT = 10 + ((i * 31 + k) % 200);
      e.CUSTOMER_ID = stringIds ? token('cus', i) : i;
      e.TERMINAL_ID = stringIds ? token('ter', (i * 7919 + k) % 10_000) : (i * 7919 + k) % 10_000;
      e.TX_DATETIME = new Date(t * 1000).toISOString().slice(0, 19).replace('T', ' ');
      ev.computeInto(e, o);
    }
  }
  const after = held();
  const entities = ev.store.size(0);
  memory.push({
    customers: n, stringIds, heldCustomers: entities, heldTerminals: ev.store.size(1), heldPairs: ev.store.size(2),
    storeBytes: ev.store.bytes(0) + ev.store.bytes(1) + ev.store.bytes(2),
    heapBytes: after.heap - before.heap, rssBytes: after.rss - before.rss,
  });
  ev.reset();
}

// --- 4. stalls while tables grow ---------------------------------------------------------
function growth(n, stringIds) {
  const ev = compileFeatureSpec(stringIds ? fraudSpecStringIds : fraudSpec, { store: createMemoryStateStore({ maxEntities: 4_000_000, maxBytes: 8 * 1024 ** 3 }) });
  const o = new Float32Array(ev.size);
  const e = { TRANSACTION_ID: 0, TX_DATETIME: '', CUSTOMER_ID: stringIds ? '' : 0, TERMINAL_ID: stringIds ? '' : 0, TX_AMOUNT: 0 };
  const base = Date.UTC(2018, 6, 1) / 1000;
  const lat = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = base + Math.floor(i * (30 * 86400) / n);
    e.TRANSACTION_ID = i; e.TX_AMOUNT = 10 + ((i * 31) % 200);
    e.CUSTOMER_ID = stringIds ? token('cus', i) : i;
    e.TERMINAL_ID = stringIds ? token('ter', (i * 7919) % 10_000) : (i * 7919) % 10_000;
    e.TX_DATETIME = new Date(t * 1000).toISOString().slice(0, 19).replace('T', ' ');
    const t0 = process.hrtime.bigint();
    ev.computeInto(e, o);
    lat[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  let worst = 0;
  for (let i = 1; i < n; i++) if (lat[i] > lat[worst]) worst = i;
  const sorted = Float64Array.from(lat).sort();
  const res = { n, maxUs: lat[worst], at: worst, p9999: quantile(sorted, 0.9999), p99: quantile(sorted, 0.99), over5ms: sorted.filter((x) => x > 5000).length };
  ev.reset();
  return res;
}
gc();
const grow = growth(1_200_000, false);
gc();
const growStr = growth(1_200_000, true);

// --- report -----------------------------------------------------------------------------
const mib = (b) => (b / 1048576).toFixed(1);
console.log(`\nbench:features — ${machine().date}, node ${process.version}, offline through @riskscore/node computeFeaturesFile\n`);
printTable(['online computeInto, fdh-fraud-v1 (206 features), warm', 'p50 µs', 'p99 µs', 'p99.9 µs', 'mean µs', 'heap bytes allocated / event'],
  [['100k July events after May and June replayed', onlineRes.p50.toFixed(2), onlineRes.p99.toFixed(2), onlineRes.p999.toFixed(2), onlineRes.mean.toFixed(2), Math.round(onlineRes.allocPerEvent)],
    ['the same, customer and terminal ids as string tokens', onlineStr.p50.toFixed(2), onlineStr.p99.toFixed(2), onlineStr.p999.toFixed(2), onlineStr.mean.toFixed(2), '']]);
console.log('');
printTable(['offline pass, 1,754,155 events (6 × .csv.gz, read + compute)', 'features', 'wall s', 'events/s (wall)', 'CPU s', 'events/s (CPU)'],
  [offBase, offFraud].map((r, i) => [i === 0 ? 'fdh-baseline-v1' : 'fdh-fraud-v1', r.features, r.wall.toFixed(1), Math.round(r.rows / r.wall).toLocaleString('en-US'), r.cpu.toFixed(1), Math.round(r.rows / r.cpu).toLocaleString('en-US')]));
console.log('');
printTable(['distinct customers (2 events each)', 'held customers', 'held pairs', 'store MiB', 'heap Δ MiB', 'RSS Δ MiB', 'heap bytes / held entity'],
  memory.map((m) => [m.customers.toLocaleString('en-US') + (m.stringIds ? ', string ids' : ''), m.heldCustomers.toLocaleString('en-US'), m.heldPairs.toLocaleString('en-US'), mib(m.storeBytes), mib(m.heapBytes), mib(m.rssBytes), Math.round(m.heapBytes / (m.heldCustomers + m.heldPairs + m.heldTerminals))]));
console.log(`\nstore limits: ${maxEntities.toLocaleString('en-US')} entities and ${mib(maxBytes)} MiB per entity kind (customer, terminal, customer × terminal)`);
console.log('');
printTable(['tables growing: one event per new customer (and pair)', 'events', 'p99 µs', 'p99.99 µs', 'events over 5 ms', 'slowest event µs', 'at event'],
  [[grow, 'store bounded at 4M entities per kind'], [growStr, 'the same, string ids']].map(([g, name]) => [name, g.n.toLocaleString('en-US'), g.p99.toFixed(1), g.p9999.toFixed(1), g.over5ms, g.maxUs.toFixed(0), g.at.toLocaleString('en-US')]));

console.log(JSON.stringify({
  bench: 'features', ...machine(), offline: 'computeFeaturesFile',
  online_fraud206_p50_us: +onlineRes.p50.toFixed(3), online_fraud206_p99_us: +onlineRes.p99.toFixed(3), online_fraud206_p999_us: +onlineRes.p999.toFixed(3), online_fraud206_mean_us: +onlineRes.mean.toFixed(3), online_fraud206_alloc_bytes_per_event: Math.round(onlineRes.allocPerEvent),
  online_fraud206_string_ids_p50_us: +onlineStr.p50.toFixed(3), online_fraud206_string_ids_p99_us: +onlineStr.p99.toFixed(3), online_fraud206_string_ids_p999_us: +onlineStr.p999.toFixed(3),
  offline_rows: offFraud.rows,
  offline_baseline15_events_per_s_wall: Math.round(offBase.rows / offBase.wall), offline_baseline15_events_per_s_cpu: Math.round(offBase.rows / offBase.cpu),
  offline_fraud206_events_per_s_wall: Math.round(offFraud.rows / offFraud.wall), offline_fraud206_events_per_s_cpu: Math.round(offFraud.rows / offFraud.cpu),
  ...Object.fromEntries(memory.flatMap((m) => {
    const k = `memory_${m.customers}_customers${m.stringIds ? '_string_ids' : ''}`;
    return [
      [`${k}_heap_bytes`, m.heapBytes],
      [`${k}_rss_bytes`, m.rssBytes],
      [`${k}_store_bytes`, m.storeBytes],
      [`${k}_held_entities`, m.heldCustomers + m.heldTerminals + m.heldPairs],
    ];
  })),
  store_max_entities_per_kind: maxEntities, store_max_bytes_per_kind: maxBytes,
  growth_events: grow.n, growth_p99_us: +grow.p99.toFixed(2), growth_p9999_us: +grow.p9999.toFixed(1), growth_slowest_event_us: Math.round(grow.maxUs), growth_events_over_5ms: grow.over5ms,
  growth_string_ids_p99_us: +growStr.p99.toFixed(2), growth_string_ids_p9999_us: +growStr.p9999.toFixed(1), growth_string_ids_slowest_event_us: Math.round(growStr.maxUs), growth_string_ids_events_over_5ms: growStr.over5ms,
}));
