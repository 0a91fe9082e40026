import { ExplainError } from '../errors';

/** One factor that pushed the score toward the adverse outcome. */
export interface AdverseFactor {
  /** Position in the attributions (feature or raw-field index). */
  readonly index: number;
  /** `names[index]`, or `String(index)` when no names were given. */
  readonly name: string;
  /** The attribution (logit contribution), oriented so that larger = more adverse. */
  readonly value: number;
}

/** Options of {@link topAdverseFactors}. */
export interface TopAdverseOptions {
  /** How many factors at most. */
  readonly k: number;
  readonly names?: ReadonlyArray<string>;
  /**
   * +1 (default) when a positive attribution raises the risk (a fraud or default
   * logit); -1 when the score is "good" (higher = approve).
   */
  readonly adverseSign?: 1 | -1;
  /** Only factors whose oriented value exceeds this count (default 0: those that pushed toward adverse at all). */
  readonly minValue?: number;
}

/**
 * The principal reasons for an adverse action: the k attributions that pushed the
 * score furthest toward the adverse outcome, largest first (ties by index, so the
 * order is stable). Pass the attributions without the bias (e.g. grouped by raw
 * field). Core maps the names to the manifest's reason-code texts. The selection keeps
 * a k-slot insertion list, O(n·k), no sort of the whole array.
 *
 * @throws ExplainError `invalid_argument` for k < 0, a non-finite value or names of the wrong length.
 * @example
 * topAdverseFactors(new Float64Array([0.4, -1, 0.9, 0.1]), { k: 2, names: ['amount', 'age', 'velocity', 'country'] });
 * // [{ index: 2, name: 'velocity', value: 0.9 }, { index: 0, name: 'amount', value: 0.4 }]
 */
export function topAdverseFactors(values: ArrayLike<number>, options: TopAdverseOptions): AdverseFactor[] {
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
    throw new ExplainError('invalid_argument', 'topAdverseFactors: values must be an array of attributions', ['values']);
  }
  if (options === null || typeof options !== 'object') throw new ExplainError('invalid_argument', 'topAdverseFactors: options must be an object ({ k, names?, … })', ['options']);
  const { k, names } = options;
  const sign = options.adverseSign ?? 1;
  const min = options.minValue ?? 0;
  if (!Number.isInteger(k) || k < 0) throw new ExplainError('invalid_argument', `topAdverseFactors: k must be an integer ≥ 0, got ${k}`, ['k']);
  if (sign !== 1 && sign !== -1) throw new ExplainError('invalid_argument', `topAdverseFactors: adverseSign must be 1 or -1, got ${String(sign)}`, ['adverseSign']);
  if (names && names.length !== values.length) {
    throw new ExplainError('invalid_argument', `topAdverseFactors: ${values.length} values need ${values.length} names, got ${names.length}`, ['names']);
  }
  const idx = new Int32Array(k);
  const val = new Float64Array(k);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const raw = values[i];
    if (!Number.isFinite(raw)) throw new ExplainError('invalid_argument', `topAdverseFactors: value ${i} is ${raw}, expected a finite attribution`, ['values', i]);
    const v = sign * raw;
    if (!(v > min) || k === 0) continue;
    if (n === k && v <= val[k - 1]) continue;
    let p = n < k ? n++ : k - 1;
    while (p > 0 && val[p - 1] < v) {
      val[p] = val[p - 1];
      idx[p] = idx[p - 1];
      p--;
    }
    val[p] = v;
    idx[p] = i;
  }
  const out: AdverseFactor[] = [];
  for (let j = 0; j < n; j++) out.push({ index: idx[j], name: names ? names[idx[j]] : String(idx[j]), value: val[j] });
  return out;
}
