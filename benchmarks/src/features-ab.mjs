// node benchmarks/src/features-ab.mjs BASE_DIR — bench:features' online latency of this
// build against another build of @riskscore/features, side by side in one process: both
// evaluators warmed with May and June 2018 (offline pass, labels 7 days late), then the
// first 100,000 July events, in chunks of 500 taken by A and B in turn (the order flips
// every chunk), each event timed alone; outcomes 7 days old go through recordOutcome,
// untimed. BASE_DIR is a checkout of the other build with its packages built (e.g.
// `git worktree add /tmp/base <commit> && cd /tmp/base && npm ci && npm run build`).
// Pairing chunks keeps the ratio meaningful on a shared machine whose speed drifts.
// Last line: one JSON object.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { monthRows } from './fdh-months.mjs';
import { machine, printTable, quantile } from './stats.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const baseDir = resolve(process.argv[2] ?? '');
const distOf = (dir) => join(dir, 'packages', 'features', 'dist', 'index.js');
if (!process.argv[2] || !existsSync(distOf(baseDir))) {
  console.error('usage: node benchmarks/src/features-ab.mjs BASE_DIR (a built checkout of the other build)');
  process.exit(1);
}
const A = await import(pathToFileURL(distOf(root)).href);
const B = await import(pathToFileURL(distOf(baseDir)).href);
const dataDir = join(root, '..', 'shared', 'data', 'fdh-simulated-transactions');
const month = (m) => join(dataDir, `transactions_2018-${m}.csv.gz`);
if (!['05', '06', '07'].every((m) => existsSync(month(m)))) {
  console.error(`features-ab needs the handbook data in ${dataDir}`);
  process.exit(1);
}
const spec = JSON.parse(readFileSync(join(root, 'packages', 'features', 'specs', 'fdh-fraud-v1.json'), 'utf8'));
delete spec.event.timestamp.maxAhead; // a field the older build's schema may not know (its default is not checked offline)

const warmup = [...monthRows(month('05')), ...monthRows(month('06'))];
const july = monthRows(month('07')).slice(0, 100_000);
const evs = july.map((r) => ({ TRANSACTION_ID: r.TRANSACTION_ID, TX_DATETIME: r.TX_DATETIME, CUSTOMER_ID: r.CUSTOMER_ID, TERMINAL_ID: r.TERMINAL_ID, TX_AMOUNT: r.TX_AMOUNT }));
const WEEK = 7 * 86400;

function side(pkg) {
  const ev = pkg.compileFeatureSpec(spec);
  const pass = pkg.createOfflinePass(ev);
  const tmp = new Float32Array(ev.size);
  for (const r of warmup) pass.process(r, tmp);
  const secs = pkg.secondsFromDatetime;
  const pending = [...warmup.filter((r) => secs(r.TX_DATETIME) + WEEK > secs(july[0].TX_DATETIME)), ...july];
  const pts = pending.map((r) => secs(r.TX_DATETIME));
  const ts = july.map((r) => secs(r.TX_DATETIME));
  return { ev, out: new Float32Array(ev.size), pending, pts, ts, next: 0, lat: new Float64Array(evs.length), check: 0 };
}
const sides = [side(A), side(B)];

function runChunk(s, from, to) {
  for (let i = from; i < to; i++) {
    while (s.next < s.pending.length && s.pts[s.next] + WEEK <= s.ts[i]) { s.ev.recordOutcome(s.pending[s.next], s.pending[s.next].TX_FRAUD); s.next++; }
    const t0 = process.hrtime.bigint();
    s.ev.computeInto(evs[i], s.out);
    s.lat[i] = Number(process.hrtime.bigint() - t0) / 1000;
    s.check += s.out[7];
  }
}
const CHUNK = 500;
for (let c = 0, from = 0; from < evs.length; c++, from += CHUNK) {
  const to = Math.min(evs.length, from + CHUNK);
  if (c % 2 === 0) { runChunk(sides[0], from, to); runChunk(sides[1], from, to); }
  else { runChunk(sides[1], from, to); runChunk(sides[0], from, to); }
}
if (sides[0].check !== sides[1].check) {
  console.error(`the two builds computed different features (checksums ${sides[0].check} vs ${sides[1].check})`);
  process.exit(1);
}
const stats = (s) => {
  const x = Float64Array.from(s.lat.subarray(1000)).sort(); // first 1,000: JIT warm-up
  return { p50: quantile(x, 0.5), p99: quantile(x, 0.99), p999: quantile(x, 0.999), mean: x.reduce((a, b) => a + b, 0) / x.length };
};
const a = stats(sides[0]);
const b = stats(sides[1]);
console.log(`\nOnline computeInto, fdh-fraud-v1 (206 features), warm, 99,000 July events each, chunks of ${CHUNK} alternated; ${JSON.stringify(machine())}`);
console.log(`A: this checkout; B: ${baseDir}\n`);
printTable(['build', 'p50 µs', 'p99 µs', 'p99.9 µs', 'mean µs'], [
  ['A (this)', a.p50.toFixed(2), a.p99.toFixed(2), a.p999.toFixed(2), a.mean.toFixed(2)],
  ['B (base)', b.p50.toFixed(2), b.p99.toFixed(2), b.p999.toFixed(2), b.mean.toFixed(2)],
  ['A / B', (a.p50 / b.p50).toFixed(3), (a.p99 / b.p99).toFixed(3), (a.p999 / b.p999).toFixed(3), (a.mean / b.mean).toFixed(3)],
]);
console.log(JSON.stringify({ a_p50_us: a.p50, a_p99_us: a.p99, b_p50_us: b.p50, b_p99_us: b.p99, ratio_p50: a.p50 / b.p50, ratio_p99: a.p99 / b.p99, ratio_mean: a.mean / b.mean }));
