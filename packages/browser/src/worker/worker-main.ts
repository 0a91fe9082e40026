/**
 * The worker script of `createWorkerScorer` (`@riskscore/browser/worker`, dist/worker.js):
 * evaluated in a dedicated module worker, it answers the page's requests. An app that
 * bundles its own worker file imports this module for its effect:
 *
 * @example
 * // riskscore-worker.ts, started with new Worker(new URL('./riskscore-worker.ts', import.meta.url), { type: 'module' })
 * import '@riskscore/browser/worker';
 */
import { serveWorkerScorer, type WorkerScope } from './scoring-worker';

serveWorkerScorer(globalThis as unknown as WorkerScope);
