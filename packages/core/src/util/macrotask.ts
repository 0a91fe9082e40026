/**
 * Timers without platform types: `setTimeout` exists in Node, browsers, workers and Deno,
 * but core compiles with no DOM or Node typings, so it is declared here.
 */
declare function setTimeout(callback: () => void, ms: number): unknown;

/** Resolves after `ms` (0: on a later macrotask, after pending I/O such as a response being written). */
export function after(ms: number): Promise<void> {
  return new Promise<void>((resolve) => { setTimeout(resolve, ms); });
}
