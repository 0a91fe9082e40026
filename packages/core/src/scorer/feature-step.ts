/**
 * The step from a validated event to the model's feature row. Without a feature spec in
 * the manifest, feature `i` is the numeric input field of the same name (a missing
 * optional field becomes NaN, which trees route by their missing direction and neural
 * members impute inside their graph).
 */
import { compileFeatureSpec, type CompileOptions, type FeatureEvaluator } from '@riskscore/features';
import type { Manifest } from '../bundle/manifest';
import { RiskscoreError } from '../errors';

/** Writes one event's features into `out[offset .. offset + names.length)`. */
export interface FeatureStep {
  readonly names: readonly string[];
  /** For each feature, the raw event fields it derives from (explanations group by these). */
  readonly lineage: ReadonlyArray<readonly string[]>;
  compute(event: Readonly<Record<string, unknown>>, out: Float32Array, offset: number): void;
  /**
   * As `compute`, without committing the event to entity state (what-if scoring, or
   * explaining an event already scored). Absent for stateless steps, where `compute`
   * commits nothing anyway.
   */
  peek?(event: Readonly<Record<string, unknown>>, out: Float32Array, offset: number): void;
  /** Feeds a late outcome to label-delayed features; absent for stateless steps. */
  recordOutcome?(event: Readonly<Record<string, unknown>>, label: number): number;
}

/**
 * The feature step of a manifest that carries a `@riskscore/features` spec: the compiled
 * evaluator validates the event, computes the features and commits the event to its
 * entity windows (a refused event leaves the windows untouched).
 *
 * @example
 * const step = specFeatureStep(manifest, { store: createMemoryStateStore({ maxEntities: 1e6 }) });
 */
export function specFeatureStep(manifest: Manifest, options: CompileOptions = {}): FeatureStep & { evaluator: FeatureEvaluator } {
  const evaluator = compileFeatureSpec(manifest.features.spec, options);
  const names = evaluator.featureNames;
  const order = manifest.features.order;
  if (names.length !== order.length || names.some((n, i) => n !== order[i])) {
    const i = names.findIndex((n, k) => n !== order[k]);
    throw new RiskscoreError('model_shape_mismatch', `the feature spec computes ${names.length} features (${names[i] ?? 'none'} at ${i}) but the manifest's order has ${order.length} (${order[i] ?? 'none'})`, {
      path: ['features', 'order', i],
    });
  }
  return {
    evaluator,
    names,
    lineage: evaluator.lineage,
    compute: (event, out, offset) => evaluator.computeInto(event, out, offset),
    peek: (event, out, offset) => evaluator.peekInto(event, out, offset),
    recordOutcome: (event, label) => evaluator.recordOutcome(event, label),
  };
}

/**
 * The identity feature step of a manifest with no feature spec.
 *
 * @example
 * const step = identityFeatureStep(manifest);
 * step.compute({ LIMIT_BAL: 20000, AGE: 24 }, row, 0);
 */
export function identityFeatureStep(manifest: Manifest): FeatureStep {
  const fields = new Map(manifest.input.fields.map((f) => [f.name, f]));
  const names = manifest.features.order;
  names.forEach((name, i) => {
    const f = fields.get(name);
    if (!f || f.type === 'string') {
      throw new RiskscoreError('invalid_manifest', `feature ${name} must be a numeric or boolean input field when the bundle has no feature spec`, {
        path: ['features', 'order', i],
      });
    }
  });
  const n = names.length;
  return {
    names,
    lineage: names.map((name) => [name]),
    compute(event, out, offset) {
      for (let i = 0; i < n; i++) {
        const v = event[names[i]];
        out[offset + i] = typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : NaN;
      }
    },
  };
}
