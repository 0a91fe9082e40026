// @riskscore/node/nats: stream scoring on NATS JetStream (@nats-io/* are optional peers),
// and a local nats-server for tests and benchmarks.
export { startNatsServer } from './servers/nats-local';
export type { NatsServerOptions } from './servers/nats-local';
export type { LocalServer, LocalServerOptions } from './servers/local-server';
export { natsLayout, keyToken, partitionOf } from './stream/nats-layout';
export type { NatsLayout } from './stream/nats-layout';
export { createNatsStreamScorer, ensureNatsLayout, partitionFieldOf } from './stream/nats-stream-scorer';
export type { NatsStreamScorer, NatsStreamScorerOptions } from './stream/nats-stream-scorer';
export { createNatsEventPublisher } from './stream/nats-publisher';
export type { NatsEventPublisher, NatsEventPublisherOptions } from './stream/nats-publisher';
export type { PartitionWorkerStats, PublishedDecision } from './stream/partition-worker';
export { decodePartitionSnapshot, encodePartitionSnapshot } from './stream/partition-snapshot';
export type { PartitionSnapshotHeader } from './stream/partition-snapshot';
