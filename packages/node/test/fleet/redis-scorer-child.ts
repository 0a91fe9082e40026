// A scoring process for the fleet tests: its entity state in a shared Redis. Reads JSON
// lines `{ "i": index, "event": {...} }` on stdin and answers one line per event, in the
// order they finish: `{ "i", "ok": true, "row": base64 Float32 features, "score" }` or
// `{ "i", "ok": false, "code", "maybeWritten" }`; `{ "stats": ... }` on stdin's end.
// argv: REDIS_PORT BUNDLE_DIR PREFIX
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { createScorer } from '@riskscore/core';
import { createNodeBackend, loadBundleFromDir } from '@riskscore/node';
import { createRedisStateStore } from '../../src/state/redis-state-store';

const [port, bundleDir, prefix] = process.argv.slice(2);
const client = new Redis(Number(port), '127.0.0.1', { enableOfflineQueue: false, lazyConnect: true });
await client.connect();
const store = createRedisStateStore({ client, prefix, timeoutMs: 2000 });
const scorer = await createScorer(await loadBundleFromDir(bundleDir), { store, backend: createNodeBackend(), clock: null, idempotency: false });
const out: string[] = [];
let flushing = false;
const flush = (): void => {
  if (flushing || out.length === 0) return;
  flushing = true;
  setImmediate(() => { process.stdout.write(out.join('')); out.length = 0; flushing = false; });
};
const pending: Promise<void>[] = [];
for await (const line of createInterface({ input: process.stdin })) {
  if (line.length === 0) continue;
  const { i, event } = JSON.parse(line) as { i: number; event: unknown };
  pending.push(scorer.safeScore(event, { features: true }).then((o) => {
    if (o.ok) {
      const f = o.result.features!;
      out.push(`${JSON.stringify({ i, ok: true, score: o.result.score, row: Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('base64') })}\n`);
    } else {
      out.push(`${JSON.stringify({ i, ok: false, code: o.error.code, maybeWritten: (o.error.details as { maybeWritten?: boolean } | undefined)?.maybeWritten === true })}\n`);
    }
    flush();
  }));
}
await Promise.all(pending);
await new Promise((r) => setImmediate(r));
process.stdout.write(out.join(''));
process.stdout.write(`${JSON.stringify({ stats: store.stats })}\n`);
await scorer.close();
client.disconnect();
