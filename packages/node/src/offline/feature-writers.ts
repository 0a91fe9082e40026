import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { RiskscoreError } from '@riskscore/core';
import { Float64, RecordBatchFileWriter, Table, Utf8, makeVector, vectorFromArray, type Vector } from 'apache-arrow';

/**
 * A chunk of offline output: `rows` rows of `features` (row-major float64, as computed)
 * and the kept input columns (numbers or strings, column-major).
 */
export interface FeatureChunk {
  rows: number;
  features: Float64Array;
  keep: unknown[][];
}

/** Writes feature chunks to a file. */
export interface FeatureWriter {
  /** Appends a chunk's rows; a failed write of the file rejects with `invalid_argument` naming the path. */
  write(chunk: FeatureChunk): Promise<void>;
  /** Finishes the file (a CSV with no rows still gets its header) and closes it. */
  close(): Promise<void>;
}

/** Options shared by the writers. */
export interface FeatureWriterOptions {
  /** Names of the kept input columns, then of the features. */
  keepNames: readonly string[];
  featureNames: readonly string[];
}

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

/** The boundary checks both writers share: once per writer, nothing per row. */
function checkWriterArgs(fn: string, path: unknown, options: unknown): void {
  if (typeof path !== 'string' || path === '') {
    throw new RiskscoreError('invalid_argument', `${fn}: path must be a non-empty file path string, got ${kindOf(path)}`, { path: ['path'] });
  }
  if (typeof options !== 'object' || options === null) {
    throw new RiskscoreError('invalid_argument', `${fn}: options must be an object { keepNames, featureNames }, got ${kindOf(options)}`, { path: ['options'] });
  }
  for (const k of ['keepNames', 'featureNames'] as const) {
    const names = (options as Record<string, unknown>)[k];
    if (!Array.isArray(names)) throw new RiskscoreError('invalid_argument', `${fn}: options.${k} must be an array of column names, got ${kindOf(names)}`, { path: ['options', k] });
    names.forEach((n, i) => {
      if (typeof n !== 'string') throw new RiskscoreError('invalid_argument', `${fn}: options.${k}[${i}] must be a string, got ${kindOf(n)}`, { path: ['options', k, i] });
    });
  }
}

/**
 * Opens the output stream. Its 'error' event (a missing folder, no permission) is kept
 * and rethrown by the next write or close as an `invalid_argument` naming the path,
 * instead of crashing the process as an unhandled stream error.
 */
function openOutput(fn: string, path: string): { out: WriteStream; io<T>(p: () => Promise<T>): Promise<T> } {
  const out = createWriteStream(path);
  let failure: unknown = null;
  out.on('error', (e) => { failure ??= e; });
  const typed = (cause: unknown): RiskscoreError => new RiskscoreError('invalid_argument', `${fn}: cannot write ${path}: ${(cause as Error)?.message ?? String(cause)}; check that its folder exists and is writable`, {
    path: ['path'], details: { file: path }, cause,
  });
  return {
    out,
    async io(p) {
      if (failure !== null) throw typed(failure);
      try {
        return await p();
      } catch (e) {
        throw RiskscoreError.isInstance(e) ? e : typed(failure ?? e);
      }
    },
  };
}

async function put(out: WriteStream, data: string | Uint8Array): Promise<void> {
  if (!out.write(data)) await once(out, 'drain');
}

async function end(out: WriteStream): Promise<void> {
  out.end();
  await once(out, 'finish');
}

/**
 * A CSV writer: a header, then one line per row with the kept columns and the features.
 * Features are written as the shortest decimal that reads back to the computed float64
 * (JavaScript's number-to-string), so a CSV reader gets the exact values.
 *
 * @example
 * const w = createFeatureCsvWriter('features.csv', { keepNames: ['TRANSACTION_ID'], featureNames });
 */
export function createFeatureCsvWriter(path: string, options: FeatureWriterOptions): FeatureWriter {
  checkWriterArgs('createFeatureCsvWriter', path, options);
  const { out, io } = openOutput('createFeatureCsvWriter', path);
  const F = options.featureNames.length;
  const K = options.keepNames.length;
  let headerDone = false;
  const cell = (v: unknown): string => {
    if (v === undefined || v === null) return '';
    const s = String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return {
    write: (chunk) => io(async () => {
      const parts: string[] = [];
      if (!headerDone) {
        parts.push([...options.keepNames, ...options.featureNames].map(cell).join(',') + '\n');
        headerDone = true;
      }
      for (let r = 0; r < chunk.rows; r++) {
        let line = '';
        for (let k = 0; k < K; k++) line += cell(chunk.keep[k][r]) + ',';
        const o = r * F;
        for (let j = 0; j < F; j++) line += (j > 0 ? ',' : '') + chunk.features[o + j];
        parts.push(line + '\n');
      }
      await put(out, parts.join(''));
    }),
    close: () => io(async () => {
      if (!headerDone) await put(out, [...options.keepNames, ...options.featureNames].map(cell).join(',') + '\n');
      await end(out);
    }),
  };
}

/**
 * An Arrow IPC file writer: one record batch per chunk, features as Float32 columns (the
 * model input type; `float64: true` keeps the computed doubles), kept columns as Float64
 * when numeric, Utf8 otherwise.
 *
 * @example
 * const w = createFeatureArrowWriter('features.arrow', { keepNames, featureNames });
 */
export function createFeatureArrowWriter(path: string, options: FeatureWriterOptions & { float64?: boolean }): FeatureWriter {
  checkWriterArgs('createFeatureArrowWriter', path, options);
  const { out, io } = openOutput('createFeatureArrowWriter', path);
  const writer = new RecordBatchFileWriter();
  const stream = writer.toNodeStream();
  stream.pipe(out);
  const F = options.featureNames.length;
  let keepNumeric: boolean[] | null = null;
  const names = options.featureNames;
  return {
    write: (chunk) => io(async () => {
      const n = chunk.rows;
      if (keepNumeric === null) keepNumeric = chunk.keep.map((col) => col.slice(0, n).every((v) => typeof v === 'number' || v === undefined));
      const cols: Record<string, Vector> = {};
      options.keepNames.forEach((name, k) => {
        const col = chunk.keep[k].slice(0, n);
        cols[name] = keepNumeric![k]
          ? vectorFromArray(col.map((v) => (v === undefined ? null : (v as number))), new Float64())
          : vectorFromArray(col.map((v) => (v === undefined ? null : String(v))), new Utf8());
      });
      for (let j = 0; j < F; j++) {
        const a = options.float64 ? new Float64Array(n) : new Float32Array(n);
        for (let r = 0; r < n; r++) a[r] = chunk.features[r * F + j];
        cols[names[j]] = makeVector(a);
      }
      const table = new Table(cols);
      for (const batch of table.batches) writer.write(batch);
      // Let the piped stream drain before the next chunk.
      if (out.writableNeedDrain) await once(out, 'drain');
    }),
    close: () => io(async () => {
      writer.finish();
      await once(out, 'finish');
    }),
  };
}

