/**
 * A scorer in a worker thread, for the service: the main thread keeps HTTP, JSON and
 * the micro-batching queue, the worker owns the entity state and runs features and
 * members, so a two-core machine uses both cores and every entity still has one owner
 * (the worker). What crosses between them is one message per batch.
 *
 * @example
 * const scorer = await createWorkerScorer({ bundleDir: 'examples/fdh-fraud/bundle' });
 * const handler = createScoringHandler({ scorer, auth: { apiKeys } });
 */
import { Worker } from 'node:worker_threads';
import { fromWireError as unwire, RiskscoreError, type LoadedBundle, type ScoreOptions, type ScoreOutcome, type ScoreResult, type WireError } from '@riskscore/core';
import { loadBundleFromDir } from '../bundle/bundle-dir';
import type { ServiceMonitor, ServiceScorer } from '../service/scoring-service';
import type { WorkerRequest, WorkerResponse, WorkerScorerInit } from './worker-protocol';

export type { WorkerScorerInit } from './worker-protocol';

/** The scorer interface the service needs, answered by the worker. */
export interface WorkerScorer extends ServiceScorer {
  /** Feeds an earlier event's outcome (1 adverse, 0 not) to the worker's label-delayed features; resolves how many entity windows held it. */
  recordOutcome(event: Readonly<Record<string, unknown>>, label: number): Promise<number>;
  /** Runs the members in the worker on a ready feature matrix (row-major): member logits, ensemble logits and scores. */
  predictFeatures(rows: Float32Array, nRows: number): Promise<{ memberLogits: Float64Array; logits: Float64Array; scores: Float64Array }>;
  /** The worker's entity state as snapshot bytes (null: no stateful features). */
  snapshot(): Promise<Uint8Array | null>;
  /** The worker's drift monitor, for the service (absent when the worker has none). */
  readonly monitor: ServiceMonitor | undefined;
  /** Releases the worker's sessions and ends the thread. */
  close(): Promise<void>;
}

/** A request before it is numbered (Omit over each member of the union). */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

const outcomeOf = (o: { ok: boolean; result?: unknown; error?: WireError }): ScoreOutcome =>
  (o.ok ? (o as ScoreOutcome) : { ok: false, error: unwire(o.error!) });

/** The worker's file: next to the built entry in dist, or dist's when running from source. */
function workerFile(): URL {
  const here = import.meta.url;
  return /\/src\/[^/]+\/[^/]+\.ts$/.test(here) ? new URL('../../dist/worker/scoring-worker.js', here) : new URL('./worker/scoring-worker.js', here);
}

/**
 * The parent's Node flags without export conditions: the worker is built JavaScript and
 * must resolve the packages' built entries (a test runner's `--conditions @riskscore/source` would
 * send it to TypeScript sources it cannot load).
 */
function builtExecArgv(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--conditions' || a === '-C') { i++; continue; }
    if (a.startsWith('--conditions=') || a.startsWith('-C=')) continue;
    out.push(a);
  }
  return out;
}

/**
 * Starts a scoring worker for the bundle in `init.bundleDir` (loaded here too, for the
 * manifest and feature names) and resolves once the worker is ready. Throws
 * `invalid_argument` without a `bundleDir`; if the worker fails or exits, every call not
 * yet answered, and every later one, rejects with `internal_error`.
 */
export async function createWorkerScorer(init: WorkerScorerInit): Promise<WorkerScorer> {
  if (init === null || typeof init !== 'object' || typeof init.bundleDir !== 'string') {
    throw new RiskscoreError('invalid_argument', 'createWorkerScorer: expected { bundleDir }', { path: ['init', 'bundleDir'] });
  }
  // The main thread's own copy: the manifest for /v1/models and the feature names.
  const bundle = await loadBundleFromDir(init.bundleDir, { trust: init.trust, limits: init.limits });
  const worker = new Worker(workerFile(), { workerData: init, execArgv: builtExecArgv() });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  let nextId = 1;
  /** Calls not answered yet (close waits for them: the worker runs calls side by side). */
  const inFlight = new Set<Promise<void>>();
  let dead: RiskscoreError | undefined;
  const failAll = (e: RiskscoreError): void => {
    dead = e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  worker.on('message', (m: WorkerResponse) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.ok) p.resolve(m.value);
    else p.reject(unwire(m.error));
  });
  worker.on('error', (e) => failAll(new RiskscoreError('internal_error', `the scoring worker failed: ${e.message}`, { path: [], cause: e })));
  worker.on('exit', (code) => { if (!dead) failAll(new RiskscoreError('internal_error', `the scoring worker exited (code ${code})`, { path: [] })); });
  const readyP = new Promise<unknown>((resolve, reject) => pending.set(0, { resolve, reject }));
  const call = <T>(req: WithoutId<WorkerRequest>, transfer?: ArrayBuffer[]): Promise<T> => {
    if (dead) return Promise.reject(dead);
    const id = nextId++;
    const p = new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ ...req, id }, transfer);
    });
    const settled = p.then(() => {}, () => {});
    inFlight.add(settled);
    void settled.then(() => inFlight.delete(settled));
    return p;
  };
  let hasMonitor: boolean;
  try {
    hasMonitor = (await readyP) === 'ready+monitor';
  } catch (e) {
    await worker.terminate();
    throw e;
  }
  const monitor: ServiceMonitor | undefined = hasMonitor ? {
    metrics: () => call<string>({ op: 'monitorMetrics' }),
    recordOutcome: (eventId, label) => call<boolean>({ op: 'monitorOutcome', eventId, label }),
    flush: () => call({ op: 'monitorFlush' }),
  } : undefined;
  return {
    model: bundle.id,
    bundle,
    featureNames: bundle.manifest.features.order,
    safeScore: (event, options) => call<{ ok: boolean }>({ op: 'safeScore', event, options }).then(outcomeOf),
    scoreBatch: (events, options) => call<Array<{ ok: boolean }>>({ op: 'scoreBatch', events, features: options?.features === true }).then((os) => os.map(outcomeOf)),
    // A copy of the row goes: the caller keeps its own (the dashboard may explain it again).
    scoreFeatures: (row, event, options) => call<ScoreResult>({ op: 'scoreFeatures', row, event, options }),
    recordOutcome: (event, label) => call<number>({ op: 'recordOutcome', event: event as Record<string, unknown>, label }),
    predictFeatures: (rows, nRows) => call({ op: 'predictFeatures', rows, nRows }),
    snapshot: () => call<Uint8Array | null>({ op: 'snapshot' }),
    monitor,
    async close() {
      if (dead) return;
      await Promise.all([...inFlight]);
      await call({ op: 'close' });
      await worker.terminate();
    },
  };
}
