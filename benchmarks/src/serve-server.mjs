// The server side of bench:serve (benchmarks/src/serve.mjs), one configuration per process:
//   node benchmarks/src/serve-server.mjs MODE [BUNDLE_DIR] [MAX_SECONDS]
// forked by serve.mjs with an IPC channel. MODE:
//   bare     node:http, JSON.parse of the body, a small JSON answer (no scorer: the ceiling)
//            (GET: {"status":"ok"}, as the others' /healthz: serve.mjs's first request per connection)
//   fastify  a plain Fastify route: `await scorer.score(request.body)` per request
//   ours     createScoringHandler({ scorer, auth: false, rateLimit: false }) on node:http
//   dashboard as ours, with createScoringHandler's live dashboard on
//   worker   as ours, with the scorer in a worker thread (createWorkerScorer), started from a
//            snapshot of the state warmed here
// For fastify and ours, the scorer's entity state is warmed first with SERVE_WARM_DAYS
// (default 10) simulated days through its feature step (outcomes fed 7 days late), from the
// same simulator and seed (SERVE_SEED, default 2024) as the parent's load, which starts on
// the day after. Listens on 127.0.0.1, port chosen by the OS, and sends
// { type: 'listening', port } to the parent. IPC: { type: 'rss' } answers
// { type: 'rss', rss, heapUsed }. Exits when the parent goes away (IPC disconnect), on
// SIGTERM / SIGINT, or after MAX_SECONDS (default 900) whatever happens.
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createScorer, specFeatureStep } from '@riskscore/core';
import { createNodeBackend, createScoringHandler, createWorkerScorer, loadBundleFromDir } from '@riskscore/node';
import { createTransactionSimulator, scorableEvent } from '../../examples/fdh-fraud/src/simulator.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const [mode, bundleArg, maxArg] = process.argv.slice(2);
const MAX_SECONDS = Number(maxArg ?? 900);
const WARM_DAYS = Number(process.env.SERVE_WARM_DAYS ?? 10);
const SEED = Number(process.env.SERVE_SEED ?? 2024);
const DELAY_S = 7 * 86400;

// Bounded in time, whatever happens, and gone with the parent.
setTimeout(() => { process.stderr.write(`serve-server: ${MAX_SECONDS} s lifetime reached, exiting\n`); process.exit(3); }, MAX_SECONDS * 1000).unref();
process.on('disconnect', () => process.exit(0));
const send = (m) => { if (process.connected) process.send(m); };

async function makeScorer(dir) {
  const bundle = await loadBundleFromDir(resolve(root, dir));
  // clock: null, so the simulator's 2018 timestamps are never weighed against today's clock
  // (createScorer's own `clock` option configures only a step it compiles itself).
  const step = specFeatureStep(bundle.manifest, { clock: null });
  const scorer = await createScorer(bundle, { backend: createNodeBackend(), features: step });
  const sim = createTransactionSimulator({ customers: 5000, terminals: 10000, seed: SEED });
  const pending = [];
  let head = 0;
  const row = new Float32Array(bundle.manifest.features.order.length);
  let warmed = 0;
  for (const tx of sim.events(WARM_DAYS)) {
    while (head < pending.length && pending[head].at <= tx.TX_TIME_SECONDS) { const p = pending[head++]; scorer.recordOutcome(p.event, p.label); }
    if (head > 8192) { pending.splice(0, head); head = 0; }
    const e = scorableEvent(tx);
    step.compute(e, row, 0);
    pending.push({ at: tx.TX_TIME_SECONDS + DELAY_S, event: e, label: tx.TX_FRAUD });
    warmed++;
  }
  return { scorer, warmed, step };
}

function readBody(req) {
  return new Promise((res, rej) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => res(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on('error', rej);
  });
}

let server;
let closeApp = async () => {};
let scorer;
let warmed = 0;
const t0 = performance.now();

if (mode === 'bare') {
  server = createServer((req, res) => {
    if (req.method === 'GET') { req.resume(); res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }); res.end('{"status":"ok"}'); return; }
    readBody(req).then((buf) => {
      let out;
      try {
        const e = JSON.parse(buf.toString('utf8'));
        out = { ok: true, id: e.TRANSACTION_ID ?? null };
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      } catch {
        out = { ok: false };
        res.writeHead(400, { 'content-type': 'application/json; charset=utf-8' });
      }
      res.end(JSON.stringify(out));
    }, () => { res.destroy(); });
  });
} else if (mode === 'fastify') {
  ({ scorer, warmed } = await makeScorer(bundleArg));
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false });
  // What a user would write: parse with Fastify's JSON parser, score, answer the result.
  app.post('/v1/score', async (request, reply) => {
    try {
      const r = await scorer.score(request.body);
      return { model: r.model, score: r.score, decision: r.decision, reasons: r.reasons, memberScores: r.memberScores };
    } catch (e) {
      reply.code(e?.code === 'internal_error' || e?.code === 'backend_error' ? 500 : 422);
      return { code: e?.code ?? 'internal_error', message: String(e?.message ?? e) };
    }
  });
  app.get('/healthz', async () => ({ status: 'ok' })); // serve.mjs's first request per connection
  await app.ready();
  server = app.server;
  closeApp = () => app.close();
} else if (mode === 'ours' || mode === 'dashboard') {
  ({ scorer, warmed } = await makeScorer(bundleArg));
  // dashboard: as ours, with the live dashboard on (serve.mjs connects a page's event stream or not).
  const handler = createScoringHandler({ scorer, auth: false, rateLimit: false, dashboard: mode === 'dashboard' ? { amountField: 'TX_AMOUNT' } : undefined });
  const { service } = handler;
  server = createServer({ headersTimeout: service.limits.headersTimeoutMs, requestTimeout: service.limits.bodyTimeoutMs + service.limits.headersTimeoutMs, keepAliveTimeout: 5_000 }, handler);
  closeApp = async () => { await service.close({ timeoutMs: 2_000 }); };
  await service.ready;
} else if (mode === 'worker') {
  const local = await makeScorer(bundleArg);
  warmed = local.warmed;
  // The warmed state moves to the worker as a snapshot; this thread keeps HTTP and the queue.
  const snapshot = local.step.store.snapshot();
  await local.scorer.close();
  scorer = await createWorkerScorer({ bundleDir: resolve(root, bundleArg), clock: null, snapshot, monitor: false });
  // SERVE_MAX_ROWS / SERVE_BATCHES_IN_FLIGHT: the queue's knobs, for trying other settings.
  const microBatch = { maxRows: Number(process.env.SERVE_MAX_ROWS ?? 64), maxBatchesInFlight: Number(process.env.SERVE_BATCHES_IN_FLIGHT ?? 2) };
  const handler = createScoringHandler({ scorer, auth: false, rateLimit: false, microBatch });
  const { service } = handler;
  server = createServer({ headersTimeout: service.limits.headersTimeoutMs, requestTimeout: service.limits.bodyTimeoutMs + service.limits.headersTimeoutMs, keepAliveTimeout: 5_000 }, handler);
  closeApp = async () => { await service.close({ timeoutMs: 2_000 }); };
  await service.ready;
} else {
  process.stderr.write(`usage: serve-server.mjs bare|fastify|ours|dashboard|worker [BUNDLE_DIR] [MAX_SECONDS]; got ${JSON.stringify(mode)}\n`);
  process.exit(2);
}

const warmSeconds = (performance.now() - t0) / 1000;
await new Promise((res, rej) => { server.once('error', rej); server.listen(0, '127.0.0.1', res); });

let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  try {
    server.closeAllConnections?.();
    server.close();
    await closeApp();
    await scorer?.close();
  } catch { /* exiting anyway */ }
  process.exit(code);
}
process.once('SIGTERM', () => { void stop(0); });
process.once('SIGINT', () => { void stop(0); });
process.on('message', (m) => {
  if (m?.type === 'rss') { const u = process.memoryUsage(); send({ type: 'rss', rss: u.rss, heapUsed: u.heapUsed }); }
  else if (m?.type === 'stop') void stop(0);
});
send({ type: 'listening', port: server.address().port, model: scorer?.model ?? null, warmedEvents: warmed, warmSeconds, rssAtListen: process.memoryUsage().rss });
