// npm run bench:swap — hot swaps of the champion under load through the HTTP service.
// A server in its own process (benchmarks/src/swap-server.mjs: a models folder with the
// trees+MLP fraud bundle as fdh-fraud-fast@1.0.0 and @1.0.1, and the baseline; the
// registry's state warmed on SWAP_WARM_DAYS simulated days) takes SWAP_RATE requests/s
// (default 5,000; autocannon, SWAP_CONNECTIONS = 50 keep-alive connections) of simulated
// fraud events in stream order, in phases of SWAP_DURATION s (default 10) each:
//   before       no change
//   swaps        SWAP_COUNT (default 20) alias changes evenly spaced through the admin API:
//                promote 1.0.1, roll back to 1.0.0, alternately
//   shadow_same  an experiment with fdh-fraud-fast@1.0.1 shadowing every event (same feature
//                spec: it scores the champion's feature row after the response)
//   shadow_own   an experiment with fdh-baseline@1.0.0 shadowing every event (its own spec:
//                its own state, fed every event after the response)
// Per phase: req/s, p50/p99/p99.9, failed requests (non-2xx, timeouts, connection errors),
// responses by the version they name, responses naming no version, the server's RSS after
// it, and for the shadows their side work (scored, dropped). Targets: 0 failed, every
// response names exactly one version, p99(swaps) ≤ 2 × p99(before), at ≥ 5,000 req/s.
// Last line: one JSON object with the figures.
import { fork } from 'node:child_process';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createTransactionSimulator, scorableEvent } from '../../examples/fdh-fraud/src/simulator.mjs';
import { machine, printTable, quantile } from './stats.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const env = (name, dflt) => {
  const v = process.env[name];
  const n = v === undefined || v === '' ? dflt : Number(v);
  if (!Number.isFinite(n) || n < 0) { console.error(`${name} must be a non-negative number, got ${JSON.stringify(v)}`); process.exit(2); }
  return n;
};
// Offered a little above the target, so that the rate achieved (autocannon paces per second) is at or above it.
const RATE = env('SWAP_RATE', 5500);
const SECONDS = env('SWAP_DURATION', 10);
const SWAPS = Math.round(env('SWAP_COUNT', 20));
const CONNECTIONS = Math.max(1, Math.round(env('SWAP_CONNECTIONS', 50)));
const WARM_DAYS = env('SWAP_WARM_DAYS', 5);
const SEED = env('SWAP_SEED', 2024);
const ADMIN_KEY = 'rk_bench_admin_0123456789';
const V0 = 'fdh-fraud-fast@1.0.0', V1 = 'fdh-fraud-fast@1.0.1', BASE = 'fdh-baseline@1.0.0';

// ---- the server, killed with this process however it ends
const child = fork(join(here, 'swap-server.mjs'), [String(Math.ceil(6 * SECONDS + 600))], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, SWAP_WARM_DAYS: String(WARM_DAYS), SWAP_SEED: String(SEED), SWAP_ADMIN_KEY: ADMIN_KEY } });
const kill = () => { try { child.kill('SIGKILL'); } catch { /* gone */ } };
process.on('exit', kill);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { kill(); process.exit(130); });
process.on('unhandledRejection', (e) => { console.error(e); kill(); process.exit(1); });
const listening = await new Promise((res, rej) => {
  const t = setTimeout(() => rej(new Error('swap-server did not listen within 300 s')), 300_000);
  child.on('message', (m) => { if (m?.type === 'listening') { clearTimeout(t); res(m); } });
  child.once('exit', (code) => rej(new Error(`swap-server exited before listening (code ${code})`)));
});
const base = `http://127.0.0.1:${listening.port}`;
const rssWaiters = [];
child.on('message', (m) => { if (m?.type === 'rss') rssWaiters.shift()?.(m); });
const serverRss = () => new Promise((res) => { rssWaiters.push(res); child.send({ type: 'rss' }); });

// ---- the events: the simulator's stream after the warm-up days, as request bodies
const sim = createTransactionSimulator({ customers: 5000, terminals: 10000, seed: SEED });
for (let d = 0; d < WARM_DAYS; d++) sim.nextDay();
const stream = sim.events(Infinity);
const bodies = [];
const need = Math.ceil(RATE * (5 * SECONDS + 4) * 1.1) + 10_000;
for (let i = 0; i < need; i++) bodies.push(JSON.stringify(scorableEvent(stream.next().value)));
let next = 0;
const body = () => (next < bodies.length ? bodies[next++] : JSON.stringify(scorableEvent(stream.next().value)));

async function admin(method, path, payload) {
  const r = await fetch(base + path, { method, headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, body: payload === undefined ? undefined : JSON.stringify(payload) });
  const b = await r.json();
  if (r.status !== 200) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(b)}`);
  return b;
}

/** One phase of load; `during` runs alongside it. Every response's latency and the version it names. */
async function phase(seconds, during) {
  const lat = [];
  const byVersion = {};
  let noVersion = 0, probe = false, firsts = true, sample;
  const inst = autocannon({
    url: base, connections: CONNECTIONS, duration: seconds, overallRate: RATE, timeout: 10,
    requests: [{
      method: 'POST', path: '/v1/score', headers: { 'content-type': 'application/json' },
      // Each connection's first request is built as it is created and leaves when it
      // connects, in no set order: a GET /healthz probe, so the events leave in stream order.
      setupRequest: (req) => (firsts ? { ...req, method: 'GET', path: '/healthz', body: '' } : { ...req, body: body() }),
      onResponse: (status, text) => {
        probe = text.includes('"status":"ok"');
        if (probe) return;
        if (status !== 200) { sample ??= `${status} ${text.slice(0, 200)}`; return; }
        const m = /"version":"([^"]+)"/.exec(text);
        const all = text.match(/"version":/g)?.length ?? 0;
        if (!m || all !== 1) noVersion++; else byVersion[m[1]] = (byVersion[m[1]] ?? 0) + 1;
      },
    }],
  });
  firsts = false;
  inst.on('response', (_c, _s, _b, ms) => { if (!probe) lat.push(ms); });
  const side = during ? during() : undefined;
  const r = await inst;
  const changes = side ? await side : [];
  const sorted = Float64Array.from(lat).sort();
  return {
    rps: lat.length / r.duration, responses: lat.length, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), p999: quantile(sorted, 0.999),
    failed: r.non2xx + r.errors + r.mismatches, non2xx: r.non2xx, timeouts: r.timeouts, errorSample: sample, byVersion, noVersion, changes,
  };
}

const swapsDuring = () => (async () => {
  const out = [];
  const gap = (SECONDS * 1000) / (SWAPS + 1);
  for (let k = 0; k < SWAPS; k++) {
    await new Promise((r) => setTimeout(r, gap));
    const t = performance.now();
    const b = k % 2 === 0
      ? await admin('PUT', '/v1/admin/aliases/champion', { version: V1, reason: `bench swap ${k}` })
      : await admin('POST', '/v1/admin/aliases/champion/rollback', { reason: `bench swap ${k}` });
    out.push({ to: b.change.to, ms: performance.now() - t });
  }
  return out;
})();

const rows = [];
const rss0 = await serverRss();
await phase(2); // warm-up, not measured
const before = await phase(SECONDS);
rows.push({ phase: 'before', ...before, rss: (await serverRss()).rss });
const swaps = await phase(SECONDS, swapsDuring);
rows.push({ phase: 'swaps', ...swaps, rss: (await serverRss()).rss });
await admin('PUT', '/v1/admin/experiment', { name: 'shadow-same', key: 'CUSTOMER_ID', arms: [{ name: 'champion', target: 'champion', weight: 1 }], shadows: [{ target: V1, percent: 100 }] });
const sSame = await phase(SECONDS);
const rssSame = await serverRss();
rows.push({ phase: 'shadow_same', ...sSame, rss: rssSame.rss, side: rssSame.stats });
await admin('PUT', '/v1/admin/experiment', { name: 'shadow-own', key: 'CUSTOMER_ID', arms: [{ name: 'champion', target: 'champion', weight: 1 }], shadows: [{ target: BASE, percent: 100 }] });
const sOwn = await phase(SECONDS);
const rssOwn = await serverRss();
rows.push({ phase: 'shadow_own', ...sOwn, rss: rssOwn.rss, side: rssOwn.stats });
const registryState = (await admin('GET', '/v1/admin/registry')).versions;
kill();

const mb = (b) => (b / 2 ** 20).toFixed(0);
const cpu = `${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`;
console.log(`bench:swap — ${cpu}; node ${process.version}; ${new Date().toISOString().slice(0, 10)}`);
console.log(`server: ${listening.versions.join(', ')}; state warmed on ${listening.warmedEvents} events (${WARM_DAYS} days) in ${listening.warmSeconds.toFixed(1)} s; offered ${RATE} req/s over ${CONNECTIONS} connections, ${SECONDS} s a phase\n`);
printTable(['phase', 'req/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'failed', 'no version', 'by version', 'RSS MiB'], rows.map((r) => [
  r.phase, r.rps.toFixed(0), r.p50.toFixed(2), r.p99.toFixed(2), r.p999.toFixed(2), String(r.failed), String(r.noVersion),
  Object.entries(r.byVersion).map(([v, n]) => `${v.split('@')[1]}: ${n}`).join(', '), mb(r.rss),
]));
const shadowed = Object.fromEntries(registryState.map((v) => [v.ref, { shadowScored: v.shadowScored, fed: v.fed, errors: v.errors }]));
const swapMs = swaps.changes.map((c) => c.ms).sort((a, b) => a - b);
console.log(`\n${swaps.changes.length} alias changes during 'swaps' (admin call p50 ${quantile(Float64Array.from(swapMs), 0.5).toFixed(1)} ms); champion at the end: ${swaps.changes.at(-1)?.to}`);
console.log(`shadows: ${JSON.stringify(shadowed)}; dropped ${rssOwn.stats.shadowsDropped}, side errors ${rssOwn.stats.sideErrors}`);
console.log(`state groups after shadow_own: ${rssOwn.stats.stateGroups.map((g) => `${g.versions.join('+')}: ${g.entities.join('/')} entities, ${mb(g.bytes)} MiB`).join('; ')}`);
const result = {
  bench: 'swap', ...machine(), cpu_model: cpu, offeredRps: RATE, seconds: SECONDS, connections: CONNECTIONS,
  phases: Object.fromEntries(rows.map((r) => [r.phase, { rps: r.rps, p50Ms: r.p50, p99Ms: r.p99, p999Ms: r.p999, failed: r.failed, noVersion: r.noVersion, byVersion: r.byVersion, rssMb: r.rss / 2 ** 20, errorSample: r.errorSample }])),
  swaps: swaps.changes.length,
  p99Ratio: swaps.p99 / before.p99,
  shadowCost: {
    sameSpec: { p50Ratio: sSame.p50 / before.p50, p99Ratio: sSame.p99 / before.p99, rssMbDelta: (rssSame.rss - rows[1].rss) / 2 ** 20 },
    ownSpec: { p50Ratio: sOwn.p50 / before.p50, p99Ratio: sOwn.p99 / before.p99, rssMbDelta: (rssOwn.rss - rssSame.rss) / 2 ** 20, stateBytes: rssOwn.stats.stateGroups.find((g) => g.versions.includes(BASE))?.bytes },
  },
  shadowed, rssAtListenMb: rss0.rss / 2 ** 20,
  targets: { rps: 5000, failed: 0, noVersion: 0, p99Ratio: 2 },
  met: swaps.rps >= 5000 && rows.every((r) => r.failed === 0 && r.noVersion === 0) && swaps.p99 <= 2 * before.p99,
};
console.log(JSON.stringify(result));
process.exit(0);
