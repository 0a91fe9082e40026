import { createHash } from 'node:crypto';
import { RiskscoreError } from '@riskscore/core';
import {
  EntityTable, entityRecordBytes, readEntityRecord, writeEntityRecord, StringKey,
  type EntityKey, type EntityRefs, type EntityShape, type EntityStateStore, type EntityStateWriter,
} from '@riskscore/features';
import type { Redis } from 'ioredis';
import { REDIS_CAS_SCRIPT } from './redis-cas-script';

/** Options of {@link createRedisStateStore}. */
export interface RedisStateStoreOptions {
  /**
   * An ioredis client (the caller's: the store never closes it). Create it with
   * `enableOfflineQueue: false`, so that while the server is down a command fails at once
   * instead of waiting in a queue and reaching the server after its caller gave up
   * ({@link createRedisStateStore} explains why that matters).
   */
  client: Redis;
  /** Prefix of every key (default `riskscore`); give each deployment and feature spec family its own. */
  prefix?: string;
  /** Most milliseconds a read or a write may take before it fails with `state_unavailable` (default 250). */
  timeoutMs?: number;
  /**
   * Seconds an entity is kept after its last write on top of its entity kind's horizon
   * (its longest window, or label delay + window; default 3,600). An entity not written
   * for longer has nothing left that counts and expires on the server.
   */
  ttlSlackSeconds?: number;
  /** Entities kept per kind in the local copy, the cache of entities being scored (default 100,000). */
  localMaxEntities?: number;
  /** Bytes kept per kind in the local copy (default 256 MiB). */
  localMaxBytes?: number;
}

/** What a Redis state store has done since it was created. */
export interface RedisStateStoreStats {
  /** Events whose entities were read (`prefetch` calls that reached the server). */
  reads: number;
  /** Entity records decoded into the local copy (an entity whose version had not changed is not decoded again). */
  decoded: number;
  /** Events written (compare-and-set scripts that wrote). */
  writes: number;
  /** Writes refused because another writer had changed an entity since it was read (the scorer prepares again and retries). */
  conflicts: number;
  /** Reads and writes that failed with `state_unavailable`. */
  unavailable: number;
  /** Of those, writes whose outcome is unknown (sent, no answer in time: all of the event's entities written, or none). */
  maybeWritten: number;
  /** Record bytes read and written. */
  bytesRead: number;
  bytesWritten: number;
}

/** The Redis state store: the state port plus its counters. */
export type RedisStateStore = EntityStateStore & {
  readonly stats: RedisStateStoreStats;
  /** The Redis key of an entity (for tools and tests). */
  keyOf(entity: number, key: EntityKey): string;
};

/** Per entity kind: its local copy, the key prefix of its layout, its time to live. */
interface Kind {
  table: EntityTable;
  tag: string;
  ttlMs: number;
  /** `ttlMs` as the script's argument. */
  ttlArg: string;
  /** Per local slot: the version the server held when the slot was last read or written (-1: unknown). */
  remote: Float64Array;
}

/** A script and its SHA-1 (what EVALSHA names it by). */
interface Script {
  src: string;
  sha: string;
}

/** A call in flight, failed with TIMEOUT at `at` (performance.now() ms) unless settled before. */
interface Watch {
  at: number;
  settled: boolean;
  fail: (e: unknown) => void;
}

const MAX_TTL_MS = 2 ** 45;

/**
 * Entity state shared by every scorer that points at one Redis server: the state port
 * of `@riskscore/features` backed by Redis 7 through ioredis.
 *
 * - **Layout.** An entity is one hash `{ v, s }` under `prefix:kind:layout:key`: `v` its
 *   version, `s` its state as an entity record (the in-memory layout: a float64 header and
 *   the raw ring of recent events; about 1.5 KB for a card of the handbook spec). `layout`
 *   is a hash of the window layout's signature, so scorers of different feature specs
 *   never read each other's bytes. Each entity expires its kind's horizon (+ slack) after
 *   its last write.
 * - **Read.** `prefetch` reads all of an event's entities in one pipelined round trip
 *   (`HMGET` each) and decodes those whose version changed into the local copy, on which
 *   the window engine computes as on the in-memory store.
 * - **Write.** `writeAsync` applies the event to the local copies, then sends all of its
 *   entities in one script (`redis-cas-script.ts`) that writes them only if each still has
 *   the version that was read: two scorers writing one entity never lose an update; the
 *   loser gets `false` (the scorer prepares again on the new state and retries, bounded)
 *   and `stats.conflicts` counts it. Never a partial write: the script writes every
 *   entity of the event or none.
 * - **Down or slow.** A read or write that does not answer within `timeoutMs` fails with
 *   `state_unavailable` (HTTP 503 from the service); the local copies of its entities are
 *   dropped, so the next event reads them again, and the client reconnects by itself: no
 *   restart. A write carries a deadline the server checks, so one that reaches the server
 *   late writes nothing; only a write that was sent and answered too late is of unknown
 *   outcome (`details.maybeWritten: true`). The scorer fails closed: the event is refused
 *   and nothing of it counts in this process; whether to approve it anyway is the
 *   caller's policy (docs/fleet.md).
 *
 * Why ioredis: its pipelines, binary replies (`hmgetBuffer`) and script calls are one
 * round trip each with no per-command promise wrapping, it reconnects with back-off, and
 * its `enableOfflineQueue: false` makes an outage fail fast; node-redis 5 offers the same
 * commands but queues offline commands by default and its pipeline API (`multi` without
 * exec) is less direct for binary values.
 *
 * Not for this store: `snapshot` / `restore` (back the Redis server up with RDB or AOF),
 * a synchronous `write` (the scorer commits through `writeAsync`), and label-delayed
 * outcomes (`recordOutcome` changes only the local copy). `size`, `bytes` and
 * `entityBytes` count the local copy. All keys of one event are written by one script,
 * so they must live on one server (a standalone or Sentinel-managed primary; in a Redis
 * Cluster give `prefix` a hash tag, `{riskscore}`, so that every key is in one slot).
 *
 * @example
 * const client = new Redis(6379, '127.0.0.1', { enableOfflineQueue: false });
 * const store = createRedisStateStore({ client, timeoutMs: 200 });
 * const scorer = await createScorer(bundle, { store, backend });
 */
export function createRedisStateStore(options: RedisStateStoreOptions): RedisStateStore {
  const { client } = options;
  if (client === null || typeof client !== 'object' || typeof client.pipeline !== 'function' || typeof client.evalsha !== 'function') {
    throw new RiskscoreError('invalid_argument', 'createRedisStateStore: client must be an ioredis client (new Redis(...))', { path: ['client'] });
  }
  const prefix = options.prefix ?? 'riskscore';
  if (typeof prefix !== 'string' || prefix.length === 0 || prefix.length > 200) {
    throw new RiskscoreError('invalid_argument', `createRedisStateStore: prefix must be a non-empty string of at most 200 characters, got ${JSON.stringify(prefix)}`, { path: ['prefix'] });
  }
  const timeoutMs = options.timeoutMs ?? 250;
  if (!Number.isFinite(timeoutMs) || timeoutMs < 1 || timeoutMs > 60_000) {
    throw new RiskscoreError('invalid_argument', `createRedisStateStore: timeoutMs must be in [1, 60000], got ${timeoutMs}`, { path: ['timeoutMs'] });
  }
  const slack = options.ttlSlackSeconds ?? 3600;
  if (!Number.isFinite(slack) || slack < 0) {
    throw new RiskscoreError('invalid_argument', `createRedisStateStore: ttlSlackSeconds must be a number >= 0, got ${slack}`, { path: ['ttlSlackSeconds'] });
  }
  const localMaxEntities = options.localMaxEntities ?? 100_000;
  const localMaxBytes = options.localMaxBytes ?? 256 * 1024 * 1024;
  if (!Number.isInteger(localMaxEntities) || localMaxEntities < 16) {
    throw new RiskscoreError('invalid_argument', `createRedisStateStore: localMaxEntities must be an integer >= 16, got ${localMaxEntities}`, { path: ['localMaxEntities'] });
  }
  if (!Number.isFinite(localMaxBytes) || localMaxBytes < 1 << 16) {
    throw new RiskscoreError('invalid_argument', `createRedisStateStore: localMaxBytes must be >= 65536, got ${localMaxBytes}`, { path: ['localMaxBytes'] });
  }
  const cas: Script = script(REDIS_CAS_SCRIPT);
  const kinds: (Kind | undefined)[] = [];
  const stats: RedisStateStoreStats = { reads: 0, decoded: 0, writes: 0, conflicts: 0, unavailable: 0, maybeWritten: 0, bytesRead: 0, bytesWritten: 0 };
  let revision = 0;

  const redisKey = (k: Kind, key: EntityKey | StringKey): string =>
    k.tag + (typeof key === 'number' ? `n${key}` : `s${key.toString()}`);
  /** A key that outlives the call (a StringKey is the evaluator's scratch). */
  const ownKey = (key: EntityKey | StringKey): EntityKey => (typeof key === 'number' ? key : key.toString());

  const unavailable = (op: 'read' | 'write', cause: unknown, maybeWritten: boolean): RiskscoreError => {
    stats.unavailable++;
    if (maybeWritten) stats.maybeWritten++;
    const why = cause === TIMEOUT ? `no answer within ${timeoutMs} ms` : `the connection failed (${cause instanceof Error ? cause.message : String(cause)})`;
    return new RiskscoreError('state_unavailable', `the Redis state store could not ${op} the event's entities: ${why}; ${maybeWritten ? 'the write may have happened (all of its entities or none)' : 'nothing was written'}`, {
      path: ['state'], details: { op, timeoutMs, maybeWritten },
    });
  };

  // Deadlines: one timer for all calls in flight instead of a timer set and cleared per
  // call. Calls are watched in the order they start and all wait timeoutMs, so their
  // deadlines come in that order: the timer is due at the oldest unsettled one, a call
  // that settles only marks itself (the settled ones at the front are dropped), and while
  // nothing is in flight the timer does not hold the process open.
  const watches: Watch[] = [];
  let head = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let timerHeld = false;
  /** Drops the settled calls at the front; lets the timer go when none is left. */
  const trim = (): void => {
    while (head < watches.length && watches[head].settled) head++;
    if (head === watches.length) {
      watches.length = 0;
      head = 0;
      if (timer !== null && timerHeld) {
        timer.unref();
        timerHeld = false;
      }
    } else if (head >= 1024) {
      watches.splice(0, head);
      head = 0;
    }
  };
  const sweep = (): void => {
    timer = null;
    const now = performance.now();
    for (; head < watches.length; head++) {
      const w = watches[head];
      if (w.settled) continue;
      if (w.at > now) break;
      w.settled = true;
      w.fail(TIMEOUT);
    }
    trim();
    if (head < watches.length) {
      timer = setTimeout(sweep, Math.max(1, Math.ceil(watches[head].at - now)));
      timerHeld = true;
    }
  };
  const watch = (fail: (e: unknown) => void): Watch => {
    const w: Watch = { at: performance.now() + timeoutMs, settled: false, fail };
    watches.push(w);
    if (timer === null) {
      timer = setTimeout(sweep, timeoutMs);
      timerHeld = true;
    } else if (!timerHeld) {
      timer.ref();
      timerHeld = true;
    }
    return w;
  };
  /** Marks a call answered; false when its deadline had already failed it. */
  const settle = (w: Watch): boolean => {
    if (w.settled) return false;
    w.settled = true;
    trim();
    return true;
  };

  /** Resolves with `p`, or rejects with TIMEOUT when it has not settled within timeoutMs. */
  const timed = <T>(p: Promise<T>): Promise<T> => new Promise<T>((resolve, reject) => {
    const w = watch(reject);
    p.then((v) => { if (settle(w)) resolve(v); }, (e: unknown) => { if (settle(w)) reject(e); });
  });

  /**
   * Runs a script on `argv`'s first n entries as its keys and the rest as its arguments:
   * resolves with its reply, rejects with TIMEOUT when the server does not answer within
   * timeoutMs, or with the client's error. A server that does not have the script
   * (restarted, flushed) gets its source once.
   */
  const run = (sc: Script, n: number, argv: Array<string | Buffer>): Promise<unknown> => new Promise<unknown>((resolve, reject) => {
    const send = (source: boolean, fail: (e: unknown) => void): void => {
      const w = watch(reject);
      let sent: Promise<unknown>;
      try {
        sent = source ? client.eval(sc.src, n, argv) : client.evalsha(sc.sha, n, argv);
      } catch (e) {
        settle(w);
        reject(e);
        return;
      }
      sent.then((r: unknown) => { if (settle(w)) resolve(r); }, (e: unknown) => { if (settle(w)) fail(e); });
    };
    send(false, (e) => {
      if (e instanceof Error && e.message.startsWith('NOSCRIPT')) send(true, reject);
      else reject(e);
    });
  });

  const kindOf = (e: number): Kind => {
    const k = kinds[e];
    if (k === undefined) throw new RiskscoreError('invalid_argument', `entity kind ${e} has no table yet (call table(entity, shape) first)`, { path: ['entity'] });
    return k;
  };

  /** Forgets the local copies of an event's entities (after a failed or refused write). */
  const dropLocal = (ks: Kind[], keys: EntityKey[]): void => {
    for (let i = 0; i < ks.length; i++) ks[i].table.delete(keys[i]);
  };

  const growRemote = (k: Kind, s: number): void => {
    if (s < k.remote.length) return;
    const r = new Float64Array(Math.max(64, k.remote.length * 2, s + 1)).fill(-1);
    r.set(k.remote);
    k.remote = r;
  };

  const store: RedisStateStore = {
    stats,
    get revision() {
      return revision;
    },
    noteWrite: () => { revision++; },
    keyOf: (entity, key) => redisKey(kindOf(entity), key),

    prefetch: (refs: EntityRefs) => {
      let n: number, ks: Kind[], keys: EntityKey[], pipe: ReturnType<Redis['pipeline']>, sent: Promise<Array<[Error | null, unknown]> | null>;
      try {
        n = refs.kinds.length;
        ks = new Array(n);
        keys = new Array(n);
        pipe = client.pipeline();
        for (let u = 0; u < n; u++) {
          const k = kindOf(refs.kinds[u]);
          ks[u] = k;
          const key = refs.keys[refs.kinds[u]];
          keys[u] = ownKey(key);
          pipe.hmgetBuffer(redisKey(k, key), 'v', 's');
        }
      } catch (e) {
        return Promise.reject(e);
      }
      try {
        sent = pipe.exec();
      } catch (e) {
        sent = Promise.reject(e);
      }
      return timed(sent).then((replies) => {
        stats.reads++;
        // Everything checked before the local copy changes: a bad reply changes nothing.
        const vers: number[] = new Array(n);
        const recs: Buffer[] = new Array(n);
        for (let u = 0; u < n; u++) {
          const [err, value] = replies?.[u] ?? [NO_REPLY, null];
          if (err) { dropLocal(ks, keys); throw unavailable('read', err, false); }
          const [v, s] = value as [Buffer | null, Buffer | null];
          if (v === null) { vers[u] = 0; continue; }
          const ver = versionOf(v);
          if (!Number.isSafeInteger(ver) || ver < 1 || s === null) {
            throw new RiskscoreError('invalid_snapshot', `the Redis entry ${redisKey(ks[u], keys[u])} is not an entity of this store (version ${JSON.stringify(v.toString())})`, { path: ['state', u] });
          }
          vers[u] = ver;
          recs[u] = s;
        }
        for (let u = 0; u < n; u++) {
          const k = ks[u], ver = vers[u];
          if (ver === 0) { k.table.delete(keys[u]); continue; }
          const have = k.table.find(keys[u]);
          if (have >= 0 && have < k.remote.length && k.remote[have] === ver) { k.table.touch(have); continue; }
          let s: number;
          try {
            s = readEntityRecord(k.table, keys[u], recs[u], ['state', u]);
          } catch (e) {
            dropLocal(ks, keys);
            throw e;
          }
          growRemote(k, s);
          k.remote[s] = ver;
          stats.decoded++;
          stats.bytesRead += recs[u].length;
        }
      }, (e: unknown) => {
        dropLocal(ks, keys);
        throw unavailable('read', e, false);
      });
    },

    read: (refs: EntityRefs) => {
      for (let u = 0; u < refs.kinds.length; u++) {
        const e = refs.kinds[u];
        const t = kindOf(e).table;
        const s = t.find(refs.keys[e]);
        refs.slots[e] = s;
        refs.versions[e] = s >= 0 ? t.versionOf(s) : -1;
      }
    },

    write: () => {
      throw new RiskscoreError('invalid_argument', 'the Redis state store commits through writeAsync (the scorer does); a synchronous commit would change only this process\'s copy', { path: ['store'] });
    },

    writeAsync: (refs: EntityRefs, writer: EntityStateWriter) => {
      const n = refs.kinds.length;
      const ks: Kind[] = new Array(n);
      const keys: EntityKey[] = new Array(n);
      const expected: number[] = new Array(n);
      // KEYS, then the script's ARGV: deadline, versions read, times to live, records, new versions.
      const argv: Array<string | Buffer> = new Array(1 + 5 * n);
      const next: number[] = new Array(n);
      for (let u = 0; u < n; u++) {
        const e = refs.kinds[u];
        const k = kindOf(e);
        const t = k.table;
        const s = refs.slots[e];
        // The local copy changed since read (evicted, or read again for another event): prepare again.
        if (s >= 0 ? t.versionOf(s) !== refs.versions[e] : t.find(refs.keys[e]) >= 0) return Promise.resolve(false);
        ks[u] = k;
        keys[u] = ownKey(refs.keys[e]);
        argv[u] = redisKey(k, refs.keys[e]);
        expected[u] = s >= 0 && s < k.remote.length ? k.remote[s] : 0;
        if (expected[u] < 0) return Promise.resolve(false);
      }
      writer.apply(refs);
      // Where each entity now lives locally: refs belongs to the evaluator again once this returns.
      const slots = new Int32Array(n);
      for (let u = 0; u < n; u++) {
        const k = ks[u];
        const s = refs.slots[refs.kinds[u]];
        slots[u] = s;
        k.table.markWritten(s);
        // The record written straight into the Buffer the client sends (no copy).
        const rec = writeEntityRecord(k.table, s, Buffer.allocUnsafe(entityRecordBytes(k.table, s)));
        stats.bytesWritten += rec.length;
        argv[n + 1 + u] = String(expected[u]);
        argv[2 * n + 1 + u] = k.ttlArg;
        argv[3 * n + 1 + u] = rec;
        next[u] = newVersion(expected[u]);
        argv[4 * n + 1 + u] = String(next[u]);
      }
      revision++;
      argv[n] = String(Date.now() + timeoutMs);
      return run(cas, n, argv).then((r) => {
        if (r === 0) {
          for (let u = 0; u < n; u++) {
            const k = ks[u];
            growRemote(k, slots[u]);
            k.remote[slots[u]] = next[u];
          }
          stats.writes++;
          return true;
        }
        dropLocal(ks, keys);
        if (r === -1) throw unavailable('write', TIMEOUT, false);
        stats.conflicts++;
        return false;
      }, (e: unknown) => {
        dropLocal(ks, keys);
        // Not sent (offline) or refused by the server: not written. Sent and not answered: unknown.
        const notSent = e !== TIMEOUT && e instanceof Error && /enableOfflineQueue|^ERR |^OOM /.test(e.message);
        throw unavailable('write', e, !notSent);
      });
    },

    table: (entity: number, shape: EntityShape) => {
      const have = kinds[entity];
      if (have !== undefined) {
        if (have.table.shape.signature !== shape.signature) {
          throw new RiskscoreError('invalid_argument', `this store already holds entity kind ${entity} with another window layout; give each feature spec its own store`, { path: ['store'] });
        }
        return have.table;
      }
      const layout = createHash('sha256').update(shape.signature).digest('hex').slice(0, 12);
      const horizon = shape.horizonSeconds ?? Infinity;
      const ttlMs = Math.min(MAX_TTL_MS, Math.ceil((horizon + slack) * 1000));
      const k: Kind = {
        table: new EntityTable(shape, localMaxEntities, localMaxBytes, 'lru'), tag: `${prefix}:${entity}:${layout}:`, ttlMs, ttlArg: String(ttlMs), remote: new Float64Array(0),
      };
      kinds[entity] = k;
      return k.table;
    },
    size: (entity) => kinds[entity]?.table.size ?? 0,
    bytes: (entity) => kinds[entity]?.table.bytes ?? 0,
    entityBytes: (entity, key) => kinds[entity]?.table.entityBytes(key) ?? 0,
    delete: (entity, key) => {
      // The local copy only: the shared entity is deleted with DEL on its keyOf.
      const held = kinds[entity]?.table.delete(key) ?? false;
      if (held) revision++;
      return held;
    },
    clear: () => {
      for (const k of kinds) k?.table.clear();
      revision++;
    },
    snapshot: () => {
      throw new RiskscoreError('invalid_argument', 'the Redis state store has no snapshot of its own: back the Redis server up (RDB or AOF)', { path: ['store'] });
    },
    restore: () => {
      throw new RiskscoreError('invalid_argument', 'the Redis state store has no restore of its own: restore the Redis server (RDB or AOF)', { path: ['store'] });
    },
    maxEntitiesPerKind: localMaxEntities,
    maxBytesPerEntityKind: localMaxBytes,
  };
  return store;
}

/** The rejection of a call that did not answer in time. */
const TIMEOUT = new Error('timeout');
/** The error of a pipeline reply that is missing. */
const NO_REPLY = new Error('no reply');

/** A version token for a write (redis-cas-script.ts): random in 1..2^48, never the one it replaces. */
function newVersion(old: number): number {
  for (;;) {
    const v = Math.floor(Math.random() * 2 ** 48) + 1;
    if (v !== old) return v;
  }
}

/** The number a version field holds (`Number` of its text; decimal digits read in place). */
function versionOf(v: Buffer): number {
  const len = v.length;
  if (len === 0 || len > 15) return Number(v.toString());
  let x = 0;
  for (let i = 0; i < len; i++) {
    const d = v[i] - 48;
    if (d < 0 || d > 9) return Number(v.toString());
    x = x * 10 + d;
  }
  return x;
}

const script = (src: string): Script => ({ src, sha: createHash('sha1').update(src).digest('hex') });
