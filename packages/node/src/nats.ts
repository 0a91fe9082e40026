// @riskscore/node/nats: stream scoring on NATS JetStream (@nats-io/* are optional peers),
// and a local nats-server for tests and benchmarks.
export { startNatsServer } from './servers/nats-local';
export type { LocalServer, LocalServerOptions } from './servers/local-server';
