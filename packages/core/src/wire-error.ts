/**
 * Errors as they cross a thread or worker boundary (structured clone, JSON): a riskscore
 * error keeps its code, path, details and a riskscore cause; anything else becomes
 * `internal_error`. Node's worker thread and the browser's Web Worker both speak it.
 */
import { isRiskscoreError, RISKSCORE_ERROR_CODES, RiskscoreError, type RiskscoreErrorCode } from './errors';

/** A riskscore error as plain data. */
export interface WireError {
  code: string;
  path: Array<string | number>;
  message: string;
  details?: Record<string, unknown>;
  cause?: WireError;
}

/** Any thrown value as a {@link WireError} (details made plain through JSON). */
export function toWireError(e: unknown): WireError {
  if (isRiskscoreError(e)) {
    const cause = (e as { cause?: unknown }).cause;
    let details: Record<string, unknown> | undefined;
    try {
      details = e.details ? JSON.parse(JSON.stringify(e.details)) as Record<string, unknown> : undefined;
    } catch {
      details = undefined;
    }
    return { code: e.code, path: [...e.path], message: e.message, details, cause: isRiskscoreError(cause) ? toWireError(cause) : undefined };
  }
  return { code: 'internal_error', path: [], message: e instanceof Error ? e.message : String(e) };
}

const KNOWN = new Set<string>(RISKSCORE_ERROR_CODES);

/** The RiskscoreError a {@link WireError} stands for (an unknown code reads as `internal_error`). */
export function fromWireError(w: WireError): RiskscoreError {
  const code = (KNOWN.has(w.code) ? w.code : 'internal_error') as RiskscoreErrorCode;
  return new RiskscoreError(code, w.message, { path: w.path, details: w.details, cause: w.cause ? fromWireError(w.cause) : undefined });
}
