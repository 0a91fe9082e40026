import { defineConfig } from 'vitest/config';

// Tests run against the TypeScript sources through the "@riskscore/source" export condition (namespaced, so consumers' tools never pick it up),
// so `vitest` needs no build; the browser test builds its own bundle from source too.
export default defineConfig({
  resolve: { conditions: ['@riskscore/source'] },
  ssr: { resolve: { conditions: ['@riskscore/source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
