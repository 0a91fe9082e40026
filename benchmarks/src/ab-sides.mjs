// Shared by the in-process A/B scripts (e2e-inproc-ab.mjs, batch-ab.mjs): two builds'
// @riskscore/core in one process, each with its own scorer on the same fraud bundle over a
// store that never evicts (the builds may evict differently; the comparison is of speed on
// the same features), warmed on the same 30 simulated days with labels fed 7 days late.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createNodeBackend } from '@riskscore/node';
import { createTransactionSimulator, scorableEvent } from '../../examples/fdh-fraud/src/simulator.mjs';

export const DELAY_S = 7 * 86400;
const WARMUP_DAYS = 30;
const coreOf = (dir) => join(dir, 'packages', 'core', 'dist', 'index.js');
const simulator = () => createTransactionSimulator({ customers: 5000, terminals: 10000, seed: 2024 });

/** The base build's folder from argv[2], or exits with the script's usage line. */
export function baseDirOrExit(usage) {
  const dir = resolve(process.argv[2] ?? '');
  if (!process.argv[2] || !existsSync(coreOf(dir))) {
    console.error(`usage: ${usage}`);
    process.exit(1);
  }
  return dir;
}

/** One build's scorer on `bundleDir`, with its outcome queue (`deliver` feeds labels due by t). */
export async function side(dir, bundleDir, scorerOptions = {}) {
  const core = await import(pathToFileURL(coreOf(dir)).href);
  const features = await import(pathToFileURL(join(dir, 'packages', 'features', 'dist', 'index.js')).href);
  const bundle = await core.loadBundle({ readFile: async (p) => new Uint8Array(readFileSync(join(bundleDir, p))) });
  const step = core.specFeatureStep(bundle.manifest, { store: features.createMemoryStateStore({ maxEntities: 1 << 21, maxBytes: 2 ** 31 }) });
  const scorer = await core.createScorer(bundle, { backend: createNodeBackend(), features: step, ...scorerOptions });
  const s = {
    bundle, step, scorer, pending: [], head: 0,
    deliver(t) {
      while (s.head < s.pending.length && s.pending[s.head].at <= t) { const p = s.pending[s.head++]; scorer.recordOutcome(p.event, p.label); }
    },
    /** Queues the label of an event scored now, due 7 days after it. */
    scored(tx, event) { s.pending.push({ at: tx.TX_TIME_SECONDS + DELAY_S, event, label: tx.TX_FRAUD }); },
  };
  return s;
}

/** Warms every side on the same 30 days; returns the next `n` simulated transactions (to score). */
export function warmAndTake(sides, n) {
  let warmed = 0;
  for (const s of sides) {
    const row = new Float32Array(s.bundle.manifest.features.order.length);
    warmed = 0;
    for (const tx of simulator().events(WARMUP_DAYS)) {
      s.deliver(tx.TX_TIME_SECONDS);
      const e = scorableEvent(tx);
      s.step.compute(e, row, 0);
      s.scored(tx, e);
      warmed++;
    }
  }
  // The same 30 days again from the same seed, then the next events are the ones scored.
  const txs = [];
  let skipped = 0;
  for (const tx of simulator().events(2 * WARMUP_DAYS)) {
    if (skipped < warmed) { skipped++; continue; }
    txs.push(tx);
    if (txs.length === n) break;
  }
  return txs;
}
