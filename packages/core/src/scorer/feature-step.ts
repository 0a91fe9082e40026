/**
 * The step from a validated event to the model's feature row. Without a feature spec in
 * the manifest, feature `i` is the numeric input field of the same name (a missing
 * optional field becomes NaN, which trees route by their missing direction and neural
 * members impute inside their graph).
 */
import { compileFeatureSpec, type CompileOptions, type EntityStateStore, type FeatureEvaluator, type PreparedEvent } from '@riskscore/features';
import type { Manifest } from '../bundle/manifest';
import { RiskscoreError, riskscoreErrorFrom } from '../errors';
import { isInheritedName, objectPrototypeIsPolluted } from './event-validator';

/** Writes one event's features into `out[offset .. offset + names.length)`. */
export interface FeatureStep {
  readonly names: readonly string[];
  /** For each feature, the raw event fields it derives from (explanations group by these). */
  readonly lineage: ReadonlyArray<readonly string[]>;
  /** Computes the event's features into `out` from `offset`; a stateful step also commits the event to its entity state. */
  compute(event: Readonly<Record<string, unknown>>, out: Float32Array, offset: number): void;
  /**
   * As `compute`, without committing the event to entity state (what-if scoring, or
   * explaining an event already scored). Absent for stateless steps, where `compute`
   * commits nothing anyway.
   */
  peek?(event: Readonly<Record<string, unknown>>, out: Float32Array, offset: number): void;
  /** Feeds a late outcome to label-delayed features; absent for stateless steps. */
  recordOutcome?(event: Readonly<Record<string, unknown>>, label: number): number;
  /**
   * The scorer's transaction, for stateful steps: `prepare` computes the event's features
   * into `out` reading entity state and writing nothing; `commit` then records the event
   * (compare-and-set: `state_conflict` when an entity changed since). Absent for
   * stateless steps, where `compute` is the whole step.
   */
  prepare?(event: Readonly<Record<string, unknown>>, out: Float32Array, offset: number): PreparedEvent;
  /** Records an event `prepare` returned in entity state; throws `state_conflict` when one of its entities changed since. */
  commit?(prepared: PreparedEvent): void;
  /**
   * A shared store (Redis): brings the event's entities into the local tables before
   * `prepare` (undefined: nothing to fetch, a local store or keys missing). Absent for
   * steps whose store is local.
   */
  prefetch?(event: Readonly<Record<string, unknown>>): Promise<void> | undefined;
  /** A shared store: `commit`, compare-and-set on the server. Absent for steps whose store is local. */
  commitAsync?(prepared: PreparedEvent): Promise<void>;
  /**
   * Per entity kind, a number for the prepared event's entity (equal numbers: maybe the
   * same entity; NaN: kind unused): events of one batch whose numbers all differ are
   * scored together. See FeatureEvaluator.entityHashesOf.
   */
  entityHashesOf?(prepared: PreparedEvent): Float64Array;
  /** The same numbers from an event's key fields, before it is prepared (false: keys missing or invalid). */
  entityHashesOfEvent?(event: Readonly<Record<string, unknown>>, out: Float64Array): boolean;
  /** Entity kinds of the spec (the length of those arrays). */
  readonly entityKinds?: number;
  /** Where the step keeps entity state (absent: stateless). */
  readonly store?: EntityStateStore;
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
  if (manifest === null || typeof manifest !== 'object' || typeof manifest.features !== 'object' || manifest.features === null) {
    throw new RiskscoreError('invalid_argument', 'specFeatureStep: expected a bundle manifest (bundle.manifest)', { path: ['manifest'] });
  }
  if (manifest.features.spec === undefined) {
    throw new RiskscoreError('invalid_spec', 'specFeatureStep: this manifest has no features.spec; use identityFeatureStep', { path: ['features', 'spec'] });
  }
  let evaluator: FeatureEvaluator;
  try {
    evaluator = compileFeatureSpec(manifest.features.spec, options);
  } catch (e) {
    throw riskscoreErrorFrom(e, ['features', 'spec']);
  }
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
    prepare: (event, out, offset) => evaluator.prepare(event, out, offset),
    commit: (prepared) => evaluator.commit(prepared),
    ...(evaluator.store.prefetch !== undefined && evaluator.store.writeAsync !== undefined
      ? { prefetch: (event: Readonly<Record<string, unknown>>) => evaluator.prefetch(event), commitAsync: (prepared: PreparedEvent) => evaluator.commitAsync(prepared) }
      : {}),
    entityHashesOf: (prepared) => evaluator.entityHashesOf(prepared),
    entityHashesOfEvent: (event, out) => evaluator.entityHashesOfEvent(event, out),
    entityKinds: (evaluator.spec as { entities: unknown[] }).entities.length,
    store: evaluator.store,
  };
}

/**
 * The identity feature step of a manifest with no feature spec: feature `i` is the own
 * property of the same name (an inherited one counts as missing, as in the event
 * validator); a missing value, null, or one of the field's `missing` sentinels becomes
 * NaN.
 *
 * @example
 * const step = identityFeatureStep(manifest);
 * step.compute({ LIMIT_BAL: 20000, AGE: 24 }, row, 0);
 */
export function identityFeatureStep(manifest: Manifest): FeatureStep {
  if (manifest === null || typeof manifest !== 'object' || typeof manifest.input !== 'object' || manifest.input === null || typeof manifest.features !== 'object' || manifest.features === null) {
    throw new RiskscoreError('invalid_argument', 'identityFeatureStep: expected a bundle manifest (bundle.manifest)', { path: ['manifest'] });
  }
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
  // Feature i's sentinels are sentinelValues[sentinelStart[i] .. sentinelStart[i + 1]):
  // flat, so the per-event loop allocates nothing (usually the lists are empty).
  const sentinelStart = new Int32Array(n + 1);
  names.forEach((name, i) => { sentinelStart[i + 1] = sentinelStart[i] + (fields.get(name)!.missing?.length ?? 0); });
  const sentinelValues = Float64Array.from(names.flatMap((name) => fields.get(name)!.missing ?? []));
  const hasOwn = Object.prototype.hasOwnProperty;
  const builtinName = Uint8Array.from(names, (name) => (isInheritedName(name) ? 1 : 0));
  return {
    names,
    lineage: names.map((name) => [name]),
    compute(event, out, offset) {
      // A plain read is an own read unless the event inherits from something other than
      // a clean Object.prototype (see objectPrototypeIsPolluted).
      const proto = Object.getPrototypeOf(event);
      const ownCheck = proto !== null && (proto !== Object.prototype || objectPrototypeIsPolluted());
      for (let i = 0; i < n; i++) {
        const name = names[i];
        const v = (ownCheck || builtinName[i] === 1) && !hasOwn.call(event, name) ? undefined : event[name];
        let x = typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : NaN;
        for (let k = sentinelStart[i]; k < sentinelStart[i + 1]; k++) {
          if (x === sentinelValues[k]) { x = NaN; break; }
        }
        out[offset + i] = x;
      }
    },
  };
}
