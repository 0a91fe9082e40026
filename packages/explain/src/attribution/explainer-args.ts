import { ExplainError } from '../errors';
import { checkNoInfinity } from './check-finite-rows';

/**
 * The argument checks every row-wise explainer makes (TreeSHAP, interaction values,
 * interventional TreeSHAP): one row of `nFeatures` values and an output of
 * `outputLength` doubles, no ±Infinity in the row; a typed `invalid_argument` naming
 * the argument otherwise.
 *
 * @example
 * checkRowArgs(row, out, 23, 24); // throws at ['row'] when row.length !== 23
 */
export function checkRowArgs(row: ArrayLike<number>, out: unknown, nFeatures: number, outputLength: number): void {
  if (!row || row.length !== nFeatures) {
    throw new ExplainError('invalid_argument', `explainRow: row must have ${nFeatures} features, got ${row ? row.length : 'none'}`, ['row']);
  }
  if (!(out instanceof Float64Array) || out.length !== outputLength) {
    throw new ExplainError('invalid_argument', `explainRow: out must be a Float64Array of length ${outputLength}`, ['out']);
  }
  checkNoInfinity(row, 'single', nFeatures, ['row'], 'explainRow');
}

/**
 * The batch form: `nRows` row-major rows, and `out` (allocated when omitted) of
 * `nRows · outputLength` doubles. Returns the output array to fill.
 *
 * @example
 * const res = batchOutput(rows, 40, 23, 24, undefined); // Float64Array(960)
 */
export function batchOutput(rows: ArrayLike<number>, nRows: number, nFeatures: number, outputLength: number, out: Float64Array | undefined): Float64Array {
  if (!Number.isInteger(nRows) || nRows < 0 || !rows || rows.length !== nRows * nFeatures) {
    throw new ExplainError('invalid_argument', `explainBatch: rows must hold nRows·nFeatures = ${nRows}·${nFeatures} values, got ${rows ? rows.length : 'none'}`, ['rows']);
  }
  const res = out ?? new Float64Array(nRows * outputLength);
  if (!(res instanceof Float64Array) || res.length !== nRows * outputLength) {
    throw new ExplainError('invalid_argument', `explainBatch: out must be a Float64Array of length ${nRows * outputLength}`, ['out']);
  }
  checkNoInfinity(rows, nRows, nFeatures, ['rows'], 'explainBatch');
  return res;
}
