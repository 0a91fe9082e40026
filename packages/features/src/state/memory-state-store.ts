import { FeatureError } from '../errors';
import { EntityTable, type AdmissionPolicy, type EntityShape } from './entity-table';
import { readStateSnapshot, sameEntityShape, writeStateSnapshot } from './state-snapshot';
import type { EntityKey, EntityRefs, EntityStateStore, EntityStateWriter } from './state-store';

/** Limits of the in-memory store, per entity kind (card, terminal, …). */
export interface MemoryStateStoreOptions {
  /** Most entities kept per entity kind (default 100,000). */
  maxEntities?: number;
  /** Most bytes of state kept per entity kind (default 256 MiB). */
  maxBytes?: number;
  /**
   * Whom a full kind evicts (default `'segmented'`): `'segmented'` admits a new entity on
   * probation and protects it once it is seen again, so a flood of one-event entities
   * (card testing) evicts only other one-event entities; `'lru'` evicts the least recently
   * seen. See {@link AdmissionPolicy}.
   */
  admission?: AdmissionPolicy;
}

/**
 * The in-memory store: the {@link EntityStateStore} port plus its admission policy (the
 * port's `snapshot` / `restore` write and read the format of `state/state-snapshot.ts`).
 */
export type MemoryStateStore = EntityStateStore & {
  /** The store's eviction order. */
  readonly admission: AdmissionPolicy;
};

/**
 * The default state store: per entity kind an {@link EntityTable} in typed arrays,
 * bounded by a number of entities and by bytes of state; past either bound an entity is
 * evicted (its windows restart empty if it comes back): under the default `'segmented'`
 * admission the least recently seen of those seen only once since they came, else the
 * least recently seen of all.
 *
 * `snapshot()` writes every kind's state to bytes (versioned, checksummed, little-endian;
 * the same operations give the same bytes: slot versions are part of the state) and `restore(bytes)` replaces the state with it: every
 * entity's header, ring, key, recency and segment, versions and counters, byte
 * accounting. Restore checks all the bytes first and refuses bad ones (wrong magic,
 * version or checksum, truncated, another admission policy, a kind with another window
 * layout than a table this store holds, more entities or bytes than its bounds) with
 * `FeatureError` `invalid_snapshot`, leaving the state as it was. Kinds no evaluator has
 * asked for yet wait for the first `table(entity, shape)`, which refuses a shape other
 * than the snapshot's with `invalid_snapshot`. A kind this store holds that the snapshot
 * lacks is cleared. Restore bumps `revision`; slot versions are the snapshot's, so
 * compare-and-set must not span a restore.
 *
 * @example
 * const store = createMemoryStateStore({ maxEntities: 100_000, maxBytes: 64 * 1024 * 1024 });
 * const evaluator = compileFeatureSpec(spec, { store });
 * const bytes = store.snapshot();                 // later, in a new process:
 * const warm = createMemoryStateStore({ maxEntities: 100_000, maxBytes: 64 * 1024 * 1024 });
 * warm.restore(bytes);
 * const again = compileFeatureSpec(spec, { store: warm }); // same features as `evaluator`
 */
export function createMemoryStateStore(options: MemoryStateStoreOptions = {}): MemoryStateStore {
  const maxEntities = options.maxEntities ?? 100_000;
  const maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  if (!Number.isInteger(maxEntities) || maxEntities < 1 || maxEntities > 2 ** 30) {
    throw new FeatureError('invalid_argument', `createMemoryStateStore: maxEntities must be an integer in [1, 2^30], got ${maxEntities}`, ['maxEntities']);
  }
  if (!Number.isFinite(maxBytes) || maxBytes < 1024) {
    throw new FeatureError('invalid_argument', `createMemoryStateStore: maxBytes must be a number >= 1024, got ${maxBytes}`, ['maxBytes']);
  }
  const admission = options.admission ?? 'segmented';
  if (admission !== 'segmented' && admission !== 'lru') {
    throw new FeatureError('invalid_argument', `createMemoryStateStore: admission must be 'segmented' or 'lru', got ${String(admission)}`, ['admission']);
  }
  const tables: (EntityTable | undefined)[] = [];
  /**
   * Per kind: true while its table came from `restore` and no evaluator has asked for it
   * yet; the first `table(entity, shape)` then checks the shape against the snapshot's.
   */
  const unclaimed: boolean[] = [];
  let revision = 0;
  return {
    get revision() {
      return revision;
    },
    noteWrite: () => { revision++; },
    // The port's two calls per event: a lookup and a version per entity, then a compare
    // of those versions before the writer advances the tables in place.
    read: (refs: EntityRefs) => {
      const kinds = refs.kinds;
      for (let u = 0; u < kinds.length; u++) {
        const e = kinds[u];
        const t = tables[e]!;
        const s = t.find(refs.keys[e]);
        refs.slots[e] = s;
        refs.versions[e] = s >= 0 ? t.versionOf(s) : -1;
      }
    },
    write: (refs: EntityRefs, writer: EntityStateWriter) => {
      const kinds = refs.kinds;
      for (let u = 0; u < kinds.length; u++) {
        const e = kinds[u];
        const t = tables[e]!;
        const s = refs.slots[e];
        if (s >= 0 ? t.versionOf(s) !== refs.versions[e] : t.find(refs.keys[e]) >= 0) return false;
      }
      writer.apply(refs); // sets refs.slots to where each entity now lives
      for (let u = 0; u < kinds.length; u++) tables[kinds[u]]!.markWritten(refs.slots[kinds[u]]);
      revision++;
      return true;
    },
    maxEntitiesPerKind: maxEntities,
    evictions: (entity: number) => tables[entity]?.evicted ?? 0,
    maxBytesPerEntityKind: maxBytes,
    admission,
    snapshot: () => writeStateSnapshot(tables, admission, maxEntities, maxBytes),
    restore: (bytes: Uint8Array) => {
      const fresh = readStateSnapshot(bytes, maxEntities, maxBytes, admission);
      for (let e = 0; e < fresh.length; e++) {
        const f = fresh[e], t = tables[e];
        if (f && t && !sameEntityShape(f.shape, t.shape)) {
          throw new FeatureError('invalid_snapshot',
            `restore: the snapshot's entity kind ${e} has another window layout than this store's (${f.shape.signature} vs ${t.shape.signature}); restore a snapshot of the same feature spec`, ['bytes', 'kinds', e]);
        }
      }
      // All checked: nothing below can fail. A held table adopts the state in place, so
      // the evaluators holding it see it.
      for (let e = 0; e < Math.max(fresh.length, tables.length); e++) {
        const f = fresh[e], t = tables[e];
        if (t && f) t.adopt(f);
        else if (t) t.clear();
        else if (f) { tables[e] = f; unclaimed[e] = true; }
      }
      revision++;
    },
    table: (entity, shape: EntityShape) => {
      let t = tables[entity];
      if (!t) tables[entity] = t = new EntityTable(shape, maxEntities, maxBytes, admission);
      else if (unclaimed[entity]) {
        if (!sameEntityShape(t.shape, shape)) {
          throw new FeatureError('invalid_snapshot',
            `the state restored for entity kind ${entity} has another window layout (${t.shape.signature}) than this evaluator's (${shape.signature}); restore a snapshot of the same feature spec`, ['store']);
        }
        unclaimed[entity] = false;
      } else if (t.shape.signature !== shape.signature) {
        throw new FeatureError('invalid_argument',
          `this store already holds entity kind ${entity} with another window layout; give each feature spec its own store`, ['store']);
      }
      return t;
    },
    size: (entity) => tables[entity]?.size ?? 0,
    bytes: (entity) => tables[entity]?.bytes ?? 0,
    entityBytes: (entity, key: EntityKey) => tables[entity]?.entityBytes(key) ?? 0,
    delete: (entity, key) => {
      const held = tables[entity]?.delete(key) ?? false;
      if (held) revision++;
      return held;
    },
    clear: () => {
      for (const t of tables) t?.clear();
      revision++;
    },
  };
}
