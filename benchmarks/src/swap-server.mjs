// The server side of bench:swap (benchmarks/src/swap.mjs), forked with an IPC channel:
//   node benchmarks/src/swap-server.mjs [MAX_SECONDS]
// A models folder in a temporary directory holds the trees+MLP fraud bundle as
// fdh-fraud-fast@1.0.0, the same bundle re-versioned as 1.0.1 (same models, its own
// manifest hash), and the baseline (its own feature spec). A registry loads the folder;
// the champion alias names 1.0.0. The shared entity state is warmed with SWAP_WARM_DAYS
// (default 5) simulated days through the registry (outcomes fed 7 days late); then the
// service listens on 127.0.0.1 (scoring open, the admin API behind the key in
// SWAP_ADMIN_KEY) and sends { type: 'listening', port }. IPC { type: 'rss' } answers
// { type: 'rss', rss, heapUsed, stats } (the registry's stats: state groups' entities
// and bytes, side work). Exits with the parent, on SIGTERM, or after MAX_SECONDS.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createModelRegistry } from '@riskscore/core';
import { createNodeBackend, createScoringHandler, hashApiKey, registryFolder, registryServiceScorer } from '@riskscore/node';
import { createTransactionSimulator, scorableEvent } from '../../examples/fdh-fraud/src/simulator.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAX_SECONDS = Number(process.argv[2] ?? 900);
const WARM_DAYS = Number(process.env.SWAP_WARM_DAYS ?? 5);
const SEED = Number(process.env.SWAP_SEED ?? 2024);
const ADMIN_KEY = process.env.SWAP_ADMIN_KEY ?? 'rk_bench_admin';
setTimeout(() => { process.stderr.write(`swap-server: ${MAX_SECONDS} s lifetime reached, exiting\n`); process.exit(3); }, MAX_SECONDS * 1000).unref();
process.on('disconnect', () => process.exit(0));
const send = (m) => { if (process.connected) process.send(m); };

const dir = mkdtempSync(join(tmpdir(), 'riskscore-swap-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const fast = join(root, 'examples', 'fdh-fraud', 'bundle-trees-mlp');
cpSync(fast, join(dir, 'fdh-fraud-fast', '1.0.0'), { recursive: true });
cpSync(fast, join(dir, 'fdh-fraud-fast', '1.0.1'), { recursive: true });
const m = JSON.parse(readFileSync(join(dir, 'fdh-fraud-fast', '1.0.1', 'manifest.json'), 'utf8'));
m.version = '1.0.1';
writeFileSync(join(dir, 'fdh-fraud-fast', '1.0.1', 'manifest.json'), JSON.stringify(m, null, 2));
cpSync(join(root, 'examples', 'fdh-fraud', 'bundle-baseline'), join(dir, 'fdh-baseline', '1.0.0'), { recursive: true });

const backend = createNodeBackend();
// clock: null, so the simulator's 2018 timestamps are never weighed against today's clock.
const registry = createModelRegistry({ scorerOptions: () => ({ backend, clock: null }) });
const folder = registryFolder(dir);
const synced = await folder.sync(registry);
if (synced.failed.length > 0) { process.stderr.write(`swap-server: ${JSON.stringify(synced.failed)}\n`); process.exit(1); }
registry.setAlias('champion', 'fdh-fraud-fast@1.0.0', { actor: 'bench' });

const t0 = performance.now();
const sim = createTransactionSimulator({ customers: 5000, terminals: 10000, seed: SEED });
const pending = [];
let head = 0, warmed = 0, batch = [];
const flush = async () => { if (batch.length) { await registry.scoreBatch(batch); batch = []; } };
for (const tx of sim.events(WARM_DAYS)) {
  if (head < pending.length && pending[head].at <= tx.TX_TIME_SECONDS) await flush();
  while (head < pending.length && pending[head].at <= tx.TX_TIME_SECONDS) { const p = pending[head++]; registry.feedOutcome(p.event, p.label); }
  const e = scorableEvent(tx);
  batch.push(e);
  if (batch.length === 512) await flush();
  pending.push({ at: tx.TX_TIME_SECONDS + 7 * 86400, event: e, label: tx.TX_FRAUD });
  warmed++;
}
await flush();
await registry.settle();
const warmSeconds = (performance.now() - t0) / 1000;

const handler = createScoringHandler({
  scorer: registryServiceScorer(registry), auth: false, rateLimit: false,
  admin: { registry, auth: { apiKeys: [{ id: 'bench', sha256: hashApiKey(ADMIN_KEY) }] }, load: (n, v) => folder.load(n, v) },
});
const { service } = handler;
const server = createServer({ keepAliveTimeout: 5_000 }, handler);
await service.ready;
await new Promise((res, rej) => { server.once('error', rej); server.listen(0, '127.0.0.1', res); });
let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  try { server.closeAllConnections?.(); server.close(); await service.close({ timeoutMs: 2_000 }); await registry.close(); } catch { /* exiting anyway */ }
  process.exit(code);
}
process.once('SIGTERM', () => { void stop(0); });
process.on('message', (msg) => {
  if (msg?.type === 'rss') { const u = process.memoryUsage(); send({ type: 'rss', rss: u.rss, heapUsed: u.heapUsed, stats: registry.stats() }); }
});
send({ type: 'listening', port: server.address().port, warmedEvents: warmed, warmSeconds, versions: registry.versions().map((v) => v.ref) });
