/**
 * Messages between a page's worker scorer and its Web Worker. The page numbers every
 * request and the worker answers each with the same id; id 0 is the start-up (load the
 * bundle, build the scorer), answered with what the page needs to know of the bundle.
 */
import type { BundleLimits, Manifest, ScoreOptions, WireError } from '@riskscore/core';

/** Where the worker gets the bundle: a folder URL (absolute; the page resolves it) or the files themselves. */
export type WorkerBundleSource = { url: string } | { files: Record<string, Uint8Array> };

/** What the worker needs to build its scorer (structured-clone safe). */
export interface WorkerInit {
  source: WorkerBundleSource;
  trust?: { publicKeys: Array<string | { kty: 'OKP'; crv: 'Ed25519'; x: string }> };
  limits?: BundleLimits;
  /** onnxruntime-web, for neural members only: absolute URLs (the page resolves them). */
  ort?: { module?: string; wasmPaths?: string; numThreads?: number | 'auto' };
  /** `null` turns the clock-skew check off (a history replayed into the worker). */
  clock?: null;
  idempotency?: { field?: string | null; maxIds?: number; onDuplicate?: 'return' | 'refuse' } | false;
}

/** How each member of the bundle runs in the worker. */
export interface WorkerRuntime {
  members: Array<{ name: string; kind: 'trees' | 'neural'; runsIn: 'native' | 'onnxruntime-web' }>;
  /** onnxruntime-web's settings once a neural member loaded it; null for a bundle of trees (nothing of it was fetched). */
  ort: { threads: number } | null;
  /** The worker's `crossOriginIsolated` (threads need it). */
  crossOriginIsolated: boolean;
  /** Milliseconds the worker took to fetch, verify and load the bundle and its sessions. */
  loadMs: number;
  /**
   * What the worker fetched while loading (its resource timings): the bundle's files and,
   * for neural members, onnxruntime-web's script and wasm. `transferBytes` is 0 for a file
   * served from cache; `bodyBytes` is its encoded size. (A page caches these for offline
   * use; a benchmark counts them.)
   */
  fetched: Array<{ url: string; transferBytes: number; bodyBytes: number }>;
}

/** The answer to the start-up request. */
export interface WorkerReady {
  model: string;
  manifest: Manifest;
  featureNames: string[];
  runtime: WorkerRuntime;
}

/** Score options that cross to the worker (`start` stays on the page side). */
export type WorkerScoreOptions = Omit<ScoreOptions, 'start'>;

export type WorkerRequest =
  | { id: 0; op: 'init'; init: WorkerInit }
  | { id: number; op: 'score'; event: unknown; options?: WorkerScoreOptions }
  | { id: number; op: 'scoreBatch'; events: unknown[] }
  | { id: number; op: 'predictFeatures'; rows: Float32Array; nRows: number }
  | { id: number; op: 'close' };

export type WorkerResponse =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: WireError };
