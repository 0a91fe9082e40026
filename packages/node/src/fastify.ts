// @riskscore/node/fastify: the scoring service as a Fastify 5 plugin (fastify is an optional peer).
export { riskscoreFastify } from './service/fastify-plugin';
export type { RiskscoreFastifyOptions } from './service/fastify-plugin';
