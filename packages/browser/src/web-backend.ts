/**
 * The InferenceBackend for browsers (and Node, for parity tests): onnxruntime-web on
 * its WebAssembly backend, single-threaded so it needs no cross-origin isolation.
 */
import type { InferenceBackend, InferenceSession } from '@riskscore/core';
import * as ort from 'onnxruntime-web';

export interface WebBackendOptions {
  /** Where ort-wasm*.wasm are served from (a URL prefix); default: next to the script. */
  wasmPaths?: string;
  /** WebAssembly threads (default 1). More need a cross-origin-isolated page. */
  numThreads?: number;
}

let configured = false;

/**
 * Creates the onnxruntime-web (wasm) backend.
 *
 * @example
 * const scorer = await createScorer(await loadBundleFromUrl('/bundles/taiwan/'), { backend: createWebBackend({ wasmPaths: '/ort/' }) });
 */
export function createWebBackend(options: WebBackendOptions = {}): InferenceBackend {
  return {
    name: 'onnxruntime-web',
    async createSession(model, { inputName, outputName }): Promise<InferenceSession> {
      if (!configured) {
        ort.env.wasm.numThreads = options.numThreads ?? 1;
        if (options.wasmPaths) ort.env.wasm.wasmPaths = options.wasmPaths;
        configured = true;
      }
      const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
      return {
        async run(input, rows, cols) {
          const feeds = { [inputName]: new ort.Tensor('float32', input.length === rows * cols ? input : input.subarray(0, rows * cols), [rows, cols]) };
          const out = await session.run(feeds, [outputName]);
          return out[outputName].data as Float32Array;
        },
        release: () => session.release(),
      };
    },
  };
}
