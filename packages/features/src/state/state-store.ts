import type { EntityHistory } from './entity-history';

/** An entity key: the key field's value, or the joined values of a composite key. */
export type EntityKey = string | number;

/**
 * Where an evaluator keeps entity histories. `entity` is the index of the entity in the
 * spec's `entities`. The evaluator reads with `peek` while it validates and computes, and
 * only after the event is accepted calls `get` (to mark the entity as recently seen) and
 * `set` (for a new or reallocated history): a refused event changes nothing in the store.
 *
 * The interface is synchronous because it sits on the per-event hot path; a shared store
 * (Redis) is meant to sit behind it as a write-behind cache with prefetch by key.
 *
 * @example
 * const store: EntityStateStore = createMemoryStateStore({ maxEntities: 100_000 });
 * store.peek(0, 'card-1'); // undefined
 */
export interface EntityStateStore {
  /** The history, marking the entity as recently seen. */
  get(entity: number, key: EntityKey): EntityHistory | undefined;
  /** The history without touching recency. */
  peek(entity: number, key: EntityKey): EntityHistory | undefined;
  /** Stores (or re-accounts the size of) a history. */
  set(entity: number, key: EntityKey, history: EntityHistory): void;
  /** Forgets one entity; true when it was held. */
  delete(entity: number, key: EntityKey): boolean;
  /** Forgets everything. */
  clear(): void;
  /** Entities held for one entity kind. */
  size(entity: number): number;
  /** Bytes accounted for one entity kind. */
  bytes(entity: number): number;
  /** The byte budget per entity kind, when the store has one (checked at compile time). */
  readonly maxBytesPerEntityKind?: number;
}
