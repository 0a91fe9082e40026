import { LRUCache } from 'lru-cache';
import { FeatureError } from '../errors';
import type { EntityHistory } from './entity-history';
import type { EntityKey, EntityStateStore } from './state-store';

/** Limits of the in-memory store, per entity kind (card, terminal, …). */
export interface MemoryStateStoreOptions {
  /** Most entities kept per entity kind (default 100,000; lru-cache preallocates index arrays of this length). */
  maxEntities?: number;
  /** Most bytes of history kept per entity kind (default 256 MiB). */
  maxBytes?: number;
}

/**
 * The default state store: one `lru-cache` per entity kind, bounded by a number of
 * entities and by the bytes of their histories; past either bound, the least recently
 * seen entity is evicted (its windows restart empty if it comes back).
 *
 * @example
 * const store = createMemoryStateStore({ maxEntities: 100_000, maxBytes: 64 * 1024 * 1024 });
 * const evaluator = compileFeatureSpec(spec, { store });
 */
export function createMemoryStateStore(options: MemoryStateStoreOptions = {}): EntityStateStore {
  const maxEntities = options.maxEntities ?? 100_000;
  const maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  if (!Number.isInteger(maxEntities) || maxEntities < 1) {
    throw new FeatureError('invalid_argument', `createMemoryStateStore: maxEntities must be a positive integer, got ${maxEntities}`, ['maxEntities']);
  }
  if (!Number.isFinite(maxBytes) || maxBytes < 1024) {
    throw new FeatureError('invalid_argument', `createMemoryStateStore: maxBytes must be a number >= 1024, got ${maxBytes}`, ['maxBytes']);
  }
  const caches: LRUCache<EntityKey, EntityHistory>[] = [];
  // lru-cache fills in a `status` on the options object it is given; passing one reused
  // object avoids a fresh `{}` per call on the per-event path.
  const opts = {};
  const cache = (entity: number): LRUCache<EntityKey, EntityHistory> => {
    let c = caches[entity];
    if (!c) {
      c = new LRUCache<EntityKey, EntityHistory>({
        max: maxEntities,
        maxSize: maxBytes,
        sizeCalculation: (h) => h.byteSize(),
      });
      caches[entity] = c;
    }
    return c;
  };
  return {
    maxBytesPerEntityKind: maxBytes,
    get: (entity, key) => cache(entity).get(key, opts),
    peek: (entity, key) => cache(entity).peek(key, opts),
    set: (entity, key, history) => {
      const c = cache(entity);
      // lru-cache recomputes an entry's size only when the value object changes, so a
      // history that grew in place is removed and stored again to be re-accounted.
      if (c.peek(key, opts) === history) c.delete(key);
      c.set(key, history);
    },
    delete: (entity, key) => cache(entity).delete(key),
    clear: () => {
      for (const c of caches) c?.clear();
    },
    size: (entity) => caches[entity]?.size ?? 0,
    bytes: (entity) => caches[entity]?.calculatedSize ?? 0,
  };
}
