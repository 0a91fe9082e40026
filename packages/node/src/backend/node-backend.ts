/**
 * The InferenceBackend for Node: onnxruntime-node (CPU). One session per member; input
 * tensors wrap the caller's Float32Array without copying.
 */
import type { InferenceBackend, InferenceSession } from '@riskscore/core';
import * as ort from 'onnxruntime-node';

export interface NodeBackendOptions {
  /** Threads inside one operator (default 1: scoring is latency-bound at small batches). */
  intraOpNumThreads?: number;
  /** Graph optimisation level (default 'all'). */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
}

/**
 * Creates the onnxruntime-node backend.
 *
 * @example
 * const scorer = await createScorer(bundle, { backend: createNodeBackend() });
 */
export function createNodeBackend(options: NodeBackendOptions = {}): InferenceBackend {
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: options.intraOpNumThreads ?? 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
    executionMode: 'sequential',
  };
  return {
    name: 'onnxruntime-node',
    async createSession(model, { inputName, outputName }): Promise<InferenceSession> {
      const session = await ort.InferenceSession.create(model, sessionOptions);
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
