/**
 * The InferenceBackend for Node: onnxruntime-node (CPU), one session per member.
 */
import { backendFromOrt, type InferenceBackend, type OrtModuleLike } from '@riskscore/core';
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
  return backendFromOrt('onnxruntime-node', ort as unknown as OrtModuleLike, {
    intraOpNumThreads: options.intraOpNumThreads ?? 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
    executionMode: 'sequential',
  });
}
