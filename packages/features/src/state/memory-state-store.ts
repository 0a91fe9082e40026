import { FeatureError } from '../errors';
import { EntityTable, type EntityShape } from './entity-table';
import type { EntityKey, EntityStateStore } from './state-store';

/** Limits of the in-memory store, per entity kind (card, terminal, …). */
export interface MemoryStateStoreOptions {
  /** Most entities kept per entity kind (default 100,000). */
  maxEntities?: number;
  /** Most bytes of state kept per entity kind (default 256 MiB). */
  maxBytes?: number;
}

/**
 * The default state store: per entity kind an {@link EntityTable} in typed arrays,
 * bounded by a number of entities and by bytes of state; past either bound, the least
 * recently seen entity is evicted (its windows restart empty if it comes back).
 *
 * @example
 * const store = createMemoryStateStore({ maxEntities: 100_000, maxBytes: 64 * 1024 * 1024 });
 * const evaluator = compileFeatureSpec(spec, { store });
 */
export function createMemoryStateStore(options: MemoryStateStoreOptions = {}): EntityStateStore {
  const maxEntities = options.maxEntities ?? 100_000;
  const maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  if (!Number.isInteger(maxEntities) || maxEntities < 1 || maxEntities > 2 ** 30) {
    throw new FeatureError('invalid_argument', `createMemoryStateStore: maxEntities must be an integer in [1, 2^30], got ${maxEntities}`, ['maxEntities']);
  }
  if (!Number.isFinite(maxBytes) || maxBytes < 1024) {
    throw new FeatureError('invalid_argument', `createMemoryStateStore: maxBytes must be a number >= 1024, got ${maxBytes}`, ['maxBytes']);
  }
  const tables: (EntityTable | undefined)[] = [];
  return {
    maxEntitiesPerKind: maxEntities,
    maxBytesPerEntityKind: maxBytes,
    table: (entity, shape: EntityShape) => {
      let t = tables[entity];
      if (!t) tables[entity] = t = new EntityTable(shape, maxEntities, maxBytes);
      else if (t.shape.signature !== shape.signature) {
        throw new FeatureError('invalid_argument',
          `this store already holds entity kind ${entity} with another window layout; give each feature spec its own store`, ['store']);
      }
      return t;
    },
    size: (entity) => tables[entity]?.size ?? 0,
    bytes: (entity) => tables[entity]?.bytes ?? 0,
    entityBytes: (entity, key: EntityKey) => tables[entity]?.entityBytes(key) ?? 0,
    delete: (entity, key) => tables[entity]?.delete(key) ?? false,
    clear: () => {
      for (const t of tables) t?.clear();
    },
  };
}
