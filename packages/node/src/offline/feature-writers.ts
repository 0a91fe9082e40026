import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
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
  write(chunk: FeatureChunk): Promise<void>;
  close(): Promise<void>;
}

/** Options shared by the writers. */
export interface FeatureWriterOptions {
  /** Names of the kept input columns, then of the features. */
  keepNames: readonly string[];
  featureNames: readonly string[];
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
  const out = createWriteStream(path);
  const F = options.featureNames.length;
  const K = options.keepNames.length;
  let headerDone = false;
  const cell = (v: unknown): string => {
    if (v === undefined || v === null) return '';
    const s = String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return {
    async write(chunk) {
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
    },
    async close() {
      if (!headerDone) await put(out, [...options.keepNames, ...options.featureNames].map(cell).join(',') + '\n');
      await end(out);
    },
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
  const out = createWriteStream(path);
  const writer = new RecordBatchFileWriter();
  const stream = writer.toNodeStream();
  stream.pipe(out);
  const F = options.featureNames.length;
  let keepNumeric: boolean[] | null = null;
  const names = options.featureNames;
  return {
    async write(chunk) {
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
    },
    async close() {
      writer.finish();
      await once(out, 'finish');
    },
  };
}

