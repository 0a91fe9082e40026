// Public API of @riskscore/browser: explicit named exports only.
export { createWebBackend, autoThreads } from './web-backend';
export type { OrtWebModule, WebBackend, WebBackendOptions } from './web-backend';
export { loadBundleFromUrl } from './load-bundle-url';
export { createWorkerScorer } from './worker/create-worker-scorer';
export type { WorkerRequestOptions, WorkerRuntime, WorkerScorer, WorkerScorerOptions, WorkerScorerScoreOptions } from './worker/create-worker-scorer';
