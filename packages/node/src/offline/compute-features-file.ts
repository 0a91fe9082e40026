import { createOfflinePass, compileFeatureSpec, type EntityStateStore, type FeatureSpec } from '@riskscore/features';
import { RiskscoreError } from '@riskscore/core';
import { eventFileFormat, inputFileSize, readEventFile } from './event-readers';
import { createFeatureArrowWriter, createFeatureCsvWriter, type FeatureWriter } from './feature-writers';
import { createProgressBar } from './progress-bar';

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

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

function refuse(path: ReadonlyArray<string | number>, rule: string, actual: unknown): never {
  throw new RiskscoreError('invalid_argument', `computeFeaturesFile: ${path.join('.')} ${rule}, got ${typeof actual === 'number' || typeof actual === 'string' ? JSON.stringify(actual) : kindOf(actual)}`, {
    path, details: { actual: typeof actual === 'number' || typeof actual === 'string' ? actual : kindOf(actual) },
  });
}

/** Boundary checks, once per call and before any file is opened (the spec is checked by compileFeatureSpec). */
function checkOptions(o: ComputeFeaturesFileOptions): void {
  if (typeof o !== 'object' || o === null) refuse(['options'], 'must be an object { spec, inputs, output?, … }', o);
  if (!Array.isArray(o.inputs)) refuse(['inputs'], 'must be an array of event file paths', o.inputs);
  o.inputs.forEach((p, i) => { if (typeof p !== 'string' || p === '') refuse(['inputs', i], 'must be a file path string', p); });
  if (o.output !== undefined && (typeof o.output !== 'string' || o.output === '')) refuse(['output'], 'must be a file path string', o.output);
  if (o.format !== undefined && o.format !== 'csv' && o.format !== 'arrow') refuse(['format'], 'must be "csv" or "arrow"', o.format);
  if (o.limit !== undefined && (typeof o.limit !== 'number' || Number.isNaN(o.limit) || o.limit < 0 || (Number.isFinite(o.limit) && !Number.isInteger(o.limit)))) {
    refuse(['limit'], 'must be an integer ≥ 0 (or Infinity)', o.limit);
  }
  if (o.chunkRows !== undefined && (!Number.isInteger(o.chunkRows) || o.chunkRows < 1)) refuse(['chunkRows'], 'must be a positive integer', o.chunkRows);
  if (o.keep !== undefined) {
    if (!Array.isArray(o.keep)) refuse(['keep'], 'must be an array of column names', o.keep);
    o.keep.forEach((k, i) => { if (typeof k !== 'string') refuse(['keep', i], 'must be a column name string', k); });
  }
}

/**
 * Computes a spec's features over time-ordered event files in one pass (point in time
 * correct, the same evaluator as online) and writes them with the kept columns to CSV or
 * Arrow IPC.
 *
 * Bad options throw `invalid_argument` naming the option (`['limit']`, `['format']`,
 * `['inputs', i]` for an input file that does not exist); the spec is checked by
 * `compileFeatureSpec` (`invalid_spec`), events by the evaluator (`invalid_event`).
 *
 * @example
 * await computeFeaturesFile({ spec, inputs: ['tx.csv.gz'], output: 'features.arrow' });
 */
export async function computeFeaturesFile(options: ComputeFeaturesFileOptions): Promise<ComputeFeaturesFileResult> {
  checkOptions(options);
  const evaluator = compileFeatureSpec(options.spec, { store: options.store });
  const spec: FeatureSpec = evaluator.spec;
  const pass = createOfflinePass(evaluator);
  const F = evaluator.size;
  const chunkRows = options.chunkRows ?? 8192;
  const limit = options.limit ?? Infinity;
  const keepNames = options.keep ?? [spec.event.idField, spec.event.timestamp.field, spec.event.label?.field]
    .filter((x): x is string => x !== undefined);
  const format = options.format ?? (options.output && /\.(arrow|feather|ipc)$/i.test(options.output) ? 'arrow' : 'csv');
  // Every input must exist before the output is created.
  const sizes = options.inputs.map((p, i) => inputFileSize('computeFeaturesFile', p, ['inputs', i]));
  for (let i = 0; i < options.inputs.length; i++) {
    try {
      eventFileFormat(options.inputs[i]);
    } catch (cause) {
      throw new RiskscoreError('invalid_argument', `computeFeaturesFile: ${(cause as Error).message}`, { path: ['inputs', i], cause });
    }
  }
  const totalBytes = sizes.reduce((s, b) => s + b, 0);
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
    for (let i = 0; i < options.inputs.length; i++) {
      const input = options.inputs[i];
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
      doneBytes += sizes[i];
    }
    await flush();
  } finally {
    if (writer) await writer.close();
  }
  bar?.finish(rows);
  const seconds = (performance.now() - t0) / 1000;
  return { rows, features: F, featureNames: evaluator.featureNames, seconds, rowsPerSecond: rows / seconds };
}
