/**
 * The contract between core and the runtimes that execute neural members. Core never
 * imports an onnxruntime package: `@riskscore/node` implements this with
 * onnxruntime-node, `@riskscore/browser` with onnxruntime-web.
 */

/** A loaded model that maps a float32 matrix to a float32 matrix. */
export interface InferenceSession {
  /**
   * Runs the model on `rows × cols` values (row-major) fed to the model's input, and
   * resolves with the output's values (`rows × outputWidth`, row-major). The input
   * array must not be reused by the caller until the promise settles.
   */
  run(input: Float32Array, rows: number, cols: number): Promise<Float32Array>;
  /** Frees native resources. */
  release(): Promise<void>;
}

/** Creates sessions from ONNX bytes. */
export interface InferenceBackend {
  /** Name reported in timings and errors, e.g. `onnxruntime-node`. */
  readonly name: string;
  /** Loads `model` and binds its input `inputName` and output `outputName`. */
  createSession(model: Uint8Array, io: { inputName: string; outputName: string }): Promise<InferenceSession>;
}
