/**
 * The InferenceBackend for browsers (and Node, for parity tests): onnxruntime-web on
 * its WebAssembly backend, single-threaded so it needs no cross-origin isolation.
 */
import { backendFromOrt, RiskscoreError, type InferenceBackend, type OrtModuleLike } from '@riskscore/core';
import * as ort from 'onnxruntime-web';

/** Options of createWebBackend: onnxruntime-web's wasm settings; a bad value throws `invalid_argument` at `['options', name]`. */
export interface WebBackendOptions {
  /** Where ort-wasm*.wasm are served from (a URL prefix); default: next to the script. */
  wasmPaths?: string;
  /** WebAssembly threads (default 1). More need a cross-origin-isolated page. */
  numThreads?: number;
}

/**
 * Creates the onnxruntime-web (wasm) backend. ORT's wasm settings are global to the
 * page; they are applied when the first session is created.
 *
 * @example
 * const scorer = await createScorer(await loadBundleFromUrl('/bundles/taiwan/'), { backend: createWebBackend({ wasmPaths: '/ort/' }) });
 */
export function createWebBackend(options: WebBackendOptions = {}): InferenceBackend {
  if (options === null || typeof options !== 'object') {
    throw new RiskscoreError('invalid_argument', 'createWebBackend: options must be an object ({ wasmPaths?, numThreads? })', { path: ['options'] });
  }
  const { numThreads, wasmPaths } = options;
  if (numThreads !== undefined && (!Number.isInteger(numThreads) || numThreads < 1)) {
    throw new RiskscoreError('invalid_argument', `createWebBackend: numThreads must be a positive integer, got ${numThreads}`, { path: ['options', 'numThreads'] });
  }
  if (wasmPaths !== undefined && typeof wasmPaths !== 'string') {
    throw new RiskscoreError('invalid_argument', 'createWebBackend: wasmPaths must be a URL prefix string', { path: ['options', 'wasmPaths'] });
  }
  return backendFromOrt('onnxruntime-web', ort as unknown as OrtModuleLike, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' }, () => {
    ort.env.wasm.numThreads = options.numThreads ?? 1;
    if (options.wasmPaths) ort.env.wasm.wasmPaths = options.wasmPaths;
  });
}
