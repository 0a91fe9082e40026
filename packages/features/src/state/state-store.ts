import type { EntityShape, EntityTable } from './entity-table';

/** An entity key: the key field's value, or the joined values of a composite key. */
export type EntityKey = string | number;

/**
 * Where an evaluator keeps entity state: one {@link EntityTable} per entity kind (`entity`
 * is the kind's index in the spec's `entities`), created by the evaluator on first use
 * with the shape its windows need. The evaluator reads a table while it validates and
 * computes, and writes only once the event is accepted: a refused event changes nothing.
 *
 * The interface is synchronous because it sits on the per-event hot path. A shared store
 * (Redis) is meant to sit behind it as a write-behind cache with prefetch by key: the
 * table is the local copy.
 *
 * @example
 * const store: EntityStateStore = createMemoryStateStore({ maxEntities: 100_000 });
 * const ev = compileFeatureSpec(spec, { store });
 * store.size(0); // cards held
 */
export interface EntityStateStore {
  /**
   * The table of entity kind `entity`, created with `shape` on first call. A store holds
   * one layout per kind: asking with another shape is an `invalid_argument` error.
   */
  table(entity: number, shape: EntityShape): EntityTable;
  /** Entities held for one entity kind. */
  size(entity: number): number;
  /** Bytes accounted for one entity kind (headers, event rings, per-entity overhead). */
  bytes(entity: number): number;
  /** Bytes one entity holds (0 when absent). */
  entityBytes(entity: number, key: EntityKey): number;
  /** Forgets one entity; true when it was held. */
  delete(entity: number, key: EntityKey): boolean;
  /** Forgets everything. */
  clear(): void;
  /** Most entities held per entity kind. */
  readonly maxEntitiesPerKind: number;
  /** The byte budget per entity kind (checked at compile time against one full entity). */
  readonly maxBytesPerEntityKind: number;
}
