/**
 * The worker thread of a worker scorer: builds its own scorer from the bundle folder,
 * then answers the proxy's requests one at a time, in order (the entity state lives
 * here, so one worker is the single owner of every entity it scores).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createMonitor, createScorer, specFeatureStep, toWireError as wire, type Monitor, type Scorer, type ScoreOutcome } from '@riskscore/core';
import { createMemoryStateStore } from '@riskscore/features';
import { createNodeBackend } from '../backend/node-backend';
import { loadBundleFromDir } from '../bundle/bundle-dir';
import type { WorkerRequest, WorkerResponse, WorkerScorerInit } from './worker-protocol';


const wireOutcomes = (outcomes: ScoreOutcome[]): unknown[] => outcomes.map((o) => (o.ok ? o : { ok: false, error: wire(o.error) }));

let monitor: Monitor | undefined;
let idField: string | undefined;

/** Scored events' ids go to the monitor for their labels (the main thread's service does this without a worker). */
function track(events: readonly unknown[], outcomes: ScoreOutcome[]): void {
  if (monitor === undefined || idField === undefined) return;
  for (let i = 0; i < outcomes.length; i++) {
    const o = outcomes[i];
    const e = events[i] as Record<string, unknown> | null;
    if (!o.ok || o.result.duplicate || e === null || typeof e !== 'object') continue;
    const id = e[idField];
    if (typeof id === 'string' || typeof id === 'number') {
      try { monitor.track(String(id), o.result.score); } catch { /* not tracked */ }
    }
  }
}

async function start(init: WorkerScorerInit): Promise<Scorer> {
  const bundle = await loadBundleFromDir(init.bundleDir, { trust: init.trust, limits: init.limits });
  const store = init.store || init.snapshot ? createMemoryStateStore(init.store ?? {}) : undefined;
  if (store && init.snapshot) store.restore(init.snapshot);
  const clock = init.clock === null ? null : undefined;
  const features = bundle.manifest.features.spec !== undefined ? specFeatureStep(bundle.manifest, { store, clock }) : undefined;
  if (init.monitor !== false && bundle.reference) {
    const o = typeof init.monitor === 'object' ? init.monitor : {};
    monitor = createMonitor(bundle, { window: o.window, outcomeCapacity: o.outcomeCapacity });
  }
  const spec = bundle.manifest.features.spec as { event?: { idField?: unknown } } | undefined;
  idField = typeof spec?.event?.idField === 'string' ? spec.event.idField : undefined;
  return createScorer(bundle, {
    observer: monitor,
    backend: createNodeBackend({ intraOpNumThreads: init.intraOpThreads ?? 1 }),
    // The clock goes to the step compiled here; createScorer takes it only for a step of its own.
    features, clock: features === undefined ? clock : undefined, idempotency: init.idempotency,
  });
}

const port = parentPort!;
const ready = start(workerData as WorkerScorerInit);
ready.then(
  () => port.postMessage({ id: 0, ok: true, value: monitor ? 'ready+monitor' : 'ready' } satisfies WorkerResponse),
  (e) => port.postMessage({ id: 0, ok: false, error: wire(e) } satisfies WorkerResponse),
);
// Each request starts as it arrives, without waiting for the ones before to finish: the
// scorer orders an entity's events by call order itself (its entity lines), so a batch's
// features run while the batch before waits on onnxruntime.
let started: Scorer | undefined;
ready.then((s) => { started = s; }, () => {});
port.on('message', (m: WorkerRequest) => {
  if (started !== undefined) void handle(started, m);
  else void ready.then((s) => handle(s, m), () => { /* a failed start answered id 0 */ });
});

async function handle(scorer: Scorer, m: WorkerRequest): Promise<void> {
  let res: WorkerResponse;
  try {
    let value: unknown;
    switch (m.op) {
      case 'scoreBatch': {
        const outcomes = await scorer.scoreBatch(m.events, m.features ? { features: true } : undefined);
        track(m.events, outcomes);
        value = wireOutcomes(outcomes);
        break;
      }
      case 'safeScore': {
        const outcome = await scorer.safeScore(m.event, m.options);
        track([m.event], [outcome]);
        value = wireOutcomes([outcome])[0];
        break;
      }
      case 'scoreFeatures': value = await scorer.scoreFeatures(m.row, m.event, m.options); break;
      case 'monitorMetrics': value = monitor?.metrics() ?? ''; break;
      case 'monitorOutcome': value = monitor?.recordOutcome(m.eventId, m.label) ?? false; break;
      case 'monitorFlush': monitor?.flush(); value = null; break;
      case 'recordOutcome': value = scorer.recordOutcome(m.event, m.label); break;
      case 'predictFeatures': value = await scorer.predictFeatures(m.rows, m.nRows); break;
      case 'snapshot': value = scorer.state?.snapshot() ?? null; break;
      case 'close': await scorer.close(); value = null; break;
    }
    res = { id: m.id, ok: true, value };
  } catch (e) {
    res = { id: m.id, ok: false, error: wire(e) };
  }
  port.postMessage(res);
  if (m.op === 'close') port.close();
}
