/**
 * What the service answers when a request fails: a status and the JSON body
 * `{ code, path, message, requestId }`. Scoring errors keep their riskscore code and
 * path; the HTTP layer's own refusals have codes of their own (below). A 5xx never
 * carries the underlying message (which may name files or internals): the server log
 * has it, under the request id.
 */
import { isRiskscoreError, type RiskscoreErrorLike } from '@riskscore/core';

/** Codes of the HTTP layer (scoring errors keep their `RiskscoreErrorCode`). */
export const SERVICE_ERROR_CODES = [
  'unauthorized', 'rate_limited', 'payload_too_large', 'unsupported_media_type', 'malformed_json',
  'request_timeout', 'overloaded', 'not_found', 'method_not_allowed', 'not_ready', 'internal_error',
] as const;
/** One of {@link SERVICE_ERROR_CODES}: a code of the HTTP layer's own refusals. */
export type ServiceErrorCode = (typeof SERVICE_ERROR_CODES)[number];

/** A refusal with its HTTP status (and headers such as Retry-After). */
export class ServiceError extends Error {
  readonly status: number;
  readonly code: string;
  readonly path: ReadonlyArray<string | number>;
  readonly headers: Readonly<Record<string, string>>;
  constructor(status: number, code: string, message: string, path: ReadonlyArray<string | number> = [], headers: Record<string, string> = {}) {
    super(message);
    this.name = 'ServiceError';
    this.status = status;
    this.code = code;
    this.path = path;
    this.headers = headers;
  }
}

/** HTTP status of a scoring error code. */
export function statusOfCode(code: string): number {
  switch (code) {
    case 'invalid_event':
    case 'late_event':
    case 'clock_skew':
    case 'out_of_order':
      return 422;
    case 'duplicate_event':
    case 'state_conflict':
    case 'registry_conflict':
      return 409;
    case 'model_not_found':
      return 404;
    case 'invalid_argument':
      return 400;
    case 'state_limit':
    case 'state_unavailable':
      return 503;
    default:
      return 500;
  }
}

/** The JSON body of an error (a 5xx's message says only where to look). */
export function errorBody(e: { code: string; path: ReadonlyArray<string | number>; message: string }, status: number, requestId: string): Record<string, unknown> {
  if (status >= 500 && e.code !== 'overloaded' && e.code !== 'not_ready' && e.code !== 'state_limit' && e.code !== 'state_unavailable') {
    return { code: e.code, path: [], message: `the server failed scoring this request; its log has the details under request id ${requestId}`, requestId };
  }
  return { code: e.code, path: e.path, message: e.message, requestId };
}

/** Any thrown value as a ServiceError (a riskscore error keeps code and path; anything else is internal). */
export function toServiceError(e: unknown): ServiceError {
  if (e instanceof ServiceError) return e;
  if (isRiskscoreError(e)) {
    const r = e as RiskscoreErrorLike;
    return new ServiceError(statusOfCode(r.code), r.code, r.message, r.path);
  }
  return new ServiceError(500, 'internal_error', e instanceof Error ? e.message : String(e));
}
