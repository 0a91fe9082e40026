/**
 * The scoring service as a node:http request listener: reads the body within the
 * service's size and time limits (413 as soon as the declared or received size passes
 * the limit, 408 when the body does not arrive in time), hands the request to the
 * service and writes its response. Mount it in an existing server
 * (`http.createServer(handler)`, or call it from your own routing).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createScoringService, type ScoringService, type ScoringServiceOptions, type ServiceResponse } from './scoring-service';
import { writeDashboardResponse } from '../dashboard/create-dashboard';
import { errorBody, ServiceError } from './service-error';

/** A node:http request listener over a scoring service, with the service it serves. */
export interface ScoringHandler {
  /** Reads the request body (413 past `maxBodyBytes`, 408 past `bodyTimeoutMs`), hands the request to the service and writes its response. */
  (req: IncomingMessage, res: ServerResponse): void;
  readonly service: ScoringService;
}

function write(res: ServerResponse, r: ServiceResponse, close = false): void {
  if (res.headersSent || res.destroyed) return;
  if (close) r.headers.connection = 'close';
  if (r.stream) {
    writeDashboardResponse(res, { ...r, stream: r.stream });
    return;
  }
  res.writeHead(r.status, r.headers);
  res.end(r.body);
}

/** A refusal before the service saw the request (body too large or too slow). */
function refuse(res: ServerResponse, service: ScoringService, req: IncomingMessage, e: ServiceError): void {
  const requestId = `edge-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(given) ? given : requestId;
  write(res, { status: e.status, headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': id, ...e.headers }, body: JSON.stringify(errorBody(e, e.status, id)) }, true);
  service.metrics.request(e.code === 'request_timeout' ? 'timeout' : 'refused', e.status, 0);
  service.metrics.error(e.code);
}

/**
 * Creates a node:http handler over a new scoring service (or one you made).
 *
 * @example
 * const handler = createScoringHandler({ scorer, auth: { apiKeys } });
 * http.createServer(handler).listen(8080, '127.0.0.1');
 */
export function createScoringHandler(options: ScoringServiceOptions | { readonly service: ScoringService }): ScoringHandler {
  const service = 'service' in options ? options.service : createScoringService(options);
  const { maxBodyBytes, bodyTimeoutMs } = service.limits;
  const handler = ((req: IncomingMessage, res: ServerResponse) => {
    const remoteAddress = req.socket.remoteAddress;
    const dispatch = (body: Buffer | undefined): void => {
      service.handle({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body, remoteAddress }).then(
        (r) => write(res, r),
        () => write(res, { status: 500, headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{"code":"internal_error","path":[],"message":"the server failed"}' }),
      );
    };
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') {
      req.resume();
      dispatch(undefined);
      return;
    }
    const declared = Number(req.headers['content-length']);
    if (declared > maxBodyBytes) {
      refuse(res, service, req, new ServiceError(413, 'payload_too_large', `the body is ${declared} bytes, more than the limit of ${maxBodyBytes}`, ['body']));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      refuse(res, service, req, new ServiceError(408, 'request_timeout', `the body did not arrive within ${bodyTimeoutMs} ms`, ['body']));
      req.destroy();
    }, bodyTimeoutMs);
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > maxBodyBytes) {
        done = true;
        clearTimeout(timer);
        refuse(res, service, req, new ServiceError(413, 'payload_too_large', `the body is more than the limit of ${maxBodyBytes} bytes`, ['body']));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      dispatch(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    });
    req.on('error', () => {
      done = true;
      clearTimeout(timer);
    });
  }) as ScoringHandler;
  Object.defineProperty(handler, 'service', { value: service, enumerable: true });
  return handler;
}
