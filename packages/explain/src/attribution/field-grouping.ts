import { ExplainError } from '../errors';

/** Attributions of engineered features summed per raw field; see {@link createFieldGrouping}. */
export interface FieldGrouping {
  /** Raw field names in order of first appearance in the lineage. */
  readonly fields: ReadonlyArray<string>;
  readonly nFeatures: number;
  /**
   * Groups `phi` (`nFeatures + 1`, bias last) into `out` (`fields.length + 1`, bias
   * last). Allocates nothing; the sum is unchanged. Returns `out`.
   */
  group(phi: Float64Array, out: Float64Array): Float64Array;
}

/**
 * Groups feature attributions back to the raw fields they were derived from, using the
 * feature spec's lineage (feature index → raw field names). A feature from one field
 * gives it its whole attribution; a feature derived from k fields (a ratio, a
 * difference) gives each an equal share 1/k. Shares sum to 1, so grouped attributions
 * keep additivity (Σ grouped + bias = margin). Equal sharing is a convention, not the
 * Shapley value of the grouped game, which would need the model again.
 *
 * @throws ExplainError `invalid_argument` when a feature has no raw field or a name is empty.
 * @example
 * const g = createFieldGrouping([['amount'], ['amount', 'limit'], ['age']]);
 * g.fields; // ['amount', 'limit', 'age']
 * g.group(new Float64Array([1, 0.5, -2, 0.3]), new Float64Array(4)); // [1.25, 0.25, -2, 0.3]
 */
export function createFieldGrouping(lineage: ReadonlyArray<ReadonlyArray<string>>): FieldGrouping {
  if (!Array.isArray(lineage) || lineage.length === 0) {
    throw new ExplainError('invalid_argument', 'createFieldGrouping: lineage must list the raw fields of each feature', ['lineage']);
  }
  const fields: string[] = [];
  const index = new Map<string, number>();
  const start = new Int32Array(lineage.length + 1);
  const target: number[] = [];
  const share: number[] = [];
  for (let i = 0; i < lineage.length; i++) {
    const names = lineage[i];
    if (!Array.isArray(names) || names.length === 0) {
      throw new ExplainError('invalid_argument', `createFieldGrouping: feature ${i} has no raw field in its lineage`, ['lineage', i]);
    }
    const unique = [...new Set(names)];
    start[i] = target.length;
    for (const name of unique) {
      if (typeof name !== 'string' || name.length === 0) {
        throw new ExplainError('invalid_argument', `createFieldGrouping: feature ${i} names an empty or non-string field`, ['lineage', i]);
      }
      let f = index.get(name);
      if (f === undefined) {
        f = fields.length;
        index.set(name, f);
        fields.push(name);
      }
      target.push(f);
      share.push(1 / unique.length);
    }
  }
  start[lineage.length] = target.length;
  const tgt = Int32Array.from(target);
  const shr = Float64Array.from(share);
  const nF = lineage.length;
  const nOut = fields.length + 1;
  return {
    fields,
    nFeatures: nF,
    group(phi, out) {
      if (!phi || phi.length !== nF + 1) throw new ExplainError('invalid_argument', `fieldGrouping.group: phi must have nFeatures + 1 = ${nF + 1} values (bias last)`, ['phi']);
      if (!out || out.length !== nOut) throw new ExplainError('invalid_argument', `fieldGrouping.group: out must have fields + 1 = ${nOut} values`, ['out']);
      out.fill(0);
      for (let i = 0; i < nF; i++) {
        const v = phi[i];
        for (let j = start[i]; j < start[i + 1]; j++) out[tgt[j]] += v * shr[j];
      }
      out[nOut - 1] = phi[nF];
      return out;
    },
  };
}
