import { createOfflinePass, compileFeatureSpec, type EntityStateStore, type FeatureSpec } from '@riskscore/features';
import { readEventFile } from './event-readers';
import { createFeatureArrowWriter, createFeatureCsvWriter, type FeatureWriter } from './feature-writers';
import { createProgressBar } from './progress-bar';
import { statSync } from 'node:fs';

/** Options of `computeFeaturesFile`. */
export interface ComputeFeaturesFileOptions {
  /** The feature spec (parsed or as written). */
  spec: unknown;
  /** Time-ordered event files, read one after the other as one stream. */
  inputs: readonly string[];
  /** Output file; omitted = compute only (benchmarks). */
  output?: string;
  /** Output format (default: from the extension, `.arrow` → arrow, else csv). */
  format?: 'csv' | 'arrow';
  /** Input columns copied to the output (default: id, timestamp and label when present). */
  keep?: readonly string[];
  /** Stop after this many rows. */
  limit?: number;
  /** Draw a progress bar on stderr. */
  progress?: boolean;
  /** Rows per output chunk (default 8192). */
  chunkRows?: number;
  /** Arrow output as float64 instead of float32. */
  float64?: boolean;
  store?: EntityStateStore;
}

/** What one offline run did. */
export interface ComputeFeaturesFileResult {
  rows: number;
  features: number;
  featureNames: readonly string[];
  seconds: number;
  rowsPerSecond: number;
}

/**
 * Computes a spec's features over time-ordered event files in one pass (point in time
 * correct, the same evaluator as online) and writes them with the kept columns to CSV or
 * Arrow IPC.
 *
 * @example
 * await computeFeaturesFile({ spec, inputs: ['tx.csv.gz'], output: 'features.arrow' });
 */
export async function computeFeaturesFile(options: ComputeFeaturesFileOptions): Promise<ComputeFeaturesFileResult> {
  const evaluator = compileFeatureSpec(options.spec, { store: options.store });
  const spec: FeatureSpec = evaluator.spec;
  const pass = createOfflinePass(evaluator);
  const F = evaluator.size;
  const chunkRows = options.chunkRows ?? 8192;
  const limit = options.limit ?? Infinity;
  const keepNames = options.keep ?? [spec.event.idField, spec.event.timestamp.field, spec.event.label?.field]
    .filter((x): x is string => x !== undefined);
  const format = options.format ?? (options.output && /\.(arrow|feather|ipc)$/i.test(options.output) ? 'arrow' : 'csv');
  let writer: FeatureWriter | null = null;
  if (options.output) {
    writer = format === 'arrow'
      ? createFeatureArrowWriter(options.output, { keepNames, featureNames: evaluator.featureNames, float64: options.float64 })
      : createFeatureCsvWriter(options.output, { keepNames, featureNames: evaluator.featureNames });
  }
  const features = new Float64Array(chunkRows * F);
  const keep: unknown[][] = keepNames.map(() => new Array(chunkRows));
  let n = 0;
  let rows = 0;
  const totalBytes = options.inputs.reduce((s, p) => s + statSync(p).size, 0);
  const bar = options.progress ? createProgressBar({ total: totalBytes }) : null;
  let doneBytes = 0;
  // Read only the columns the spec and the output use.
  const columns = new Set<string>([...spec.event.fields.map((f) => f.name), spec.event.timestamp.field, ...keepNames]);
  if (spec.event.label) columns.add(spec.event.label.field);
  const t0 = performance.now();
  const flush = async (): Promise<void> => {
    if (writer && n > 0) await writer.write({ rows: n, features, keep });
    n = 0;
  };
  class Stop extends Error {}
  try {
    for (const input of options.inputs) {
      const base = doneBytes;
      try {
        await readEventFile(input, spec, (row) => {
          if (rows >= limit) throw new Stop();
          pass.process(row, features, n * F);
          if (writer) for (let k = 0; k < keepNames.length; k++) keep[k][n] = row[keepNames[k]];
          n++;
          rows++;
          if (n === chunkRows) return flush();
        }, bar ? (b) => bar.update(base + b, rows) : undefined, { columns });
      } catch (e) {
        if (!(e instanceof Stop)) throw e;
        break;
      }
      doneBytes += statSync(input).size;
    }
    await flush();
  } finally {
    if (writer) await writer.close();
  }
  bar?.finish(rows);
  const seconds = (performance.now() - t0) / 1000;
  return { rows, features: F, featureNames: evaluator.featureNames, seconds, rowsPerSecond: rows / seconds };
}
