/**
 * A monotonic clock in milliseconds with sub-millisecond resolution: `performance.now()`
 * exists in Node ≥ 16, browsers and workers. Reached through `globalThis` because core
 * compiles without DOM or Node types.
 */
const perf = (globalThis as unknown as { performance?: { now(): number } }).performance;

/** Milliseconds since an arbitrary origin. */
export const nowMs: () => number = perf ? () => perf.now() : () => Date.now();
