import type { EntityShape, RingCopier } from './entity-table';
import type { RingPool } from './ring-pool';
import type { StringKey } from './string-key';

/** An entity key: the key field's value, or the joined values of a composite key. */
export type EntityKey = string | number;

/**
 * The state of one entity kind as the window engine reads and advances it: a float64
 * header per entity, a ring of its recent events, recency, and a version per entity.
 * {@link EntityTable} (typed arrays in this process) is the implementation; a remote
 * store keeps one as its local copy of the entities it has read.
 */
export interface EntityStateTable {
  readonly shape: EntityShape;
  /** The slot of `key`, or -1. Does not touch recency. */
  find(key: EntityKey | StringKey): number;
  /** A new entity for `key` (not held), header zeroed, no ring; may evict others. */
  create(key: EntityKey | StringKey): number;
  /** Marks a slot as just seen (recency and admission). */
  touch(slot: number): void;
  /** The header page that holds slot `slot`'s header: field `f` is `headerPage(slot)[headerOffset(slot) + f]`. */
  headerPage(slot: number): Float64Array;
  /** Where slot `slot`'s header starts in its header page. */
  headerOffset(slot: number): number;
  /** Ring class per slot (0: no ring) and ring block per slot. */
  readonly ringClass: Uint8Array;
  readonly ringBlock: Int32Array;
  readonly pool: RingPool;
  /** Gives slot a ring of class k, moving its events with `copier`; false when it cannot fit. */
  setRing(slot: number, k: number, copier: RingCopier): boolean;
  /** The entity's version: changes whenever anything writes the slot (see `markWritten`). */
  versionOf(slot: number): number;
  /** Records that slot was written (a commit or an outcome): its version changes. */
  markWritten(slot: number): void;
}

/**
 * The entities one event touches, as the store reads them in one call and writes them
 * back in one call: per entity kind of the event its key (filled by the evaluator), and
 * what `read` found, its slot in the local table and its version. The evaluator owns one
 * per event in flight; nothing in it is allocated per event.
 */
export interface EntityRefs {
  /** The entity kinds the event touches (indices into the spec's `entities`). */
  readonly kinds: Int32Array;
  /** Per entity kind index (not per position in `kinds`): the event's key. */
  readonly keys: (number | StringKey)[];
  /** Per entity kind index: the entity's slot after `read` (-1: not held). */
  readonly slots: Int32Array;
  /** Per entity kind index: the entity's version after `read` (-1: not held). */
  readonly versions: Float64Array;
}

/**
 * Applies one event to the entities `write` has checked: called once by `write`, in the
 * same synchronous step, after every version matched.
 */
export interface EntityStateWriter {
  /** Writes the event into the entities of `refs`, creating those not held, and sets `refs.slots` to where each entity now lives. */
  apply(refs: EntityRefs): void;
}

/**
 * The port between the feature evaluator and where entity state lives. One event needs
 * two calls: `read` the states of all of its entities (one round trip for a remote
 * store), and, once the event is accepted (its score and decision exist), `write` them
 * back with the version of each entity that was read: compare-and-set, so a concurrent
 * writer of any of them is detected and nothing is written. A refused event is never
 * written, so it changes nothing.
 *
 * `table(kind)` gives the local copy of a kind's state that the window engine computes
 * on; the in-memory store's tables are the state itself, so its read and write cost a
 * lookup and a version compare per entity. A shared store (Redis) implements `prefetch`
 * to bring an event's entities into its local tables before the synchronous `read`.
 *
 * @example
 * const store: EntityStateStore = createMemoryStateStore({ maxEntities: 100_000 });
 * const ev = compileFeatureSpec(spec, { store });
 * store.size(0); // cards held
 */
export interface EntityStateStore {
  /**
   * The local table of entity kind `entity`, created with `shape` on first call. A store
   * holds one layout per kind: asking with another shape is an `invalid_argument` error.
   */
  table(entity: number, shape: EntityShape): EntityStateTable;
  /** Fills `refs.slots` and `refs.versions` for every kind in `refs.kinds`; writes nothing. */
  read(refs: EntityRefs): void;
  /**
   * Compare-and-set: when every entity of `refs` still has the version `read` gave (an
   * entity read as absent is still absent), calls `writer.apply(refs)`, marks the
   * entities written and returns true; otherwise writes nothing and returns false.
   */
  write(refs: EntityRefs, writer: EntityStateWriter): boolean;
  /**
   * A shared store (Redis): brings the current state of every entity of `refs` (its
   * `kinds` and `keys`) into the local tables, so the synchronous `read` that follows
   * sees it. Reads the keys before its first await (`refs` may be reused after the call
   * returns). Absent for local stores. Rejects with `state_unavailable` when the shared
   * store does not answer in time.
   */
  prefetch?(refs: EntityRefs): Promise<void>;
  /**
   * A shared store: `write` with the compare-and-set done by the shared store. Checks the
   * local copies and applies `writer` to them synchronously (before its first await), then
   * sends the entities' new states with the versions `prefetch` saw, all or none in one
   * atomic step on the server. Resolves true when the server took them, false when one of
   * them had changed there (nothing written; prefetch and prepare again). Rejects with
   * `state_unavailable` when the server does not answer in time (the write may or may
   * not have happened, all entities or none: `details.maybeWritten`). Absent for local
   * stores, whose `write` is the whole step.
   */
  writeAsync?(refs: EntityRefs, writer: EntityStateWriter): Promise<boolean>;
  /** Increases with every change of state (a write, an outcome, a delete, a clear, a restore). */
  readonly revision: number;
  /** Records a change made through a table outside `write` (an outcome): bumps `revision`. */
  noteWrite(): void;
  /** Entities held for one entity kind. */
  size(entity: number): number;
  /** Bytes accounted for one entity kind (headers, event rings, per-entity overhead). */
  bytes(entity: number): number;
  /** Bytes one entity holds (0 when absent). */
  entityBytes(entity: number, key: EntityKey): number;
  /** Entities of one kind evicted to make room since the store was made (absent: the store does not count them). */
  evictions?(entity: number): number;
  /** Forgets one entity; true when it was held. */
  delete(entity: number, key: EntityKey): boolean;
  /** Forgets everything. */
  clear(): void;
  /** All state as bytes (deterministic: the same operations give the same bytes). */
  snapshot(): Uint8Array;
  /** Replaces all state with a snapshot's; refuses bad bytes with `invalid_snapshot` and keeps the state. */
  restore(bytes: Uint8Array): void;
  /** Most entities held per entity kind. */
  readonly maxEntitiesPerKind: number;
  /** The byte budget per entity kind (checked at compile time against one full entity). */
  readonly maxBytesPerEntityKind: number;
}
