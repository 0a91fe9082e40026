/**
 * Messages between a worker scorer's proxy (main thread) and its worker thread. Every
 * request carries an id; the worker answers each with the same id, in order.
 */
import type { BundleLimits, ExplainOptions, ScoreOptions, ScoreOutcome, WireError } from '@riskscore/core';

/** What the worker needs to build its scorer (structured-clone safe). */
export interface WorkerScorerInit {
  readonly bundleDir: string;
  /** Accept only a bundle signed by one of these Ed25519 public keys (PEM text or JWK: they cross to the worker by structured clone). */
  readonly trust?: { readonly publicKeys: ReadonlyArray<string | { kty: 'OKP'; crv: 'Ed25519'; x: string }> };
  /** Bundle size limits (loadBundle's `limits`). */
  readonly limits?: BundleLimits;
  /** `null` turns the clock-skew check off (replaying history); absent: `Date.now`. */
  readonly clock?: null;
  readonly idempotency?: { readonly field?: string | null; readonly maxIds?: number; readonly onDuplicate?: 'return' | 'refuse' } | false;
  readonly store?: { readonly maxEntities?: number; readonly maxBytes?: number };
  /** A snapshot (from `snapshot()`) to start the entity state from. */
  readonly snapshot?: Uint8Array;
  /** onnxruntime threads inside the worker (default 1). */
  readonly intraOpThreads?: number;
  /**
   * A drift and quality monitor in the worker, observing every scored row (on by default
   * when the bundle has a reference profile; `false`: none). It tracks scored ids itself.
   */
  readonly monitor?: boolean | { readonly window?: { readonly events?: number; readonly ms?: number }; readonly outcomeCapacity?: number };
}

export type WorkerRequest =
  | { id: number; op: 'scoreBatch'; events: readonly unknown[]; features?: boolean }
  | { id: number; op: 'scoreFeatures'; row: Float32Array; event?: unknown; options?: { explain?: boolean | ExplainOptions } }
  | { id: number; op: 'safeScore'; event: unknown; options?: ScoreOptions }
  | { id: number; op: 'recordOutcome'; event: Record<string, unknown>; label: number }
  | { id: number; op: 'predictFeatures'; rows: Float32Array; nRows: number }
  | { id: number; op: 'snapshot' }
  | { id: number; op: 'monitorMetrics' }
  | { id: number; op: 'monitorOutcome'; eventId: string; label: 0 | 1 }
  | { id: number; op: 'monitorFlush' }
  | { id: number; op: 'close' };


export type WorkerResponse =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: WireError };

export type WireOutcome = { ok: true; result: ScoreOutcome extends { ok: true; result: infer R } ? R : never } | { ok: false; error: WireError };
