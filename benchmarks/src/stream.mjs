// npm run bench:stream — stream scoring on NATS JetStream end to end, publisher, nats-server
// and scorer on this machine: this process publishes the handbook's April 2018 events
// (STREAM_EVENTS, default 200,000) to <prefix>.in.<customer>, the server's mapping puts
// them in STREAM_PARTITIONS (default 4) partitions, STREAM_SCORERS (default 2) child
// processes of `riskscore stream` (the trees + MLP fraud bundle; the partitions dealt
// between them) score them and publish each decision, and this process reads the
// decisions as they are stored.
//   saturated  publish as fast as PubAcks come (1,024 in flight): events/s from the first
//              publish to the last decision, and publish-to-decision p50/p99 (with queueing).
//   paced      STREAM_PACED_EVENTS (default 30,000) more at half the saturated rate:
//              publish-to-decision p50/p99 without a queue.
// STREAM_SNAPSHOT_MS sets the scorers' --snapshot-interval-ms. Target: saturated ≥ 10,000 events/s.
// Last line: one JSON object.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import { createNatsEventPublisher, natsLayout, startNatsServer } from '@riskscore/node/nats';
import { monthRows } from './fdh-months.mjs';
import { machine, printTable, quantile } from './stats.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const env = (name, dflt) => {
  const v = process.env[name];
  const n = v === undefined || v === '' ? dflt : Number(v);
  if (!Number.isInteger(n) || n < 1) { console.error(`${name} must be a positive integer, got ${JSON.stringify(v)}`); process.exit(2); }
  return n;
};
const N = env('STREAM_EVENTS', 200_000);
const PACED = env('STREAM_PACED_EVENTS', 30_000);
const P = env('STREAM_PARTITIONS', 4);
const april = resolve(root, '..', 'shared', 'data', 'fdh-simulated-transactions', 'transactions_2018-04.csv.gz');
if (!existsSync(april)) { console.error(`bench:stream needs ${april} (the handbook transactions in ../shared/data)`); process.exit(2); }
const all = monthRows(april).map(({ TX_FRAUD, ...e }) => e);
if (all.length < N + PACED) { console.error(`the April file has ${all.length} events, fewer than STREAM_EVENTS + STREAM_PACED_EVENTS`); process.exit(2); }

const prefix = 'bench';
const layout = natsLayout({ prefix, partitions: P });
const server = await startNatsServer({ config: layout.mapping });
const bundleDir = join(root, 'examples', 'fdh-fraud', 'bundle-trees-mlp');
const nodeFlags = (process.env.STREAM_NODE_FLAGS ?? '').split(' ').filter(Boolean);
// STREAM_SCORERS processes (default 2), the partitions dealt round-robin, each keeping to its own.
const S = Math.min(env('STREAM_SCORERS', 2), P);
const claims = Array.from({ length: S }, (_, k) => Array.from({ length: P }, (_, p) => p).filter((p) => p % S === k));
const children = claims.map((claim) => spawn(process.execPath, [...nodeFlags, join(root, 'packages', 'node', 'dist', 'cli.js'), 'stream', '--nats', server.url, '--bundle', bundleDir, '--prefix', prefix, '--partitions', String(P), '--claim', claim.join(','), '--no-takeover', '--snapshot-every', '100000', ...(process.env.STREAM_SNAPSHOT_MS ? ['--snapshot-interval-ms', process.env.STREAM_SNAPSHOT_MS] : [])], { stdio: ['ignore', 'pipe', 'inherit'] }));
const stop = async () => { for (const c of children) c.kill('SIGKILL'); await server.stop(); };
process.on('exit', () => { for (const c of children) c.kill('SIGKILL'); });
const ready = await Promise.all(children.map((child) => new Promise((res, rej) => {
  createInterface({ input: child.stdout }).on('line', (l) => { try { const o = JSON.parse(l); if (o.ready) res(o.ready); } catch { /* not JSON */ } });
  child.on('exit', (c) => rej(new Error(`riskscore stream exited ${c}`)));
})));
console.error(`scorers ready: ${JSON.stringify(ready.map((r) => r.partitions))}`);

const nc = await connect({ servers: server.url });
const publisher = createNatsEventPublisher({ nc, prefix, partitions: P, keyField: 'CUSTOMER_ID', idField: 'TRANSACTION_ID' });
const sentAt = new Map();
const latencies = [];
let decided = 0;
let refused = 0;
let lastAt = 0;
let waitFor = 0;
let onDone;
const sub = nc.subscribe(`${prefix}.decisions.>`, {
  callback: (err, m) => {
    if (err) return;
    const d = m.json();
    const t0 = sentAt.get(d.id);
    if (t0 === undefined) return;
    sentAt.delete(d.id);
    const now = performance.now();
    latencies.push((now - t0) * 1000);
    lastAt = now;
    decided++;
    if (!d.ok) refused++;
    if (decided === waitFor) onDone?.();
  },
});
await nc.flush();

async function run(events, ratePerSecond) {
  latencies.length = 0;
  decided = 0;
  refused = 0;
  waitFor = events.length;
  const done = new Promise((r) => { onDone = r; });
  const t0 = performance.now();
  if (ratePerSecond === undefined) {
    const stamped = (function* () { for (const e of events) { sentAt.set(e.TRANSACTION_ID, performance.now()); yield e; } })();
    await publisher.publishAll(stamped, { window: 1024 });
  } else {
    // Paced: every millisecond, the events due by then.
    let i = 0;
    while (i < events.length) {
      const due = Math.min(events.length, Math.floor(((performance.now() - t0) / 1000) * ratePerSecond) + 1);
      const batch = [];
      for (; i < due; i++) { sentAt.set(events[i].TRANSACTION_ID, performance.now()); batch.push(publisher.publish(events[i])); }
      await Promise.all(batch);
      await new Promise((r) => setTimeout(r, 1));
    }
  }
  const published = performance.now();
  await Promise.race([done, new Promise((_, rej) => setTimeout(() => rej(new Error(`only ${decided} of ${events.length} decisions within 300 s`)), 300_000))]);
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    events: events.length,
    eventsPerSecond: events.length / ((lastAt - t0) / 1000),
    publishPerSecond: events.length / ((published - t0) / 1000),
    p50Us: quantile(sorted, 0.5), p99Us: quantile(sorted, 0.99), refused,
  };
}

// A short warm-up (JIT, ORT session, consumers), not measured.
await run(all.slice(0, 5000));
const saturated = await run(all.slice(5000, 5000 + N));
const paced = await run(all.slice(5000 + N, 5000 + N + PACED), Math.round(saturated.eventsPerSecond / 2));
sub.unsubscribe();
await nc.drain();
for (const c of children) c.kill('SIGTERM');
await Promise.all(children.map((c) => new Promise((r) => c.once('exit', r))));
await server.stop();

const ms = (us) => (us / 1000).toFixed(1);
console.log(`\nNATS JetStream end to end: trees + MLP fraud bundle, ${P} partitions over ${S} scorer process${S > 1 ? 'es' : ''}, publisher and nats-server on this machine:\n`);
printTable(['run', 'events', 'events/s', 'publish/s', 'p50 ms', 'p99 ms', 'refused'], [
  ['saturated (1,024 publishes in flight)', saturated.events, Math.round(saturated.eventsPerSecond), Math.round(saturated.publishPerSecond), ms(saturated.p50Us), ms(saturated.p99Us), saturated.refused],
  [`paced at ${Math.round(saturated.eventsPerSecond / 2)}/s`, paced.events, Math.round(paced.eventsPerSecond), Math.round(paced.publishPerSecond), ms(paced.p50Us), ms(paced.p99Us), paced.refused],
]);
console.log(`\ntarget ≥ 10,000 events/s: ${saturated.eventsPerSecond >= 10_000 ? 'met' : 'NOT met'} (${Math.round(saturated.eventsPerSecond)})`);
console.log(JSON.stringify({ bench: 'stream', machine: machine(), partitions: P, scorers: S, saturated, paced }));
void stop;
