import { ExplainError } from '../errors';

/** A numeric sample: one value per row. */
export type NumericSample = Float64Array | Float32Array;

/**
 * Throws `invalid_argument` naming the first non-finite entry of `values`, and
 * `undefined_statistic` when `values` is empty and `allowEmpty` is false.
 *
 * @param fn - the public function's name, used in the message
 * @param name - the argument's name, the first element of the error path
 * @example
 * checkFiniteSample('ksTwoSample', 'reference', new Float64Array([1, 2])); // ok
 */
export function checkFiniteSample(fn: string, name: string, values: NumericSample, allowEmpty = false): void {
  if (!(values instanceof Float64Array || values instanceof Float32Array)) {
    throw new ExplainError('invalid_argument', `${fn}: ${name} must be a Float64Array or Float32Array`, [name]);
  }
  if (values.length === 0 && !allowEmpty) {
    throw new ExplainError('undefined_statistic', `${fn}: ${name} is empty; the statistic needs at least one value`, [name]);
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      throw new ExplainError('invalid_argument', `${fn}: ${name}[${i}] is ${v}; expected a finite number (drop or impute missing values first)`, [name, i]);
    }
  }
}

/** A sorted Float64Array copy of `values` (typed-array sort is numeric, NaN-free here). */
export function sortedCopy(values: NumericSample): Float64Array {
  const out = Float64Array.from(values);
  out.sort();
  return out;
}
