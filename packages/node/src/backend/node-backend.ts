/**
 * The InferenceBackend for Node: onnxruntime-node (CPU), one session per member. The
 * native runtime is an optional peer, loaded on the first session: reading bundles,
 * computing features offline, native trees and the CLI's other commands run without it,
 * and a neural member without it fails with a `backend_error` that names the package.
 */
import { backendFromOrt, RiskscoreError, type InferenceBackend, type OrtModuleLike } from '@riskscore/core';

/** Options of createNodeBackend: onnxruntime-node session settings; a bad value throws `invalid_argument` at `['options', name]`. */
export interface NodeBackendOptions {
  /** Threads inside one operator, a positive integer (default 1: scoring is latency-bound at small batches). */
  intraOpNumThreads?: number;
  /** Graph optimisation level (default 'all'). */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
}

const LEVELS: ReadonlyArray<string> = ['disabled', 'basic', 'extended', 'all'];

/**
 * Creates the onnxruntime-node backend. Bad options throw `invalid_argument` at
 * `['options', name]`; bytes onnxruntime cannot load make `createSession` reject with a
 * `backend_error` at `['model']` whose `cause` is onnxruntime's error.
 *
 * @example
 * const scorer = await createScorer(bundle, { backend: createNodeBackend() });
 */
export function createNodeBackend(options: NodeBackendOptions = {}): InferenceBackend {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new RiskscoreError('invalid_argument', 'createNodeBackend: options must be an object ({ intraOpNumThreads?, graphOptimizationLevel? })', { path: ['options'] });
  }
  const { intraOpNumThreads = 1, graphOptimizationLevel = 'all' } = options;
  if (!Number.isInteger(intraOpNumThreads) || intraOpNumThreads < 1) {
    throw new RiskscoreError('invalid_argument', `createNodeBackend: intraOpNumThreads must be a positive integer, got ${String(intraOpNumThreads)}`, {
      path: ['options', 'intraOpNumThreads'], details: { actual: intraOpNumThreads },
    });
  }
  if (!LEVELS.includes(graphOptimizationLevel)) {
    throw new RiskscoreError('invalid_argument', `createNodeBackend: graphOptimizationLevel must be one of ${LEVELS.join(', ')}, got ${JSON.stringify(graphOptimizationLevel)}`, {
      path: ['options', 'graphOptimizationLevel'], details: { expected: LEVELS, actual: graphOptimizationLevel },
    });
  }
  const sessionOptions = { intraOpNumThreads, interOpNumThreads: 1, graphOptimizationLevel, executionMode: 'sequential' };
  let inner: Promise<InferenceBackend> | undefined;
  const load = (): Promise<InferenceBackend> => {
    inner ??= import('onnxruntime-node').then(
      (m) => backendFromOrt('onnxruntime-node', ((m as { default?: unknown }).default ?? m) as OrtModuleLike, sessionOptions),
      (cause) => {
        inner = undefined; // installed later: the next session tries again
        throw new RiskscoreError('backend_error', `onnxruntime-node cannot be loaded (${(cause as Error).message.split('\n')[0].slice(0, 160)}): neural members (and trees: 'backend') need it; install it with npm install onnxruntime-node`, { path: ['backend'], cause });
      },
    );
    return inner;
  };
  return {
    name: 'onnxruntime-node',
    async createSession(model, io) {
      return (await load()).createSession(model, io);
    },
  };
}
