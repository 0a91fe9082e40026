// npm run bench:fleet — entity state beyond one process, in one run:
//   features   online feature latency (the 206-feature handbook spec: read the event's
//              three entities, compute, write them back) with the in-memory store and with
//              the Redis store on a loopback redis-server, next to the floor: the same two
//              round trips with the bare ioredis client (a pipeline of three GETs, then one
//              of three SETs, of values the sizes of those entities' records before and after
//              the event). Measured event by event on the same events: the floor right after
//              the Redis step, the in-memory step before or after them on alternate events.
//              Targets: Redis p50 ≤ 1.3 × the floor's p50, Redis p99 ≤ 1.5 ms.
//   score      score() events/s of the trees + MLP fraud bundle with each store, FLEET_INFLIGHT
//              (default 64) calls in flight.
//   stream     NATS JetStream end to end (benchmarks/src/stream.mjs, when it is there): events/s
//              and publish-to-decision p50/p99 with publisher, nats-server and scorer on this
//              machine. Target ≥ 10,000 events/s.
// Events: the handbook's April 2018 transactions (../shared/data); FLEET_WARM (default 20,000)
// events build the state first, FLEET_EVENTS (default 5,000) are measured.
// Last line: one JSON object with the figures.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { compileFeatureSpec, createMemoryStateStore } from '@riskscore/features';
import { createScorer } from '@riskscore/core';
import { createNodeBackend, loadBundleFromDir } from '@riskscore/node';
import { createRedisStateStore, startRedisServer } from '@riskscore/node/redis';
import { monthRows } from './fdh-months.mjs';
import { machine, printTable, quantile } from './stats.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const env = (name, dflt) => {
  const v = process.env[name];
  const n = v === undefined || v === '' ? dflt : Number(v);
  if (!Number.isFinite(n) || n < 0) { console.error(`${name} must be a non-negative number, got ${JSON.stringify(v)}`); process.exit(2); }
  return n;
};
const WARM = Math.round(env('FLEET_WARM', 20_000));
const N = Math.round(env('FLEET_EVENTS', 5_000));
const INFLIGHT = Math.max(1, Math.round(env('FLEET_INFLIGHT', 64)));
const april = resolve(root, '..', 'shared', 'data', 'fdh-simulated-transactions', 'transactions_2018-04.csv.gz');
if (!existsSync(april)) { console.error(`bench:fleet needs ${april} (the handbook transactions in ../shared/data)`); process.exit(2); }
const events = monthRows(april).map(({ TX_FRAUD, ...e }) => e);
if (events.length < WARM + 3 * N) { console.error(`the April file has ${events.length} events, fewer than FLEET_WARM + 3 × FLEET_EVENTS`); process.exit(2); }

const redis = await startRedisServer();
process.on('exit', () => { void redis.stop(); });
const client = new Redis(redis.port, '127.0.0.1', { enableOfflineQueue: false, lazyConnect: true });
await client.connect();
const floorClient = new Redis(redis.port, '127.0.0.1', { enableOfflineQueue: false, lazyConnect: true });
await floorClient.connect();

const bundleDir = join(root, 'examples', 'fdh-fraud', 'bundle-trees-mlp');
const bundle = await loadBundleFromDir(bundleDir);
const spec = bundle.manifest.features.spec;

// ---- features: one event at a time, three ways
const mem = compileFeatureSpec(spec, { store: createMemoryStateStore({ maxEntities: 1_000_000 }), clock: null });
const rstore = createRedisStateStore({ client, prefix: 'bench', timeoutMs: 1000 });
const red = compileFeatureSpec(spec, { store: rstore, clock: null });
const row = new Float64Array(mem.size);
const row2 = new Float64Array(red.size);
console.error(`warming both stores on ${WARM} events …`);
for (let i = 0; i < WARM; i++) {
  mem.computeInto(events[i], row);
  await red.prefetch(events[i]);
  await red.commitAsync(red.prepare(events[i], row2));
}
const recordBytes = [];
const floorKeys = (e) => [`floor:c${e.CUSTOMER_ID}`, `floor:t${e.TERMINAL_ID}`, `floor:x${e.CUSTOMER_ID}:${e.TERMINAL_ID}`];
const sizesOf = async (e) => {
  const ks = [rstore.keyOf(0, e.CUSTOMER_ID), rstore.keyOf(1, e.TERMINAL_ID), rstore.keyOf(2, e.CUSTOMER_ID * 2 ** 26 + e.TERMINAL_ID)];
  const p = client.pipeline();
  for (const k of ks) p.hstrlen(k, 's');
  return (await p.exec()).map(([, n]) => Number(n));
};
const tFloor = [], tRedis = [], tMem = [];
let differ = 0;
console.error(`measuring ${N} events …`);
for (let i = WARM; i < WARM + N; i++) {
  const e = events[i];
  // The floor's values: the sizes of this event's records before it (read) and after it
  // (written), set up outside the timing; the floor runs right after the Redis step.
  const fk = floorKeys(e);
  const before = await sizesOf(e);
  const setup = floorClient.pipeline();
  for (let j = 0; j < 3; j++) setup.set(fk[j], Buffer.alloc(before[j], 1));
  await setup.exec();
  let vals;
  const floor = async () => {
    const t = process.hrtime.bigint();
    const g = floorClient.pipeline();
    for (const k of fk) g.getBuffer(k);
    await g.exec();
    const s = floorClient.pipeline();
    for (let j = 0; j < 3; j++) s.set(fk[j], vals[j]);
    await s.exec();
    tFloor.push(Number(process.hrtime.bigint() - t) / 1000);
  };
  const viaRedis = async () => {
    const t = process.hrtime.bigint();
    await red.prefetch(e);
    const tok = red.prepare(e, row2);
    await red.commitAsync(tok);
    tRedis.push(Number(process.hrtime.bigint() - t) / 1000);
  };
  const inMemory = () => {
    const t = process.hrtime.bigint();
    mem.computeInto(e, row);
    tMem.push(Number(process.hrtime.bigint() - t) / 1000);
  };
  const measureRedis = async () => {
    await viaRedis();
    const after = await sizesOf(e);
    recordBytes.push(...after);
    vals = after.map((n) => Buffer.alloc(n, i & 255));
    await floor();
  };
  if (i % 2 === 0) { await measureRedis(); inMemory(); }
  else { inMemory(); await measureRedis(); }
  for (let k = 0; k < row.length; k++) if (!Object.is(row[k], row2[k])) { differ++; break; }
}
const q = (a, p) => quantile([...a].sort((x, y) => x - y), p);
const feat = {
  floorP50: q(tFloor, 0.5), floorP99: q(tFloor, 0.99),
  redisP50: q(tRedis, 0.5), redisP99: q(tRedis, 0.99),
  memoryP50: q(tMem, 0.5), memoryP99: q(tMem, 0.99),
  recordBytesP50: q(recordBytes, 0.5), recordBytesP99: q(recordBytes, 0.99),
  rowsDiffering: differ,
};
feat.p50OverFloor = feat.redisP50 / feat.floorP50;

// ---- score(): the trees + MLP bundle with each store, INFLIGHT calls in flight
const backend = createNodeBackend();
const scorers = {
  memory: await createScorer(bundle, { backend, clock: null, idempotency: false }),
  redis: await createScorer(bundle, { backend, clock: null, idempotency: false, store: createRedisStateStore({ client, prefix: 'bench-score', timeoutMs: 1000 }) }),
};
const rate = {};
const from = WARM + N;
for (const [name, s] of Object.entries(scorers)) {
  const slice = events.slice(from, from + N);
  const t = performance.now();
  const inflight = new Set();
  let failed = 0;
  for (const e of slice) {
    while (inflight.size >= INFLIGHT) await Promise.race(inflight);
    const p = s.safeScore(e).then((o) => { if (!o.ok) failed++; inflight.delete(p); });
    inflight.add(p);
  }
  await Promise.all(inflight);
  rate[name] = { eventsPerSecond: slice.length / ((performance.now() - t) / 1000), failed };
}
for (const s of Object.values(scorers)) await s.close();
client.disconnect();
floorClient.disconnect();
await redis.stop();

// ---- stream: the NATS bench, when it is there
let stream = null;
const streamScript = join(here, 'stream.mjs');
if (existsSync(streamScript)) {
  console.error('running benchmarks/src/stream.mjs …');
  const r = spawnSync(process.execPath, [streamScript], { encoding: 'utf8', timeout: 600_000, env: process.env });
  const last = (r.stdout ?? '').trim().split('\n').pop();
  try { stream = JSON.parse(last); } catch { stream = { error: `stream.mjs exited ${r.status}: ${(r.stderr ?? '').slice(-400)}` }; }
  process.stderr.write(r.stdout ?? '');
}

const f1 = (x) => x.toFixed(1);
console.log(`\nOnline features, 206-feature handbook spec, ${N} events after ${WARM} (µs; record sizes p50 ${feat.recordBytesP50} B, p99 ${feat.recordBytesP99} B):\n`);
printTable(['store', 'p50 µs', 'p99 µs', 'p50 / floor'], [
  ['in memory', f1(feat.memoryP50), f1(feat.memoryP99), '—'],
  ['floor: 2 pipelined round trips, bare ioredis', f1(feat.floorP50), f1(feat.floorP99), '1.00'],
  ['Redis store (read, compute, compare-and-set write)', f1(feat.redisP50), f1(feat.redisP99), feat.p50OverFloor.toFixed(2)],
]);
console.log(`\nscore(), trees + MLP fraud bundle, ${INFLIGHT} in flight, ${N} events:\n`);
printTable(['store', 'events/s', 'failed'], Object.entries(rate).map(([k, v]) => [k, Math.round(v.eventsPerSecond), v.failed]));
if (stream) console.log(`\nNATS JetStream end to end: ${JSON.stringify(stream)}`);
console.log(`\ntargets: Redis p50 ≤ 1.3 × floor: ${feat.p50OverFloor <= 1.3 ? 'met' : 'NOT met'} (${feat.p50OverFloor.toFixed(2)}); Redis p99 ≤ 1500 µs: ${feat.redisP99 <= 1500 ? 'met' : 'NOT met'} (${f1(feat.redisP99)}); rows identical: ${differ === 0 ? 'yes' : `NO (${differ})`}`);
console.log(JSON.stringify({ bench: 'fleet', machine: machine(), events: N, warm: WARM, features: feat, score: rate, stream }));
