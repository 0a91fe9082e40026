// npm run bench:serve — the scoring HTTP service under load: autocannon (keep-alive,
// SERVE_CONNECTIONS connections, default 50) POSTs a different simulated fraud event per
// request (examples/fdh-fraud/src/simulator.mjs at the handbook's scale: 5,000 customers,
// 10,000 terminals, timestamps increasing) to a server in its own child process
// (benchmarks/src/serve-server.mjs, forked per configuration, on 127.0.0.1), so the load
// generator and the server never share an event loop. Rows:
//   (a) bare          node:http, JSON.parse of the body, a small JSON answer: the ceiling
//   (b) fastify       a plain Fastify route, `await scorer.score(event)` per request
//   (c) ours          createScoringHandler({ scorer, auth: false, rateLimit: false }) on node:http
//   (d) ours explain  (c) with ?explain=true (trees+mlp only, shorter)
//   (e) ours worker   (c) with the scorer in a worker thread (createWorkerScorer): both cores
//   (f) ours + dashboard  (c) with the live dashboard on: no page open vs one page's event
//                     stream open, in the order closed, open, open, closed (the ratio of means)
// (b) and (c) for bundle-trees-mlp (XGBoost + MLP) and bundle (+ FT-Transformer). Every
// scorer's entity state is warmed with SERVE_WARM_DAYS (default 10) simulated days through
// its feature step before the server listens; the load then starts on the next day. Each
// row: SERVE_WARMUP s (default 2) of unmeasured load, then SERVE_DURATION s (default 30)
// measured. Per row: req/s (responses over the measured seconds), p50/p99/p99.9 latency (every
// response's own time, sub-millisecond), errors (non-2xx + timeouts + connection errors; the
// late_event refusals among them counted too),
// server RSS at the end, and for (c) the micro-batch sizes the service ran (difference of
// /metrics riskscore_batch_rows _sum/_count over the measured seconds).
// SERVE_SOAK_SECONDS: then (c) trees+mlp at 80 % of its measured req/s (overallRate; or
// SERVE_SOAK_RATE) for that long, the server's RSS sampled every 5 s.
// Last line: one JSON object with the figures.
import { fork } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createTransactionSimulator, scorableEvent } from '../../examples/fdh-fraud/src/simulator.mjs';
import { machine, printTable, quantile } from './stats.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const SERVER = join(here, 'serve-server.mjs');
const num = (name, dflt) => {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) { console.error(`${name} must be a non-negative number, got ${JSON.stringify(v)}`); process.exit(2); }
  return n;
};
const DURATION = num('SERVE_DURATION', 30);
const CONNECTIONS = Math.max(1, Math.round(num('SERVE_CONNECTIONS', 50)));
const WARMUP = num('SERVE_WARMUP', 2);
// Explained requests are slow (KernelSHAP of the MLP) and queue behind each other: fewer
// seconds than the other rows, but enough for the queue to reach its steady state.
const EXPLAIN_DURATION = num('SERVE_EXPLAIN_DURATION', Math.max(10, Math.round(DURATION / 3)));
const SOAK = num('SERVE_SOAK_SECONDS', 0);
const SOAK_RATE = num('SERVE_SOAK_RATE', 0);
const WARM_DAYS = num('SERVE_WARM_DAYS', 10);
const SEED = num('SERVE_SEED', 2024);
// Events generated before the rows (beyond it, more are generated as requests go out).
const PREGEN_RPS = num('SERVE_PREGEN_RPS', 40000);
const TARGETS = { trees_mlp_rps: 20000, full_rps: 10000, p99_ms: 20, errors: 0 };
const SERVER_ENV = { ...process.env, SERVE_WARM_DAYS: String(WARM_DAYS), SERVE_SEED: String(SEED) };
// SERVE_SERVER_ARGS: Node flags for the servers only (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
const SERVER_ARGS = (process.env.SERVE_SERVER_ARGS ?? '').split(/\s+/).filter(Boolean);

// ---- every child is killed at the end, however the end comes
const children = new Set();
const killAll = () => { for (const c of children) { try { c.kill('SIGKILL'); } catch { /* gone */ } } };
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => { killAll(); process.exit(130); });
process.on('uncaughtException', (e) => { console.error(e); killAll(); process.exit(1); });
process.on('unhandledRejection', (e) => { console.error(e); killAll(); process.exit(1); });

function startServer(mode, bundle, lifetimeS) {
  const child = fork(SERVER, [mode, bundle ?? '-', String(Math.ceil(lifetimeS))], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: SERVER_ENV, execArgv: [...process.execArgv, ...SERVER_ARGS] });
  children.add(child);
  const exited = new Promise((res) => child.once('exit', (code, signal) => { children.delete(child); res({ code, signal }); }));
  const rssWaiters = [];
  child.on('message', (m) => { if (m?.type === 'rss') rssWaiters.shift()?.(m); });
  const srv = {
    child,
    exited,
    rss: () => new Promise((res) => {
      if (!child.connected) return res(null);
      const t = setTimeout(() => res(null), 5000);
      rssWaiters.push((m) => { clearTimeout(t); res(m); });
      child.send({ type: 'rss' });
    }),
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        try { child.kill('SIGTERM'); } catch { /* gone */ }
        const t = setTimeout(() => { try { child.kill('SIGKILL'); } catch { /* gone */ } }, 3000);
        await exited;
        clearTimeout(t);
      }
    },
  };
  return new Promise((res, rej) => {
    const t = setTimeout(() => { void srv.kill(); rej(new Error(`serve-server ${mode} did not listen within 180 s`)); }, 180_000);
    child.on('message', (m) => { if (m?.type === 'listening') { clearTimeout(t); res(Object.assign(srv, m)); } });
    exited.then(({ code, signal }) => { clearTimeout(t); rej(new Error(`serve-server ${mode} ${bundle ?? ''} exited before listening (code ${code}, signal ${signal})`)); });
  });
}

// ---- the events: one simulator stream after the servers' warm-up days, as JSON bodies,
// kept in big Buffers (chunks of 65,536 events and their offsets) rather than a million small
// objects, so the load generator's heap stays small and its GC out of the latencies.
const sim = createTransactionSimulator({ customers: 5000, terminals: 10000, seed: SEED });
for (let d = 0; d < WARM_DAYS; d++) sim.nextDay(); // the days the servers warmed on (same draws)
const stream = sim.events(Infinity);
const nextJson = () => JSON.stringify(scorableEvent(stream.next().value));
const CHUNK_BITS = 16, CHUNK = 1 << CHUNK_BITS, MAX_EVENT_BYTES = 256;
const chunks = [];
let stored = 0;
function store(json) {
  let c = chunks[chunks.length - 1];
  if (c === undefined || c.n === CHUNK) chunks.push(c = { buf: Buffer.allocUnsafe(CHUNK * MAX_EVENT_BYTES), off: new Int32Array(CHUNK + 1), n: 0 });
  const at = c.off[c.n];
  if (Buffer.byteLength(json) > MAX_EVENT_BYTES) throw new Error(`an event body is longer than ${MAX_EVENT_BYTES} bytes: ${json.slice(0, 80)}…`);
  c.off[++c.n] = at + c.buf.write(json, at);
  stored++;
}
const stored_ = (i) => { const c = chunks[i >>> CHUNK_BITS], k = i & (CHUNK - 1); return c.buf.subarray(c.off[k], c.off[k + 1]); };
const rowSeconds = WARMUP + DURATION;
const tg = performance.now();
const pregen = Math.ceil(rowSeconds * PREGEN_RPS);
for (let i = 0; i < pregen; i++) store(nextJson());
const pregenSeconds = (performance.now() - tg) / 1000;
let cursor = 0;
let keepNew = true; // rows keep what they generate past the store (each row starts at event 0); the soak does not
let generatedLive = 0;
const nextBody = () => {
  const i = cursor++;
  if (i < stored) return stored_(i);
  generatedLive++;
  if (!keepNew) return Buffer.from(nextJson());
  while (stored <= i) store(nextJson());
  return stored_(i);
};

// autocannon builds each connection's first request when it creates the connection and
// sends it once connected: the connections' first requests leave in whatever order they
// connect. Those would be events k … k+49 shuffled, and an event of a card that arrives
// after that card's next one is refused (late_event, the spec's state.lateEvents: reject).
// So each connection's first request is a GET /healthz probe (all servers answer
// {"status":"ok"}), left out of the figures; the events go out in stream order from then on.
let constructing = false;

/** One autocannon run; collects every response's own latency (ms) when `collect`. */
async function load(port, path, seconds, { collect = true, overallRate = 0 } = {}) {
  let lat = new Float64Array(1 << 16);
  let n = 0;
  let sample, okSample, probe = false, probes = 0, late = 0;
  constructing = true;
  let inst;
  try {
    inst = autocannon({
      url: `http://127.0.0.1:${port}`,
      connections: CONNECTIONS,
      duration: seconds,
      pipelining: 1,
      timeout: 10,
      ...(overallRate > 0 ? { overallRate } : {}),
      requests: [{
        method: 'POST', path, headers: { 'content-type': 'application/json' },
        setupRequest: (req) => {
          if (constructing) { req.method = 'GET'; req.path = '/healthz'; req.body = Buffer.alloc(0); return req; }
          req.body = nextBody();
          return req;
        },
        // (called for each response just before autocannon's 'response' event for it)
        onResponse: (status, b) => {
          probe = status === 200 && b.includes('"status":"ok"');
          if (probe) { probes++; return; }
          if (status < 200 || status > 299) {
            if (sample === undefined) sample = `${status} ${String(b).slice(0, 300)}`;
            if (status === 422 && b.includes('"late_event"')) late++;
          } else if (okSample === undefined) okSample = String(b);
        },
      }],
    });
  } finally {
    constructing = false;
  }
  inst.on('response', (_client, _status, _bytes, ms) => {
    if (probe || !collect) return;
    if (n === lat.length) { const g = new Float64Array(lat.length * 2); g.set(lat); lat = g; }
    lat[n++] = ms;
  });
  const r = await inst;
  const sorted = lat.subarray(0, n).sort();
  const q = (p) => (n > 0 ? quantile(sorted, p) : NaN);
  return {
    rps: n / r.duration, // responses to events (probes left out) per second
    responses: n,
    probes,
    completed: r.requests.total,
    durationS: r.duration,
    p50: q(0.5), p99: q(0.99), p999: q(0.999), max: n > 0 ? sorted[n - 1] : NaN,
    non2xx: r.non2xx, late, timeouts: r.timeouts, connErrors: r.errors - r.timeouts, resets: r.resets, mismatches: r.mismatches,
    errors: r.non2xx + r.errors + r.mismatches, // autocannon's `errors` already counts timeouts
    statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats).map(([k, v]) => [k, v.count])),
    errorSample: sample,
    okSample,
  };
}

/** The service's micro-batch histogram (riskscore_batch_rows) from GET /metrics. */
async function batchMetrics(port) {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const val = (re) => { const m = text.match(re); return m ? Number(m[1]) : 0; };
  const buckets = [];
  for (const m of text.matchAll(/^riskscore_batch_rows_bucket\{le="([^"]+)"\} (\S+)$/gm)) buckets.push([m[1], Number(m[2])]);
  return { sum: val(/^riskscore_batch_rows_sum(?:\{\})? (\S+)$/m), count: val(/^riskscore_batch_rows_count(?:\{\})? (\S+)$/m), buckets };
}
function batchDiff(a, b) {
  const rows = b.sum - a.sum, batches = b.count - a.count;
  // cumulative bucket counts → per-bucket batches over the measured seconds
  const cum = b.buckets.map(([le, v], i) => [le, v - (a.buckets[i]?.[1] ?? 0)]);
  const per = cum.map(([le, v], i) => [le, v - (i > 0 ? cum[i - 1][1] : 0)]).filter(([, v]) => v > 0);
  const upTo = (p) => cum.find(([, v]) => v >= p * batches)?.[0];
  return { rows, batches, mean: batches > 0 ? rows / batches : NaN, p50Le: batches > 0 ? upTo(0.5) : undefined, p99Le: batches > 0 ? upTo(0.99) : undefined, perBucket: Object.fromEntries(per) };
}

const BUNDLES = { trees_mlp: 'examples/fdh-fraud/bundle-trees-mlp', full: 'examples/fdh-fraud/bundle' };
const ALL_ROWS = [
  { key: 'bare', label: '(a) bare node:http + JSON.parse', mode: 'bare', bundle: null, path: '/v1/score', seconds: DURATION },
  { key: 'fastify_trees_mlp', label: '(b) Fastify route, await score(): trees+mlp', mode: 'fastify', bundle: 'trees_mlp', path: '/v1/score', seconds: DURATION },
  { key: 'fastify_full', label: '(b) Fastify route, await score(): full', mode: 'fastify', bundle: 'full', path: '/v1/score', seconds: DURATION },
  { key: 'ours_trees_mlp', label: '(c) createScoringHandler: trees+mlp', mode: 'ours', bundle: 'trees_mlp', path: '/v1/score', seconds: DURATION },
  { key: 'ours_full', label: '(c) createScoringHandler: full', mode: 'ours', bundle: 'full', path: '/v1/score', seconds: DURATION },
  { key: 'worker_trees_mlp', label: '(e) createScoringHandler + createWorkerScorer: trees+mlp', mode: 'worker', bundle: 'trees_mlp', path: '/v1/score', seconds: DURATION },
  { key: 'worker_full', label: '(e) createScoringHandler + createWorkerScorer: full', mode: 'worker', bundle: 'full', path: '/v1/score', seconds: DURATION },
  { key: 'ours_trees_mlp_explain', label: '(d) createScoringHandler ?explain=true: trees+mlp', mode: 'ours', bundle: 'trees_mlp', path: '/v1/score?explain=true', seconds: EXPLAIN_DURATION },
  // (f) the dashboard's cost: on, with no page open vs one page's event stream open, in
  // the order closed, open, open, closed so a drift of the machine cancels out of the ratio.
  ...[['closed', 1], ['open', 1], ['open', 2], ['closed', 2]].map(([state, k]) => ({
    key: `dash_${state}_${k}`, label: `(f) createScoringHandler + dashboard ${state === 'open' ? 'open (1 event stream)' : 'on, no page open'} #${k}: trees+mlp`,
    mode: 'dashboard', bundle: 'trees_mlp', path: '/v1/score', seconds: DURATION, dashboardOpen: state === 'open',
  })),
];
// SERVE_ROWS=key,key: only those rows (for trying a change; the README's table is every row).
const ONLY = (process.env.SERVE_ROWS ?? '').split(',').map((k) => k.trim()).filter(Boolean);
for (const k of ONLY) if (!ALL_ROWS.some((r) => r.key === k)) { console.error(`SERVE_ROWS: no row ${JSON.stringify(k)}; rows: ${ALL_ROWS.map((r) => r.key).join(', ')}`); process.exit(2); }
const ROWS = ONLY.length > 0 ? ALL_ROWS.filter((r) => ONLY.includes(r.key)) : ALL_ROWS;

/**
 * Waits for the requests the warm-up left in the server (autocannon drops its connections
 * with requests in flight; the server still works through them) before the measured run:
 * ours says so in /metrics; the others' backlog is ≤ one request per connection, well under
 * a second of work.
 */
async function drain(srv, mode) {
  if (mode !== 'ours' && mode !== 'worker' && mode !== 'dashboard') { await new Promise((r) => setTimeout(r, 500)); return; }
  const until = performance.now() + 60_000;
  while (performance.now() < until) {
    const text = await (await fetch(`http://127.0.0.1:${srv.port}/metrics`)).text();
    const m = text.match(/^riskscore_http_requests_in_flight(?:\{\})? (\S+)$/m);
    if (m && Number(m[1]) === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  console.error('    (the warm-up backlog did not drain within 60 s; measuring anyway)');
}

/** The answer looks like a score (rows with a scorer) or the bare server's echo. */
function answerOk(mode, path, text) {
  try {
    const b = JSON.parse(text);
    if (mode === 'bare') return b.ok === true;
    return typeof b.score === 'number' && typeof b.decision === 'string' && (!path.includes('explain=true') || (b.explanation !== null && typeof b.explanation === 'object'));
  } catch { return false; }
}

async function runRow(row) {
  const srv = await startServer(row.mode, row.bundle && BUNDLES[row.bundle], WARMUP + row.seconds + 300);
  try {
    cursor = 0;
    keepNew = true;
    if (WARMUP > 0) await load(srv.port, row.path, WARMUP, { collect: false });
    await drain(srv, row.mode);
    const usedWarmup = cursor;
    const served = row.mode === 'ours' || row.mode === 'worker' || row.mode === 'dashboard';
    const before = served ? await batchMetrics(srv.port) : undefined;
    // A page's event stream, read (and dropped) as a browser would, for the measured seconds.
    const page = row.dashboardOpen ? await openDashboardStream(srv.port) : undefined;
    const r = await load(srv.port, row.path, row.seconds);
    const pushes = page ? page.stop() : undefined;
    const after = served ? await batchMetrics(srv.port) : undefined;
    const rss = await srv.rss();
    const out = { ...row, ...r, answerOk: answerOk(row.mode, row.path, r.okSample ?? ''), model: srv.model, warmedEvents: srv.warmedEvents, stateWarmS: srv.warmSeconds, eventsSent: cursor, warmupEvents: usedWarmup, rssMb: rss ? rss.rss / 2 ** 20 : NaN, loadavg: loadavg()[0] };
    if (before && after) out.batch = batchDiff(before, after);
    if (pushes !== undefined) { out.dashboardPushes = pushes.events; out.dashboardBytes = pushes.bytes; }
    return out;
  } finally {
    await srv.kill();
  }
}

/** Opens GET /dashboard/events and reads it; `stop()` ends it and says how many events and bytes came. */
async function openDashboardStream(port) {
  const ac = new AbortController();
  const res = await fetch(`http://127.0.0.1:${port}/dashboard/events`, { signal: ac.signal });
  if (res.status !== 200) throw new Error(`GET /dashboard/events answered ${res.status}`);
  const got = { events: 0, bytes: 0 };
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        got.bytes += value.length;
        got.events += (decoder.decode(value, { stream: true }).match(/^event: snapshot$/gm) ?? []).length;
      }
    } catch { /* aborted */ }
  })();
  return { stop: () => { ac.abort(); return { ...got }; } };
}

async function soak(rate, mode) {
  const srv = await startServer(mode, BUNDLES.trees_mlp, WARMUP + SOAK + 300);
  try {
    cursor = 0;
    keepNew = false;
    if (WARMUP > 0) await load(srv.port, '/v1/score', WARMUP, { collect: false, overallRate: rate });
    await drain(srv, mode);
    const samples = [];
    const t0 = performance.now();
    const take = async () => { const m = await srv.rss(); if (m) samples.push({ t: (performance.now() - t0) / 1000, rssMb: m.rss / 2 ** 20, heapMb: m.heapUsed / 2 ** 20 }); };
    await take();
    const timer = setInterval(() => { void take(); }, 5000);
    let r;
    try { r = await load(srv.port, '/v1/score', SOAK, { overallRate: rate }); } finally { clearInterval(timer); }
    await take();
    const rss = samples.map((s) => s.rssMb);
    return { rate, seconds: SOAK, ...r, samples, rssFirstMb: rss[0], rssLastMb: rss[rss.length - 1], rssMaxMb: Math.max(...rss) };
  } finally {
    await srv.kill();
  }
}

// ---- run
console.error(`bench:serve: ${stored} events generated in ${pregenSeconds.toFixed(1)} s; ${ROWS.length} rows of ${DURATION} s (explain ${EXPLAIN_DURATION} s) after ${WARMUP} s warm-up, ${CONNECTIONS} connections${SOAK ? `; soak ${SOAK} s` : ''}`);
const res = {};
for (const row of ROWS) {
  console.error(`  ${row.label} …`);
  res[row.key] = await runRow(row);
  const r = res[row.key];
  console.error(`    ${r.rps.toFixed(0)} req/s, p99 ${r.p99.toFixed(2)} ms, errors ${r.errors}${r.errorSample ? ` (first: ${r.errorSample})` : ''}`);
  if (!r.answerOk) console.error(`    WARNING: the 2xx answers do not look right: ${String(r.okSample).slice(0, 200)}`);
}
let soakRes;
if (SOAK > 0) {
  // The faster of ours (c) and (e), at 80 % of what its row measured.
  const soakKey = (res.worker_trees_mlp?.rps ?? -1) > (res.ours_trees_mlp?.rps ?? -1) ? 'worker_trees_mlp' : 'ours_trees_mlp';
  if (res[soakKey] === undefined && SOAK_RATE <= 0) { console.error('SERVE_SOAK_SECONDS needs a trees+mlp row of ours (or SERVE_SOAK_RATE)'); process.exit(2); }
  const rate = Math.max(1, Math.round(SOAK_RATE > 0 ? SOAK_RATE : 0.8 * res[soakKey].rps));
  console.error(`  soak: ${soakKey} at ${rate} req/s for ${SOAK} s …`);
  soakRes = await soak(rate, soakKey.startsWith('worker') ? 'worker' : 'ours');
  soakRes.key = soakKey;
  soakRes.maxRps = res[soakKey]?.rps ?? NaN;
}

// ---- report
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '–');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '–');
const ratio = (a, b) => (a !== undefined && b > 0 ? a / b : NaN);
const fig = { bench: 'serve', ...machine(), cpu_model: cpus()[0]?.model ?? 'unknown', logical_cpus: cpus().length, duration_s: DURATION, explain_duration_s: EXPLAIN_DURATION, warmup_s: WARMUP, connections: CONNECTIONS, warm_days: WARM_DAYS, seed: SEED, events_pregenerated: pregen, events_generated_live: generatedLive };
const vsA = {}, vsB = {};
for (const b of ['trees_mlp', 'full']) {
  for (const m of ['ours', 'worker']) {
    vsA[`${m}_${b}`] = ratio(res[`${m}_${b}`]?.rps, res.bare?.rps);
    vsB[`${m}_${b}`] = ratio(res[`${m}_${b}`]?.rps, res[`fastify_${b}`]?.rps);
  }
}
/** Ours for a bundle: the faster of (c) one thread and (e) with the worker thread. */
const NONE = { rps: NaN, p99: NaN, errors: NaN };
const best = (b) => ((res[`worker_${b}`]?.rps ?? -1) > (res[`ours_${b}`]?.rps ?? -1) ? { key: `worker_${b}`, r: res[`worker_${b}`] } : { key: `ours_${b}`, r: res[`ours_${b}`] ?? NONE });
const tableRows = ROWS.map((row) => {
  const r = res[row.key];
  const k = (row.mode === 'ours' || row.mode === 'worker') && !row.key.endsWith('explain') ? row.key : null;
  return [row.label, r.model ?? '–', r.durationS, r.rps.toFixed(0), f2(r.p50), f2(r.p99), f2(r.p999), r.late > 0 ? `${r.errors} (${r.late} late)` : r.errors,
    k ? `${f2(vsA[k])}×` : '', k ? `${f2(vsB[k])}×` : '', r.batch ? f1(r.batch.mean) : '', f1(r.rssMb)];
});
for (const row of ROWS) {
  const r = res[row.key], k = row.key;
  Object.assign(fig, {
    [`${k}_model`]: r.model ?? null, [`${k}_seconds`]: r.durationS, [`${k}_rps`]: r.rps, [`${k}_responses`]: r.responses,
    [`${k}_p50_ms`]: r.p50, [`${k}_p99_ms`]: r.p99, [`${k}_p999_ms`]: r.p999, [`${k}_max_ms`]: r.max,
    [`${k}_errors`]: r.errors, [`${k}_non2xx`]: r.non2xx, [`${k}_late_event`]: r.late, [`${k}_timeouts`]: r.timeouts, [`${k}_conn_errors`]: r.connErrors, [`${k}_status_codes_with_probes`]: r.statusCodes, [`${k}_probes`]: r.probes,
    [`${k}_answer_ok`]: r.answerOk, [`${k}_server_rss_mb`]: r.rssMb, [`${k}_events_sent`]: r.eventsSent, [`${k}_state_warm_events`]: r.warmedEvents, [`${k}_loadavg_1m`]: r.loadavg,
  });
  if (r.errorSample) fig[`${k}_first_error`] = r.errorSample;
  if (r.batch) Object.assign(fig, { [`${k}_batches`]: r.batch.batches, [`${k}_batch_rows`]: r.batch.rows, [`${k}_batch_mean_rows`]: r.batch.mean, [`${k}_batch_rows_by_le`]: r.batch.perBucket });
}
for (const k of Object.keys(vsA)) { fig[`${k}_vs_bare`] = vsA[k]; fig[`${k}_vs_fastify`] = vsB[k]; }
const bt = best('trees_mlp'), bf = best('full');
fig.best_trees_mlp = bt.key;
fig.best_full = bf.key;
const targets = [
  [`ours trees+mlp req/s (${bt.key})`, `≥ ${TARGETS.trees_mlp_rps}`, bt.r.rps.toFixed(0), bt.r.rps >= TARGETS.trees_mlp_rps],
  [`ours full req/s (${bf.key})`, `≥ ${TARGETS.full_rps}`, bf.r.rps.toFixed(0), bf.r.rps >= TARGETS.full_rps],
  [`ours trees+mlp p99 (${bt.key})`, `≤ ${TARGETS.p99_ms} ms`, f2(bt.r.p99), bt.r.p99 <= TARGETS.p99_ms],
  [`ours full p99 (${bf.key})`, `≤ ${TARGETS.p99_ms} ms`, f2(bf.r.p99), bf.r.p99 <= TARGETS.p99_ms],
  [`ours trees+mlp errors (${bt.key})`, `= ${TARGETS.errors}`, bt.r.errors, bt.r.errors === TARGETS.errors],
  [`ours full errors (${bf.key})`, `= ${TARGETS.errors}`, bf.r.errors, bf.r.errors === TARGETS.errors],
];
if (soakRes) targets.push(['soak errors', `= ${TARGETS.errors}`, soakRes.errors, soakRes.errors === TARGETS.errors]);
Object.assign(fig, {
  target_trees_mlp_rps_met: targets[0][3], target_full_rps_met: targets[1][3],
  target_trees_mlp_p99_met: targets[2][3], target_full_p99_met: targets[3][3],
  target_trees_mlp_errors_met: targets[4][3], target_full_errors_met: targets[5][3],
});
// (f) the dashboard's cost: mean req/s of the open rows over the closed ones (target ≥ 0.98).
const dashRows = (state) => ROWS.filter((r) => r.key.startsWith(`dash_${state}_`)).map((r) => res[r.key]);
const meanRps = (rs) => rs.reduce((a, r) => a + r.rps, 0) / rs.length;
let dashboardCost;
if (dashRows('open').length > 0 && dashRows('closed').length > 0) {
  const open = meanRps(dashRows('open')), closed = meanRps(dashRows('closed'));
  dashboardCost = { open, closed, ratio: open / closed, pushesPerS: dashRows('open').reduce((a, r) => a + (r.dashboardPushes ?? 0) / r.durationS, 0) / dashRows('open').length, kibPerPush: dashRows('open').reduce((a, r) => a + (r.dashboardBytes ?? 0) / Math.max(1, r.dashboardPushes ?? 0), 0) / dashRows('open').length / 1024 };
  Object.assign(fig, { dashboard_open_rps: open, dashboard_closed_rps: closed, dashboard_open_vs_closed: dashboardCost.ratio, dashboard_pushes_per_s: dashboardCost.pushesPerS, dashboard_kib_per_push: dashboardCost.kibPerPush, target_dashboard_cost_met: dashboardCost.ratio >= 0.98 });
  if (res.ours_trees_mlp) fig.dashboard_closed_vs_off = closed / res.ours_trees_mlp.rps;
  targets.push(['dashboard open / closed req/s', '≥ 0.98', f2(dashboardCost.ratio), dashboardCost.ratio >= 0.98]);
}
fig.targets_all_met = targets.every((t) => t[3]);

console.log(`\nScoring HTTP service under autocannon load: POST /v1/score, a different simulated event per request (5,000 customers, 10,000 terminals, state warmed with ${WARM_DAYS} days), ${CONNECTIONS} keep-alive connections, ${DURATION} s per row after ${WARMUP} s warm-up, server in its own process (${fig.cpu_model}, ${fig.logical_cpus} logical CPUs, node ${fig.node}, ${fig.date})`);
printTable(['row', 'model', 's', 'req/s', 'p50 (ms)', 'p99 (ms)', 'p99.9 (ms)', 'errors (late_event)', 'ours / (a)', 'ours / (b)', 'rows/batch', 'server RSS (MiB)'], tableRows);
if (ROWS.some((r) => res[r.key].late > 0) || soakRes?.late > 0) {
  console.log('late_event: a 422 for an event older than the newest committed event of its card or terminal (the spec\'s state.lateEvents is "reject").');
  console.log('  Every server scores an entity\'s events in the order they arrive (score() calls in call order, the service\'s queue in');
  console.log('  arrival order), so these are events that reached the server after a later event of their card or terminal: another');
  console.log('  connection was faster.');
}
if (dashboardCost) {
  console.log('');
  console.log(`Dashboard cost (f): mean of the open rows ${dashboardCost.open.toFixed(0)} req/s vs the closed rows ${dashboardCost.closed.toFixed(0)} req/s = ${f2(dashboardCost.ratio)}× (target ≥ 0.98); ${f2(dashboardCost.pushesPerS)} pushes/s of ${f1(dashboardCost.kibPerPush)} KiB to the open page${res.ours_trees_mlp ? `; dashboard on but closed vs off (c): ${f2(fig.dashboard_closed_vs_off)}×` : ''}`);
}
console.log('');
console.log('Micro-batches the service ran over the measured seconds (riskscore_batch_rows from /metrics)');
printTable(['row', 'batches', 'rows', 'mean rows', 'p50 ≤', 'p99 ≤', 'batches by size bucket (le: n)'],
  ROWS.filter((r) => res[r.key].batch).map((r) => {
    const b = res[r.key].batch;
    return [r.label, b.batches, b.rows, f1(b.mean), b.p50Le ?? '–', b.p99Le ?? '–', Object.entries(b.perBucket).map(([le, v]) => `${le}: ${v}`).join(', ') || '(none: explain requests score one at a time)'];
  }));
console.log('');
printTable(['target (issue)', 'wanted', 'measured', 'met'], targets.map(([a, b, c, d]) => [a, b, c, d ? 'yes' : 'NO']));
if (soakRes) {
  const s = soakRes;
  console.log(`\nSoak: ${s.key} at ${s.rate} req/s (80 % of ${s.maxRps.toFixed(0)}${SOAK_RATE > 0 ? ', set by SERVE_SOAK_RATE' : ''}) for ${s.seconds} s, server RSS sampled every 5 s`);
  printTable(['req/s', 'p50 (ms)', 'p99 (ms)', 'p99.9 (ms)', 'errors', 'RSS first (MiB)', 'RSS last (MiB)', 'RSS max (MiB)', 'samples'],
    [[s.rps.toFixed(0), f2(s.p50), f2(s.p99), f2(s.p999), s.late > 0 ? `${s.errors} (${s.late} late)` : s.errors, f1(s.rssFirstMb), f1(s.rssLastMb), f1(s.rssMaxMb), s.samples.length]]);
  Object.assign(fig, {
    soak_seconds: s.seconds, soak_target_rps: s.rate, soak_rps: s.rps, soak_responses: s.responses, soak_p50_ms: s.p50, soak_p99_ms: s.p99, soak_p999_ms: s.p999,
    soak_errors: s.errors, soak_non2xx: s.non2xx, soak_late_event: s.late, soak_timeouts: s.timeouts, soak_conn_errors: s.connErrors,
    soak_rss_first_mb: s.rssFirstMb, soak_rss_last_mb: s.rssLastMb, soak_rss_max_mb: s.rssMaxMb, soak_rss_samples_mb: s.samples.map((x) => Math.round(x.rssMb * 10) / 10),
  });
  if (s.errorSample) fig.soak_first_error = s.errorSample;
  fig.target_soak_errors_met = s.errors === 0;
}
console.log(JSON.stringify(fig));
