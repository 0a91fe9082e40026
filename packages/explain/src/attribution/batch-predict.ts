import { ExplainError } from '../errors';

/**
 * A model as model-agnostic explainers see it: `nRows` rows of the model's width,
 * row-major in one `Float32Array`, in; one output per row (a logit, for riskscore's
 * members) out, synchronously or as a promise, so a backend (ONNX Runtime) can run
 * the whole batch in one call.
 *
 * @example
 * const predict: BatchPredict = async (rows, nRows) => backend.runLogits(rows, nRows);
 */
export type BatchPredict = (rows: Float32Array, nRows: number) => Float64Array | Promise<Float64Array>;

/**
 * Runs `predict` over `nRows` rows in chunks of at most `maxBatchRows` rows (awaiting
 * each chunk, so at most one chunk is in flight) and checks every answer: one finite
 * number per row. `where` names the calling explainer in error messages.
 *
 * @throws ExplainError `invalid_argument` at path `['predict']` for a wrong-length or
 * non-finite answer, at the argument's name for a bad argument.
 * @example
 * const y = await predictInBatches(predict, rows, 4096, nFeatures, 1024, 'kernelShap'); // Float64Array(4096)
 */
export async function predictInBatches(
  predict: BatchPredict, rows: Float32Array, nRows: number, nFeatures: number, maxBatchRows: number, where: string,
): Promise<Float64Array> {
  if (typeof predict !== 'function') {
    throw new ExplainError('invalid_argument', `${where}: predict must be a function (rows, nRows) => Float64Array`, ['predict']);
  }
  if (!Number.isInteger(nRows) || nRows < 0) throw new ExplainError('invalid_argument', `${where}: nRows must be an integer ≥ 0, got ${nRows}`, ['nRows']);
  if (!Number.isInteger(nFeatures) || nFeatures < 1) throw new ExplainError('invalid_argument', `${where}: nFeatures must be a positive integer, got ${nFeatures}`, ['nFeatures']);
  if (!Number.isInteger(maxBatchRows) || maxBatchRows < 1) {
    throw new ExplainError('invalid_argument', `${where}: maxBatchRows must be a positive integer, got ${maxBatchRows}`, ['maxBatchRows']);
  }
  if (!(rows instanceof Float32Array) || rows.length < nRows * nFeatures) {
    throw new ExplainError('invalid_argument', `${where}: rows must be a Float32Array of nRows·nFeatures = ${nRows * nFeatures} values`, ['rows']);
  }
  const out = new Float64Array(nRows);
  for (let start = 0; start < nRows; start += maxBatchRows) {
    const n = Math.min(maxBatchRows, nRows - start);
    const chunk = rows.subarray(start * nFeatures, (start + n) * nFeatures);
    const y = await predict(chunk, n);
    if (!y || typeof y.length !== 'number' || y.length !== n) {
      throw new ExplainError('invalid_argument', `${where}: predict returned ${y ? y.length : 'nothing'} outputs for ${n} rows; it must return a Float64Array with one output per row`, ['predict']);
    }
    for (let i = 0; i < n; i++) {
      const v = y[i];
      if (!Number.isFinite(v)) {
        throw new ExplainError('invalid_argument', `${where}: predict returned ${v} for row ${start + i}; outputs must be finite numbers (logits)`, ['predict', start + i]);
      }
      out[start + i] = v;
    }
  }
  return out;
}
