/**
 * A scorer in a dedicated Web Worker, for pages: the bundle is fetched, verified and
 * scored off the main thread, so typing in a form never waits on a model. The page gets
 * promises with the same results as `createScorer`'s, typed arrays handed over without a
 * copy, and lanes that drop stale requests (see request-lanes.ts).
 */
import { fromWireError, RiskscoreError, type BundleLimits, type Manifest, type ScoreOutcome, type ScoreResult, type WireError } from '@riskscore/core';
import { RequestLanes, cancelledError } from './request-lanes';
import type { WorkerInit, WorkerReady, WorkerRequest, WorkerResponse, WorkerRuntime, WorkerScoreOptions } from './worker-protocol';

export type { WorkerRuntime } from './worker-protocol';

/** Options of one request to the worker scorer. */
export interface WorkerRequestOptions {
  /** Requests sharing a lane replace each other: only the newest is answered (the others reject with `cancelled`). */
  lane?: string;
  /** Aborting rejects the request with `cancelled` (dropped if it has not reached the worker). */
  signal?: AbortSignal;
}

/** Options of `score` in the worker: the scorer's own (`explain`, `commit`, `features`) and the request's. */
export type WorkerScorerScoreOptions = WorkerScoreOptions & WorkerRequestOptions;

/** Options of createWorkerScorer. */
export interface WorkerScorerOptions {
  /**
   * The worker: a `Worker` the app created from its own worker file (one line,
   * `import '@riskscore/browser/worker'`, started with `new Worker(new URL('./riskscore-worker.ts',
   * import.meta.url), { type: 'module' })`), or the URL of the built worker script, started
   * as a module worker. Default: `worker.js` next to this package's built entry.
   */
  worker?: Worker | string | URL;
  /**
   * onnxruntime-web, loaded in the worker only when the bundle has neural members:
   * `module`, the URL of its ESM build the app serves (default: the bare import
   * `onnxruntime-web`, for the app's bundler), `wasmPaths`, where its wasm files are served,
   * and `numThreads` (default `'auto'`: several when the page is cross-origin isolated).
   */
  ort?: { module?: string | URL; wasmPaths?: string | URL; numThreads?: number | 'auto' };
  /** Accept only a bundle signed by one of these Ed25519 public keys (loadBundle's `trust`). */
  trust?: { publicKeys: Array<string | { kty: 'OKP'; crv: 'Ed25519'; x: string }> };
  /** Bundle size limits (loadBundle's `limits`). */
  limits?: BundleLimits;
  /** `null` turns the clock-skew check off (for a history the server hands over). */
  clock?: null;
  /** Idempotency by event id, as createScorer's. */
  idempotency?: WorkerInit['idempotency'];
  /** Milliseconds to wait for the worker to load the bundle (default 60,000): past it, `worker_unavailable`. */
  loadTimeoutMs?: number;
}

/** A scorer answered by a Web Worker. */
export interface WorkerScorer {
  /** `name@version` of the bundle. */
  readonly model: string;
  readonly manifest: Manifest;
  readonly featureNames: readonly string[];
  /** How the bundle runs in the worker (native trees, onnxruntime-web and its threads) and how long it took to load. */
  readonly runtime: WorkerRuntime;
  /** As `Scorer.score`, in the worker; rejects with the scorer's typed error, or `cancelled`. */
  score(event: unknown, options?: WorkerScorerScoreOptions): Promise<ScoreResult>;
  /** As `score`, resolving `{ ok: false, error }` instead of rejecting (a cancelled request still rejects). */
  safeScore(event: unknown, options?: WorkerScorerScoreOptions): Promise<ScoreOutcome>;
  /** As `Scorer.scoreBatch`: one outcome per event, in order. */
  scoreBatch(events: readonly unknown[], options?: WorkerRequestOptions): Promise<ScoreOutcome[]>;
  /** As `Scorer.predictFeatures`; `rows`' buffer is transferred to the worker (the caller's array is emptied). */
  predictFeatures(rows: Float32Array, nRows: number, options?: WorkerRequestOptions): Promise<{ memberLogits: Float64Array; logits: Float64Array; scores: Float64Array }>;
  /** Requests not yet answered (the one in the worker and those waiting). */
  readonly pending: number;
  /** Releases the worker's sessions and ends it; pending requests reject with `worker_unavailable`. */
  close(): Promise<void>;
}

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

function invalid(path: string[], message: string): RiskscoreError {
  return new RiskscoreError('invalid_argument', `createWorkerScorer: ${message}`, { path });
}

function pageUrl(u: string | URL, path: string[]): string {
  try {
    return new URL(String(u), (globalThis as { location?: { href: string } }).location?.href).href;
  } catch (cause) {
    throw new RiskscoreError('invalid_argument', `createWorkerScorer: ${JSON.stringify(String(u))} is not a URL (and there is no page location to resolve it against)`, { path, cause });
  }
}

function startWorker(w: WorkerScorerOptions['worker']): { worker: Worker; url: string } {
  if (w !== undefined && typeof w !== 'string' && !(w instanceof URL) && (typeof Worker !== 'function' || !(w instanceof Worker))) {
    throw invalid(['options', 'worker'], 'options.worker must be a Worker, or the URL of the worker script');
  }
  if (typeof Worker !== 'function') throw new RiskscoreError('worker_unavailable', 'createWorkerScorer: this environment has no Web Worker (a browser page is needed)', { path: ['options', 'worker'] });
  if (w instanceof Worker) return { worker: w, url: '(the Worker given)' };
  let url: string;
  if (w === undefined) {
    // The built package's worker next to this file; bundlers (Vite, webpack) recognise this form.
    const meta = import.meta as { url?: string };
    if (typeof meta.url !== 'string') throw invalid(['options', 'worker'], 'pass options.worker (the URL of @riskscore/browser/worker as your bundler serves it, or a Worker)');
    url = new URL('./worker.js', meta.url).href;
  } else url = pageUrl(w, ['options', 'worker']);
  try {
    return { worker: new Worker(url, { type: 'module', name: 'riskscore' }), url };
  } catch (cause) {
    throw new RiskscoreError('worker_unavailable', `createWorkerScorer: the worker ${url} could not be created: ${(cause as Error)?.message ?? String(cause)}`, { path: ['options', 'worker'], details: { url }, cause });
  }
}

/** The start-up message: the bundle source and options with every URL resolved against the page (the files are copied, the caller keeps its arrays). */
function initOf(source: unknown, o: WorkerScorerOptions): WorkerInit {
  const init: Omit<WorkerInit, 'source'> = { trust: o.trust, limits: o.limits, clock: o.clock, idempotency: o.idempotency };
  if (o.ort !== undefined) {
    if (o.ort === null || typeof o.ort !== 'object') throw invalid(['options', 'ort'], 'options.ort must be an object ({ module?, wasmPaths?, numThreads? })');
    const { module, wasmPaths, numThreads } = o.ort;
    if (numThreads !== undefined && numThreads !== 'auto' && (!Number.isInteger(numThreads) || numThreads < 1)) {
      throw invalid(['options', 'ort', 'numThreads'], `options.ort.numThreads must be a positive integer or 'auto', got ${String(numThreads)}`);
    }
    init.ort = {
      module: module === undefined ? undefined : pageUrl(module, ['options', 'ort', 'module']),
      // onnxruntime-web joins file names onto the prefix: keep its trailing slash.
      wasmPaths: wasmPaths === undefined ? undefined : pageUrl(wasmPaths, ['options', 'ort', 'wasmPaths']),
      numThreads,
    };
  }
  if (typeof source === 'string' || source instanceof URL) {
    const s = String(source);
    return { ...init, source: { url: pageUrl(s.endsWith('/') ? s : `${s}/`, ['source']) } };
  }
  if (source !== null && typeof source === 'object' && !Array.isArray(source)) {
    const files: Record<string, Uint8Array> = {};
    for (const [name, bytes] of Object.entries(source as Record<string, unknown>)) {
      if (!(bytes instanceof Uint8Array)) throw invalid(['source', name], `source[${JSON.stringify(name)}] must be the file's bytes (a Uint8Array)`);
      files[name] = bytes;
    }
    if (!files['manifest.json']) throw invalid(['source', 'manifest.json'], 'the bundle\'s files must include manifest.json');
    return { ...init, source: { files } };
  }
  throw invalid(['source'], 'source must be the bundle folder\'s URL, or its files ({ "manifest.json": Uint8Array, … })');
}

/**
 * Starts a Web Worker, loads the bundle there (`source`: the bundle folder's URL, or its
 * files as bytes) and resolves once it can score. Rejects with the loader's typed error
 * (`bundle_integrity` for a URL that does not serve the bundle, `bundle_untrusted`,
 * `invalid_manifest` …), `backend_error` when onnxruntime-web or its wasm cannot load
 * for a neural member, or `worker_unavailable` when the worker script cannot start.
 *
 * @example
 * const scorer = await createWorkerScorer('/bundles/taiwan-credit/', {
 *   worker: '/assets/riskscore-worker.js',
 *   ort: { module: '/ort/ort.wasm.min.mjs', wasmPaths: '/ort/' },
 * });
 * input.addEventListener('input', async () => {
 *   try {
 *     const r = await scorer.score(readForm(), { explain: true, lane: 'form' });
 *     show(r.decision, r.score, r.reasons);
 *   } catch (e) { if (!(isRiskscoreError(e) && e.code === 'cancelled')) showError(e); }
 * });
 */
export async function createWorkerScorer(source: string | URL | Record<string, Uint8Array>, options: WorkerScorerOptions = {}): Promise<WorkerScorer> {
  if (options === null || typeof options !== 'object') throw invalid(['options'], 'options must be an object');
  const loadTimeoutMs = options.loadTimeoutMs ?? 60_000;
  if (typeof loadTimeoutMs !== 'number' || !(loadTimeoutMs > 0)) throw invalid(['options', 'loadTimeoutMs'], `options.loadTimeoutMs must be a positive number of milliseconds, got ${String(loadTimeoutMs)}`);
  const init = initOf(source, options);
  const { worker, url } = startWorker(options.worker);

  let dead: RiskscoreError | undefined;
  const lanes = new RequestLanes<WithoutId<WorkerRequest>>((id, message) => {
    const t: Transferable[] = message.op === 'predictFeatures' ? [message.rows.buffer] : [];
    worker.postMessage({ ...message, id }, t);
  });
  let ready: { resolve(v: WorkerReady): void; reject(e: unknown): void } | undefined;
  const die = (e: RiskscoreError): void => {
    if (dead) return;
    dead = e;
    ready?.reject(e);
    lanes.failAll(e);
    worker.terminate();
  };
  worker.addEventListener('message', (ev: MessageEvent) => {
    const m = ev.data as WorkerResponse;
    if (m.id === 0) {
      if (m.ok) ready?.resolve(m.value as WorkerReady);
      else ready?.reject(fromWireError(m.error));
      ready = undefined;
      return;
    }
    lanes.answer(m.id, m.ok, m.ok ? m.value : fromWireError(m.error));
  });
  worker.addEventListener('error', (ev: ErrorEvent) => {
    ev.preventDefault?.();
    const why = ev.message ? `: ${ev.message}` : ' (the script could not be fetched or evaluated)';
    die(new RiskscoreError('worker_unavailable', `the riskscore worker ${url} failed${why}; serve the built worker script (@riskscore/browser/worker) where options.worker points`, { path: ['options', 'worker'], details: { url } }));
  });
  worker.addEventListener('messageerror', () => die(new RiskscoreError('worker_unavailable', 'a message from the riskscore worker could not be read', { path: [] })));

  const readyValue = new Promise<WorkerReady>((resolve, reject) => { ready = { resolve, reject }; });
  const timer = setTimeout(() => die(new RiskscoreError('worker_unavailable', `the riskscore worker did not load the bundle within ${loadTimeoutMs} ms`, { path: ['options', 'loadTimeoutMs'], details: { ms: loadTimeoutMs } })), loadTimeoutMs);
  worker.postMessage({ id: 0, op: 'init', init } satisfies WorkerRequest);
  let info: WorkerReady;
  try {
    info = await readyValue;
  } catch (e) {
    dead ??= e instanceof RiskscoreError ? e : undefined;
    worker.terminate();
    throw e;
  } finally {
    clearTimeout(timer);
  }

  const call = <T>(message: WithoutId<WorkerRequest>, o: WorkerRequestOptions = {}): Promise<T> => {
    if (dead) return Promise.reject(dead);
    if (o === null || typeof o !== 'object') return Promise.reject(invalid(['options'], 'request options must be an object ({ lane?, signal?, … })'));
    if (o.lane !== undefined && typeof o.lane !== 'string') return Promise.reject(invalid(['options', 'lane'], 'options.lane must be a string'));
    const signal = o.signal;
    if (signal?.aborted) return Promise.reject(cancelledError('aborted', o.lane));
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => lanes.abort(id);
      const done = (): void => signal?.removeEventListener('abort', onAbort);
      const id = lanes.add({
        message, lane: o.lane,
        resolve: (v) => { done(); resolve(v as T); },
        reject: (e) => { done(); reject(e); },
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  };
  const splitOptions = (o: WorkerScorerScoreOptions = {}): [WorkerScoreOptions | undefined, WorkerRequestOptions] => {
    if (o === null || typeof o !== 'object') return [undefined, o as never];
    const { lane, signal, ...rest } = o as WorkerScorerScoreOptions & { start?: unknown };
    delete (rest as { start?: unknown }).start;
    return [Object.keys(rest).length ? rest : undefined, { lane, signal }];
  };
  const outcomeOf = (o: { ok: boolean; result?: ScoreResult; error?: WireError }): ScoreOutcome =>
    (o.ok ? { ok: true, result: o.result! } : { ok: false, error: fromWireError(o.error!) });

  const scorer: WorkerScorer = {
    model: info.model,
    manifest: info.manifest,
    featureNames: info.featureNames,
    runtime: info.runtime,
    get pending() { return lanes.pending; },
    score(event, o) {
      const [scoreOptions, req] = splitOptions(o);
      return call<ScoreResult>({ op: 'score', event, options: scoreOptions }, req);
    },
    async safeScore(event, o) {
      try {
        return { ok: true, result: await scorer.score(event, o) };
      } catch (e) {
        if (RiskscoreError.isInstance(e) && (e.code === 'cancelled' || e.code === 'worker_unavailable')) throw e;
        return { ok: false, error: e as RiskscoreError };
      }
    },
    async scoreBatch(events, o) {
      if (!Array.isArray(events)) throw invalid(['events'], 'scoreBatch: events must be an array');
      const wired = await call<Array<{ ok: boolean; result?: ScoreResult; error?: WireError }>>({ op: 'scoreBatch', events: [...events] }, o);
      return wired.map(outcomeOf);
    },
    predictFeatures(rows, nRows, o) {
      if (!(rows instanceof Float32Array)) return Promise.reject(invalid(['rows'], 'predictFeatures: rows must be a Float32Array'));
      if (!Number.isInteger(nRows) || nRows < 0 || nRows * info.featureNames.length > rows.length) {
        return Promise.reject(invalid(['nRows'], `predictFeatures: nRows must be an integer with nRows × ${info.featureNames.length} ≤ rows.length (${rows.length}), got ${nRows}`));
      }
      return call({ op: 'predictFeatures', rows, nRows }, o);
    },
    async close() {
      if (dead) return;
      try {
        await call({ op: 'close' });
      } finally {
        die(new RiskscoreError('worker_unavailable', 'the worker scorer was closed', { path: [] }));
      }
    },
  };
  return scorer;
}
