/**
 * The Web Worker of `createWorkerScorer`: loads the bundle (by URL, or from the files the
 * page sent), builds the scorer (tree members native; onnxruntime-web only for neural
 * ones, imported on first use) and answers the page's requests. The page sends one
 * request at a time, so nothing queues here and a stale request can be dropped on the
 * page before it costs anything.
 *
 * `worker-main.ts` (`@riskscore/browser/worker`, built as dist/worker.js) starts it in
 * the worker's global scope.
 */
import { createScorer, loadBundle, toWireError, type LoadedBundle, type Scorer, type ScoreOutcome, type ScoreResult } from '@riskscore/core';
import { loadBundleFromUrl } from '../load-bundle-url';
import { createWebBackend, type WebBackend } from '../web-backend';
import type { WorkerInit, WorkerReady, WorkerRequest, WorkerResponse, WorkerRuntime } from './worker-protocol';

/** The worker global scope, as far as the worker scorer uses it. */
export interface WorkerScope {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (ev: MessageEvent) => void): void;
  close(): void;
  crossOriginIsolated?: boolean;
}

async function loadFrom(init: WorkerInit): Promise<LoadedBundle> {
  const options = { trust: init.trust, limits: init.limits };
  if ('url' in init.source) return loadBundleFromUrl(init.source.url, undefined, options);
  const files = init.source.files;
  return loadBundle({ readFile: async (path: string) => files[path] }, options);
}

/**
 * The result to post, with its typed arrays copied into buffers handed over without a
 * second copy. The scorer's own object is left alone: it may be the result it keeps for
 * a duplicate of the event, whose arrays must stay readable.
 */
function forTransfer(r: ScoreResult, out: Transferable[]): ScoreResult {
  const copy: ScoreResult = { ...r };
  if (r.features) {
    copy.features = r.features.slice();
    out.push(copy.features.buffer);
  }
  if (r.explanation) {
    const members: Record<string, Float64Array> = {};
    for (const [k, v] of Object.entries(r.explanation.members)) {
      members[k] = v.slice();
      out.push(members[k].buffer);
    }
    copy.explanation = { ...r.explanation, members };
  }
  return copy;
}

function resourcesFetched(): WorkerRuntime['fetched'] {
  const entries = typeof performance.getEntriesByType === 'function' ? performance.getEntriesByType('resource') as PerformanceResourceTiming[] : [];
  return entries.map((e) => ({ url: e.name, transferBytes: e.transferSize ?? 0, bodyBytes: e.encodedBodySize ?? 0 }));
}

/** Starts answering on `scope` (the worker's global). */
export function serveWorkerScorer(scope: WorkerScope): void {
  let scorer: Scorer | undefined;
  let backend: WebBackend | undefined;
  const reply = (m: WorkerResponse, transfer: Transferable[] = []): void => scope.postMessage(m, transfer);

  async function start(init: WorkerInit): Promise<WorkerReady> {
    const t0 = performance.now();
    const bundle = await loadFrom(init);
    const neural = bundle.members.some((m) => m.spec.kind === 'neural');
    if (neural) backend = createWebBackend({ ort: init.ort?.module, wasmPaths: init.ort?.wasmPaths, numThreads: init.ort?.numThreads });
    scorer = await createScorer(bundle, { backend, clock: init.clock, idempotency: init.idempotency });
    return {
      model: scorer.model,
      manifest: bundle.manifest,
      featureNames: [...scorer.featureNames],
      runtime: {
        members: bundle.members.map((m) => ({ name: m.spec.name, kind: m.spec.kind, runsIn: m.spec.kind === 'trees' ? 'native' : 'onnxruntime-web' })),
        ort: backend?.loaded ? { threads: backend.threads ?? 1 } : null,
        crossOriginIsolated: scope.crossOriginIsolated === true,
        loadMs: performance.now() - t0,
        fetched: resourcesFetched(),
      },
    };
  }

  async function handle(m: WorkerRequest): Promise<void> {
    const transfer: Transferable[] = [];
    try {
      let value: unknown;
      if (m.op === 'init') value = await start(m.init);
      else if (scorer === undefined) throw new Error(`${m.op} before the scorer started`);
      else if (m.op === 'score') {
        value = forTransfer(await scorer.score(m.event, m.options), transfer);
      } else if (m.op === 'scoreBatch') {
        const outcomes: ScoreOutcome[] = await scorer.scoreBatch(m.events);
        value = outcomes.map((o) => {
          if (o.ok) return { ok: true, result: forTransfer(o.result, transfer) };
          return { ok: false, error: toWireError(o.error) };
        });
      } else if (m.op === 'predictFeatures') {
        const p = await scorer.predictFeatures(m.rows, m.nRows);
        transfer.push(p.memberLogits.buffer, p.logits.buffer, p.scores.buffer);
        value = p;
      } else if (m.op === 'close') {
        await scorer.close();
        scorer = undefined;
        value = null;
      }
      reply({ id: m.id, ok: true, value }, transfer);
    } catch (e) {
      reply({ id: m.id, ok: false, error: toWireError(e) });
    }
  }

  scope.addEventListener('message', (ev: MessageEvent) => { void handle(ev.data as WorkerRequest); });
}
