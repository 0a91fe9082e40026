import { packageBuild } from '../../tsup.base';

// The worker is its own entry (dist/worker.js): createWorkerScorer starts it from next to dist/index.js.
export default packageBuild({ index: 'src/index.ts', worker: 'src/worker/worker-main.ts' });
