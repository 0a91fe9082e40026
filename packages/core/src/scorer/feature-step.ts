/**
 * The step from a validated event to the model's feature row. Without a feature spec in
 * the manifest, feature `i` is the numeric input field of the same name (a missing
 * optional field becomes NaN, which trees route by their missing direction and neural
 * members impute inside their graph).
 */
import type { Manifest } from '../bundle/manifest';
import { RiskscoreError } from '../errors';

/** Writes one event's features into `out[offset .. offset + names.length)`. */
export interface FeatureStep {
  readonly names: readonly string[];
  compute(event: Readonly<Record<string, unknown>>, out: Float32Array, offset: number): void;
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
    compute(event, out, offset) {
      for (let i = 0; i < n; i++) {
        const v = event[names[i]];
        out[offset + i] = typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : NaN;
      }
    },
  };
}
