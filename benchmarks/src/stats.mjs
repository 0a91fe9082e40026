// Small timing helpers shared by the benchmark scripts.
import { availableParallelism } from 'node:os';

/** Quantile of an ascending-sorted Float64Array, linear interpolation. */
export function quantile(sorted, q) {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Calls `fn` `n` times (after `warmup` calls) and returns per-call latencies in µs, sorted. */
export async function latencies(fn, n, warmup = Math.min(200, n)) {
  for (let i = 0; i < warmup; i++) await fn(i);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    out[i] = (performance.now() - t) * 1000;
  }
  return out.sort();
}

/** Synchronous variant: avoids the microtask cost of `await` for sync functions. */
export function latenciesSync(fn, n, warmup = Math.min(200, n)) {
  for (let i = 0; i < warmup; i++) fn(i);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    fn(i);
    out[i] = (performance.now() - t) * 1000;
  }
  return out.sort();
}

/** Rows per second of `fn(batch)` processing `rowsPerCall` rows, over at least `minMs`. */
export async function throughput(fn, rowsPerCall, minMs = 1000) {
  for (let i = 0; i < 5; i++) await fn();
  let calls = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minMs) { await fn(); calls++; }
  return (calls * rowsPerCall) / ((performance.now() - t0) / 1000);
}

/** Prints rows of [label, ...cells] as an aligned table. */
export function printTable(header, rows) {
  const all = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, j) => Math.max(...all.map((r) => r[j].length)));
  const line = (r) => `| ${r.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join(' | ')} |`;
  console.log(line(all[0]));
  console.log(`|${widths.map((w, j) => (j === 0 ? ':' : '') + '-'.repeat(w + 1) + (j === 0 ? '' : ':')).join('|')}|`);
  for (const r of all.slice(1)) console.log(line(r));
}

export function machine() {
  return { node: process.version, cpus: availableParallelism(), date: new Date().toISOString().slice(0, 10) };
}
