/**
 * The scoring service as a Fastify 5 plugin, over the same service as the node:http
 * handler: the plugin takes every body raw (its own content-type parser, within the
 * service's body limit) and hands each request to `service.handle`, so both adapters
 * answer alike. Register it with a prefix to mount it beside your own routes.
 *
 * @example
 * import Fastify from 'fastify';
 * import { riskscoreFastify } from '@riskscore/node/fastify';
 * const app = Fastify();
 * await app.register(riskscoreFastify, { scorer, auth: { apiKeys } });
 * await app.listen({ port: 8080, host: '127.0.0.1' });
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createScoringService, type ScoringService, type ScoringServiceOptions } from './scoring-service';
import { writeDashboardResponse } from '../dashboard/create-dashboard';
import { errorBody, ServiceError } from './service-error';

export type RiskscoreFastifyOptions = (ScoringServiceOptions | { readonly service: ScoringService }) & { readonly prefix?: string };

const PATHS = ['/v1/score', '/v1/score/batch', '/v1/outcomes', '/v1/models', '/healthz', '/readyz', '/metrics'];

const JSON_TYPE = 'application/json; charset=utf-8';
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fastify's own refusals (a body over the limit, a body that never ends) in the service's JSON, worded as the node:http handler words them. */
function fastifyError(e: { code?: string; statusCode?: number; message?: string }, request: FastifyRequest, maxBodyBytes: number): ServiceError {
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || e.statusCode === 413) {
    const declared = Number(request.headers['content-length']);
    return new ServiceError(413, 'payload_too_large', declared > maxBodyBytes ? `the body is ${declared} bytes, more than the limit of ${maxBodyBytes}` : `the body is more than the limit of ${maxBodyBytes} bytes`, ['body']);
  }
  if (e.statusCode === 408) return new ServiceError(408, 'request_timeout', 'the request did not arrive in time', ['body']);
  if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) return new ServiceError(400, 'malformed_json', 'the request could not be read', ['body']);
  return new ServiceError(500, 'internal_error', e.message ?? 'failed');
}

export async function riskscoreFastify(app: FastifyInstance, options: RiskscoreFastifyOptions): Promise<void> {
  const service = 'service' in options ? options.service : createScoringService(options);
  const prefix = (options as { prefix?: string }).prefix ?? '';
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: service.limits.maxBodyBytes }, (_req: FastifyRequest, body: Buffer, done: (err: Error | null, body?: Buffer) => void) => done(null, body));
  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const url = prefix !== '' && request.url.startsWith(prefix) ? request.url.slice(prefix.length) || '/' : request.url;
    const r = await service.handle({ method: request.method, url, headers: request.headers, body: request.body as Buffer | undefined, remoteAddress: request.ip });
    if (r.stream) {
      // A server-sent event stream: Fastify hands the raw response over.
      reply.hijack();
      writeDashboardResponse(reply.raw, { ...r, stream: r.stream });
      return;
    }
    reply.code(r.status).headers(r.headers).send(r.body);
  };
  // A refusal before the service saw the request, as the node:http handler answers it (the caller's request id, Connection: close, counted).
  const refusal = (request: FastifyRequest, e: ServiceError) => {
    const given = request.headers['x-request-id'];
    const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : String(request.id);
    service.metrics.request(e.code === 'request_timeout' ? 'timeout' : 'refused', e.status, 0);
    service.metrics.error(e.code);
    return { headers: { 'content-type': JSON_TYPE, 'x-request-id': id, connection: 'close', ...e.headers }, body: JSON.stringify(errorBody(e, e.status, id)) };
  };
  // limits.bodyTimeoutMs: a body that does not arrive in time is refused with 408 (Fastify has no per-plugin body timeout).
  const { bodyTimeoutMs } = service.limits;
  app.addHook('onRequest', (request, reply, done) => {
    const raw = request.raw;
    if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS' || raw.complete) { done(); return; }
    const timer = setTimeout(() => {
      if (raw.complete || reply.sent) return;
      const r = refusal(request, new ServiceError(408, 'request_timeout', `the body did not arrive within ${bodyTimeoutMs} ms`, ['body']));
      reply.hijack();
      reply.raw.writeHead(408, r.headers);
      reply.raw.end(r.body);
      raw.destroy();
    }, bodyTimeoutMs);
    const clear = () => clearTimeout(timer);
    raw.once('end', clear);
    raw.once('close', clear);
    reply.raw.once('finish', clear);
    done();
  });
  for (const path of PATHS) app.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'], url: path, handler });
  app.setNotFoundHandler(handler);
  app.setErrorHandler(async (error: { code?: string; statusCode?: number; message?: string }, request, reply) => {
    // A content-type Fastify cannot parse ("bogus"): the service refuses it, after routing and auth, as it does behind node:http.
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') { await handler(request, reply); return; }
    const e = fastifyError(error, request, service.limits.maxBodyBytes);
    const r = refusal(request, e);
    reply.code(e.status).headers(r.headers).send(r.body);
  });
  // The dashboard's event streams would hold the server open: end them before it closes.
  app.addHook('preClose', async () => { service.dashboard?.close(); });
  app.addHook('onClose', async () => { await service.close(); });
}
// Fastify's plugin metadata: skip encapsulation-breaking wrappers; the routes live in the registering context.
(riskscoreFastify as unknown as Record<symbol, unknown>)[Symbol.for('fastify.display-name')] = 'riskscore';
