// @riskscore/node/redis: entity state shared through Redis (ioredis is an optional peer),
// and a local redis-server for tests and benchmarks.
export { startRedisServer } from './servers/redis-local';
export type { RedisServerOptions } from './servers/redis-local';
export type { LocalServer, LocalServerOptions } from './servers/local-server';
export { createRedisStateStore } from './state/redis-state-store';
export type { RedisStateStore, RedisStateStoreOptions, RedisStateStoreStats } from './state/redis-state-store';
