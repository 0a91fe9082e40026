/**
 * The InferenceBackend for browsers (and Node, for parity tests): onnxruntime-web on its
 * WebAssembly backend, loaded lazily. Nothing of onnxruntime-web is fetched until the
 * first neural member asks for a session, so a bundle of tree members (which core runs
 * natively) never loads its JavaScript or its ~14 MB of wasm.
 */
import { backendFromOrt, RiskscoreError, type InferenceBackend, type InferenceSession, type OrtModuleLike } from '@riskscore/core';

/** The part of onnxruntime-web this backend uses: the onnxruntime API and its wasm settings. */
export interface OrtWebModule extends OrtModuleLike {
  env: { wasm: { numThreads?: number; wasmPaths?: string | Record<string, string>; proxy?: boolean } };
}

/** Options of createWebBackend; a bad value throws `invalid_argument` at `['options', name]`. */
export interface WebBackendOptions {
  /** Where ort-wasm*.wasm and their .mjs loaders are served from (a URL prefix the app controls); default: onnxruntime-web's own guess, next to its script. */
  wasmPaths?: string;
  /**
   * WebAssembly threads. `'auto'` (default): up to 4, bounded by the cores, when the page
   * (or worker) is cross-origin isolated, else 1. A number > 1 needs cross-origin
   * isolation (SharedArrayBuffer); without it onnxruntime-web falls back to one thread.
   */
  numThreads?: number | 'auto';
  /**
   * How onnxruntime-web is loaded, on first use: the URL of its ESM build that the app
   * serves (e.g. `/ort/ort.wasm.min.mjs`), or a function resolving the module (e.g.
   * `() => import('onnxruntime-web/wasm')`). Default: `import('onnxruntime-web')`, which an
   * app's bundler splits into its own chunk.
   */
  ort?: string | URL | (() => Promise<unknown>);
}

/** The web backend, with what it has loaded so far. */
export interface WebBackend extends InferenceBackend {
  /** Threads onnxruntime-web was given (undefined until it is loaded). */
  readonly threads: number | undefined;
  /** True once onnxruntime-web's module has been imported. */
  readonly loaded: boolean;
}

/** Threads for `'auto'`: up to 4 cores when SharedArrayBuffer is allowed, else 1. */
export function autoThreads(g: { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } } = globalThis as never): number {
  if (g.crossOriginIsolated !== true) return 1;
  const cores = g.navigator?.hardwareConcurrency;
  return Math.max(1, Math.min(4, typeof cores === 'number' && cores > 0 ? Math.floor(cores) : 1));
}

function checkOptions(options: WebBackendOptions): void {
  if (options === null || typeof options !== 'object') {
    throw new RiskscoreError('invalid_argument', 'createWebBackend: options must be an object ({ wasmPaths?, numThreads?, ort? })', { path: ['options'] });
  }
  const { numThreads, wasmPaths, ort } = options;
  if (numThreads !== undefined && numThreads !== 'auto' && (!Number.isInteger(numThreads) || numThreads < 1)) {
    throw new RiskscoreError('invalid_argument', `createWebBackend: numThreads must be a positive integer or 'auto', got ${String(numThreads)}`, { path: ['options', 'numThreads'] });
  }
  if (wasmPaths !== undefined && typeof wasmPaths !== 'string') {
    throw new RiskscoreError('invalid_argument', 'createWebBackend: wasmPaths must be a URL prefix string', { path: ['options', 'wasmPaths'] });
  }
  if (ort !== undefined && typeof ort !== 'string' && !(ort instanceof URL) && typeof ort !== 'function') {
    throw new RiskscoreError('invalid_argument', 'createWebBackend: ort must be the URL of onnxruntime-web\'s ESM build or a function resolving the module', { path: ['options', 'ort'] });
  }
}

async function importOrt(ort: WebBackendOptions['ort']): Promise<OrtWebModule> {
  let mod: unknown;
  const where = ort === undefined ? 'onnxruntime-web' : typeof ort === 'function' ? 'options.ort()' : String(ort);
  try {
    if (ort === undefined) mod = await import('onnxruntime-web');
    else if (typeof ort === 'function') mod = await ort();
    else mod = await import(/* @vite-ignore */ /* webpackIgnore: true */ String(ort));
  } catch (cause) {
    throw new RiskscoreError('backend_error', `onnxruntime-web could not be loaded from ${where}: ${(cause as Error)?.message ?? String(cause)}; serve its ESM build (ort.wasm.min.mjs) where options.ort points`, {
      path: ['options', 'ort'], details: { ort: where }, cause,
    });
  }
  const m = ((mod as { default?: unknown })?.default && !(mod as { InferenceSession?: unknown }).InferenceSession ? (mod as { default: unknown }).default : mod) as OrtWebModule;
  if (typeof m?.InferenceSession?.create !== 'function' || typeof m.Tensor !== 'function' || typeof m.env?.wasm !== 'object') {
    throw new RiskscoreError('backend_error', `${where} is not onnxruntime-web (no InferenceSession, Tensor or env.wasm)`, { path: ['options', 'ort'], details: { ort: where } });
  }
  return m;
}

/**
 * Creates the onnxruntime-web (wasm) backend. onnxruntime-web is imported when the first
 * session is created; its wasm settings are global to the page or worker and are applied
 * then. A module or wasm that cannot be fetched gives `backend_error` (path
 * `['options', 'ort']` for the module; `['model']` with onnxruntime's message, which names
 * the wasm file, when the session cannot start).
 *
 * @example
 * const scorer = await createScorer(await loadBundleFromUrl('/bundles/taiwan/'), {
 *   backend: createWebBackend({ ort: '/ort/ort.wasm.min.mjs', wasmPaths: '/ort/' }),
 * });
 */
export function createWebBackend(options: WebBackendOptions = {}): WebBackend {
  checkOptions(options);
  let inner: Promise<InferenceBackend> | undefined;
  let threads: number | undefined;
  let loaded = false;
  const load = (): Promise<InferenceBackend> => (inner ??= importOrt(options.ort).then((ort) => {
    loaded = true;
    return backendFromOrt('onnxruntime-web', ort, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' }, () => {
      threads = options.numThreads === undefined || options.numThreads === 'auto' ? autoThreads() : options.numThreads;
      ort.env.wasm.numThreads = threads;
      // Already in a worker (or the caller's choice): onnxruntime's own proxy worker would serialise sessions.
      ort.env.wasm.proxy = false;
      if (options.wasmPaths) ort.env.wasm.wasmPaths = options.wasmPaths;
    });
  }, (e: unknown) => {
    inner = undefined; // a later session may try again (the app fixed its path, the network came back)
    throw e;
  }));
  return {
    name: 'onnxruntime-web',
    get threads() { return threads; },
    get loaded() { return loaded; },
    async createSession(model, io): Promise<InferenceSession> {
      const backend = await load();
      try {
        return await backend.createSession(model, io);
      } catch (e) {
        if (RiskscoreError.isInstance(e) && e.code === 'backend_error' && options.wasmPaths) {
          throw new RiskscoreError('backend_error', `${e.message} (wasm files from ${options.wasmPaths})`, { path: e.path, details: { ...e.details, wasmPaths: options.wasmPaths }, cause: e });
        }
        throw e;
      }
    },
  };
}
