/**
 * The one InferenceBackend both adapters need: onnxruntime-node and onnxruntime-web
 * share the `onnxruntime-common` API, so the adapters pass their module in and this
 * wraps it. Core names only the shape of that API; it imports no onnxruntime package.
 */
import type { InferenceBackend, InferenceSession } from './inference-backend';

/** The part of an onnxruntime module (node or web) the backend uses. */
export interface OrtModuleLike {
  InferenceSession: {
    create(model: Uint8Array, options?: Record<string, unknown>): Promise<{
      run(feeds: Record<string, unknown>, fetches: string[]): Promise<Record<string, { data: unknown }>>;
      release(): Promise<void>;
    }>;
  };
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => unknown;
}

/**
 * An InferenceBackend over an onnxruntime module. Input tensors wrap the caller's
 * Float32Array without copying; `prepare` runs once before the first session (the web
 * adapter configures wasm there).
 *
 * @example
 * import * as ort from 'onnxruntime-node';
 * const backend = backendFromOrt('onnxruntime-node', ort, { intraOpNumThreads: 1 });
 */
export function backendFromOrt(
  name: string,
  ort: OrtModuleLike,
  sessionOptions: Record<string, unknown>,
  prepare?: () => void,
): InferenceBackend {
  let prepared = false;
  return {
    name,
    async createSession(model, { inputName, outputName }): Promise<InferenceSession> {
      if (!prepared) {
        prepare?.();
        prepared = true;
      }
      const session = await ort.InferenceSession.create(model, sessionOptions);
      return {
        async run(input, rows, cols) {
          const data = input.length === rows * cols ? input : input.subarray(0, rows * cols);
          const out = await session.run({ [inputName]: new ort.Tensor('float32', data, [rows, cols]) }, [outputName]);
          return out[outputName].data as Float32Array;
        },
        release: () => session.release(),
      };
    },
  };
}
