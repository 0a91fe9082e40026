/**
 * The one InferenceBackend both adapters need: onnxruntime-node and onnxruntime-web
 * share the `onnxruntime-common` API, so the adapters pass their module in and this
 * wraps it. Core names only the shape of that API; it imports no onnxruntime package.
 */
import { RiskscoreError } from '../errors';
import type { InferenceBackend, InferenceSession } from './inference-backend';

/** The part of an onnxruntime module (node or web) the backend uses. */
export interface OrtModuleLike {
  InferenceSession: {
    /** Loads a model from its ONNX bytes with onnxruntime session options. */
    create(model: Uint8Array, options?: Record<string, unknown>): Promise<{
      /** Runs the model on input tensors by name; resolves the `fetches` outputs by name. */
      run(feeds: Record<string, unknown>, fetches: string[]): Promise<Record<string, { data: unknown }>>;
      /** Frees the session's native resources. */
      release(): Promise<void>;
    }>;
  };
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => unknown;
}

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

/**
 * An InferenceBackend over an onnxruntime module. Input tensors wrap the caller's
 * Float32Array without copying; `prepare` runs once before the first session (the web
 * adapter configures wasm there).
 *
 * Arguments are checked here, once: a missing name, a module without
 * `InferenceSession.create` / `Tensor`, or session options that are not an object throw
 * `invalid_argument`. `createSession` refuses a model that is not a Uint8Array or io
 * names that are not strings (`invalid_argument`, path `['model']` / `['io', …]`), and
 * turns onnxruntime's own failure to load the model (bytes that are not ONNX, an
 * unsupported operator) into a `backend_error` at `['model']` with onnxruntime's error
 * as `cause`. `run` is the per-batch hot path and is not re-checked; the scorer wraps
 * its failures.
 *
 * @example
 * import * as ort from 'onnxruntime-node';
 * const backend = backendFromOrt('onnxruntime-node', ort, { intraOpNumThreads: 1 });
 */
export function backendFromOrt(
  name: string,
  ort: OrtModuleLike,
  sessionOptions: Record<string, unknown> = {},
  prepare?: () => void,
): InferenceBackend {
  if (typeof name !== 'string' || name === '') {
    throw new RiskscoreError('invalid_argument', `backendFromOrt: name must be a non-empty string such as "onnxruntime-node", got ${kindOf(name)}`, { path: ['name'] });
  }
  if (typeof ort !== 'object' || ort === null || typeof ort.InferenceSession?.create !== 'function' || typeof ort.Tensor !== 'function') {
    throw new RiskscoreError('invalid_argument', 'backendFromOrt: ort must be an onnxruntime module (onnxruntime-node or onnxruntime-web) with InferenceSession.create and Tensor; pass `import * as ort from "onnxruntime-node"`', {
      path: ['ort'], details: { actual: kindOf(ort) },
    });
  }
  if (typeof sessionOptions !== 'object' || sessionOptions === null || Array.isArray(sessionOptions)) {
    throw new RiskscoreError('invalid_argument', `backendFromOrt: sessionOptions must be an object of onnxruntime session options, got ${kindOf(sessionOptions)}`, { path: ['sessionOptions'] });
  }
  if (prepare !== undefined && typeof prepare !== 'function') {
    throw new RiskscoreError('invalid_argument', `backendFromOrt: prepare must be a function or undefined, got ${kindOf(prepare)}`, { path: ['prepare'] });
  }
  let prepared = false;
  return {
    name,
    async createSession(model, io): Promise<InferenceSession> {
      if (!(model instanceof Uint8Array)) {
        throw new RiskscoreError('invalid_argument', `${name} createSession: model must be the ONNX file's bytes as a Uint8Array, got ${kindOf(model)}`, { path: ['model'] });
      }
      const inputName = (io as { inputName?: unknown } | null)?.inputName;
      const outputName = (io as { outputName?: unknown } | null)?.outputName;
      if (typeof inputName !== 'string' || inputName === '') {
        throw new RiskscoreError('invalid_argument', `${name} createSession: io.inputName must name the model's input (a non-empty string), got ${kindOf(inputName)}`, { path: ['io', 'inputName'] });
      }
      if (typeof outputName !== 'string' || outputName === '') {
        throw new RiskscoreError('invalid_argument', `${name} createSession: io.outputName must name the model's output (a non-empty string), got ${kindOf(outputName)}`, { path: ['io', 'outputName'] });
      }
      let session: Awaited<ReturnType<OrtModuleLike['InferenceSession']['create']>>;
      try {
        if (!prepared) {
          prepare?.();
          prepared = true;
        }
        session = await ort.InferenceSession.create(model, sessionOptions);
      } catch (cause) {
        throw new RiskscoreError('backend_error', `${name} could not create a session from the ${model.byteLength}-byte model: ${(cause as Error)?.message ?? String(cause)}; check that the bytes are a complete ONNX file the runtime supports`, {
          path: ['model'], details: { backend: name, bytes: model.byteLength }, cause,
        });
      }
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
