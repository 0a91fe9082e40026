// An inference backend whose runs finish out of order: the node backend with each run
// delayed by the next of `delays` (ms), cycling. For tests of arrival order under
// concurrency.
import type { InferenceBackend } from '@riskscore/core';
import { createNodeBackend } from '../src/backend/node-backend';

export function delayedBackend(delays: readonly number[], inner: InferenceBackend = createNodeBackend()): InferenceBackend {
  let k = 0;
  return {
    name: 'delayed-onnxruntime-node',
    async createSession(model, io) {
      const s = await inner.createSession(model, io);
      return {
        async run(input, rows, cols) {
          const ms = delays[k++ % delays.length];
          if (ms > 0) await new Promise((r) => setTimeout(r, ms));
          return s.run(input, rows, cols);
        },
        release: () => s.release(),
      };
    },
  };
}
