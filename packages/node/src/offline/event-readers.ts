import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { RecordBatchReader } from 'apache-arrow';
import { RiskscoreError } from '@riskscore/core';
import { FeatureError, type FeatureSpec } from '@riskscore/features';
import { decimalAt } from './parse-decimal';

/** Called for each row; a returned promise is awaited before reading on (backpressure). */
export type RowSink = (row: Record<string, unknown>) => void | Promise<void>;
/** Called with the input bytes consumed so far (compressed bytes for `.gz`). */
export type ProgressSink = (bytesRead: number, totalBytes: number) => void;

/** The file kinds the offline pass reads. */
export type EventFileFormat = 'csv' | 'csv.gz' | 'arrow';

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

/**
 * The format of an event file from its name: `.arrow`, `.arrows`, `.feather`, `.ipc` →
 * Arrow IPC (file or stream); `.csv.gz` (or `.gz`) → gzipped CSV; `.csv` → CSV. Any other
 * name throws `invalid_argument` at `['path']`: rename the file, rather than have it read
 * as CSV by guess.
 *
 * @example
 * eventFileFormat('transactions_2018-04.csv.gz'); // "csv.gz"
 */
export function eventFileFormat(path: string): EventFileFormat {
  if (typeof path !== 'string') {
    throw new RiskscoreError('invalid_argument', `eventFileFormat: path must be a file name string, got ${kindOf(path)}`, { path: ['path'] });
  }
  if (/\.(arrow|arrows|feather|ipc)$/i.test(path)) return 'arrow';
  if (/\.gz$/i.test(path)) return 'csv.gz';
  if (/\.csv$/i.test(path)) return 'csv';
  throw new RiskscoreError('invalid_argument', `eventFileFormat: cannot tell the format of ${JSON.stringify(path)} from its extension; name event files .csv, .csv.gz, .arrow, .arrows, .feather or .ipc`, {
    path: ['path'], details: { file: path, expected: ['.csv', '.csv.gz', '.arrow', '.arrows', '.feather', '.ipc'] },
  });
}

/** The size of an input file, or an `invalid_argument` naming it when it cannot be read. */
export function inputFileSize(fn: string, file: string, at: ReadonlyArray<string | number>): number {
  let st;
  try {
    st = statSync(file);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new RiskscoreError('invalid_argument', `${fn}: cannot read the event file ${file}${code === 'ENOENT' ? ': it does not exist' : `: ${(cause as Error).message}`}; check the path`, {
      path: at, details: { file, errno: code }, cause,
    });
  }
  if (!st.isFile()) {
    throw new RiskscoreError('invalid_argument', `${fn}: the event file ${file} is not a regular file`, { path: at, details: { file } });
  }
  return st.size;
}

/** Column kinds of the spec: which columns parse as numbers. */
function numericColumns(spec: FeatureSpec): Set<string> {
  const s = new Set<string>();
  for (const f of spec.event.fields) if (f.type === 'number') s.add(f.name);
  if (spec.event.timestamp.format !== 'datetime') s.add(spec.event.timestamp.field);
  if (spec.event.label) s.add(spec.event.label.field);
  return s;
}

/**
 * Reads a time-ordered event file (CSV, gzipped CSV or Arrow IPC) row by row into one
 * reused row object, typed by the spec: number fields, epoch timestamps and the label as
 * numbers (empty → undefined), everything else as strings. Returns the number of rows.
 *
 * @example
 * await readEventFile('tx.csv.gz', spec, (row) => pass.process(row, out));
 */
export async function readEventFile(
  path: string, spec: FeatureSpec, onRow: RowSink, onProgress?: ProgressSink, options: ReadEventFileOptions = {},
): Promise<number> {
  const fn = 'readEventFile';
  if (typeof path !== 'string' || path === '') {
    throw new RiskscoreError('invalid_argument', `${fn}: path must be a file path string, got ${kindOf(path)}`, { path: ['path'] });
  }
  const fields = (spec as { event?: { fields?: unknown; timestamp?: unknown } } | null)?.event;
  if (typeof spec !== 'object' || spec === null || typeof fields !== 'object' || fields === null || !Array.isArray(fields.fields) || typeof fields.timestamp !== 'object') {
    throw new RiskscoreError('invalid_argument', `${fn}: spec must be a compiled feature spec (compileFeatureSpec(json).spec), got ${kindOf(spec)}`, { path: ['spec'] });
  }
  if (typeof onRow !== 'function') {
    throw new RiskscoreError('invalid_argument', `${fn}: onRow must be a function called with each row, got ${kindOf(onRow)}`, { path: ['onRow'] });
  }
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new RiskscoreError('invalid_argument', `${fn}: onProgress must be a function or undefined, got ${kindOf(onProgress)}`, { path: ['onProgress'] });
  }
  if (typeof options !== 'object' || options === null) {
    throw new RiskscoreError('invalid_argument', `${fn}: options must be an object { columns? }, got ${kindOf(options)}`, { path: ['options'] });
  }
  if (options.columns !== undefined && !(options.columns instanceof Set)) {
    throw new RiskscoreError('invalid_argument', `${fn}: options.columns must be a Set of column names`, { path: ['options', 'columns'] });
  }
  const fmt = eventFileFormat(path);
  inputFileSize(fn, path, ['path']);
  return fmt === 'arrow' ? readArrow(path, spec, onRow, onProgress) : readCsv(path, fmt === 'csv.gz', spec, onRow, onProgress, options.columns);
}

/** Options of {@link readEventFile}. */
export interface ReadEventFileOptions {
  /**
   * CSV columns to read (default: all). The others are left undefined in the row, which
   * saves a string per cell the caller never looks at.
   */
  columns?: ReadonlySet<string>;
}

async function readCsv(path: string, gz: boolean, spec: FeatureSpec, onRow: RowSink, onProgress?: ProgressSink, columns?: ReadonlySet<string>): Promise<number> {
  const total = statSync(path).size;
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  let bytesRead = 0;
  raw.on('data', (c) => { bytesRead += c.length; });
  const input = gz ? raw.pipe(createGunzip({ chunkSize: 1 << 20 })) : raw;
  const numeric = numericColumns(spec);
  let header: string[] | null = null;
  let isNum: boolean[] = [];
  /** Indices of the columns read. */
  let wanted = new Int32Array(0);
  let row: Record<string, unknown> = {};
  let rest: Buffer = Buffer.alloc(0);
  let rows = 0;
  let lineNo = 0;
  // Cell boundaries of the current line (one more slot, so a line with too many cells is counted, not overrun).
  let starts = new Int32Array(0);
  let ends = new Int32Array(0);

  const handleLine = (buf: Buffer, s: number, e: number): void | Promise<void> => {
    if (e > s && buf[e - 1] === 13) e--; // CRLF
    lineNo++;
    if (e === s) return;
    // One pass over the bytes: cell boundaries, a quote (slow path), non-ASCII bytes.
    let quoted = false;
    let ascii = true;
    let cells = 0;
    let a = s;
    const cap = starts.length;
    for (let i = s; i < e; i++) {
      const c = buf[i];
      if (c === 44) {
        if (cells < cap) { starts[cells] = a; ends[cells] = i; }
        cells++;
        a = i + 1;
      } else if (c === 34) { quoted = true; break; } else if (c > 127) ascii = false;
    }
    if (cells < cap) { starts[cells] = a; ends[cells] = e; }
    cells++;
    if (header === null) {
      header = quoted ? splitQuoted(buf.toString('utf8', s, e)) : buf.toString('utf8', s, e).split(',');
      isNum = header.map((h) => numeric.has(h));
      wanted = Int32Array.from(header.map((h, k) => (columns === undefined || columns.has(h) ? k : -1)).filter((k) => k >= 0));
      row = Object.fromEntries(header.map((h) => [h, undefined]));
      starts = new Int32Array(header.length + 1);
      ends = new Int32Array(header.length + 1);
      return;
    }
    const h = header;
    if (quoted) {
      const parts = splitQuoted(buf.toString('utf8', s, e));
      if (parts.length !== h.length) throw badLine(path, lineNo, h.length, parts.length);
      for (let j = 0; j < wanted.length; j++) {
        const k = wanted[j];
        row[h[k]] = isNum[k] ? (parts[k] === '' ? undefined : Number(parts[k])) : parts[k];
      }
    } else {
      if (cells !== h.length) throw badLine(path, lineNo, h.length, cells);
      // ASCII bytes decode the same as latin1 and utf8; latin1 is the cheaper decoder.
      const enc = ascii ? 'latin1' : 'utf8';
      for (let j = 0; j < wanted.length; j++) {
        const k = wanted[j];
        row[h[k]] = isNum[k] ? decimalAt(buf, starts[k], ends[k]) : buf.toString(enc, starts[k], ends[k]);
      }
    }
    rows++;
    return onRow(row);
  };

  for await (const chunk of input as AsyncIterable<Buffer>) {
    const buf = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
    let s = 0;
    for (let i = buf.indexOf(10, s); i >= 0; i = buf.indexOf(10, s)) {
      const p = handleLine(buf, s, i);
      if (p) await p;
      s = i + 1;
    }
    rest = buf.subarray(s);
    onProgress?.(bytesRead, total);
  }
  if (rest.length > 0) {
    const p = handleLine(rest, 0, rest.length);
    if (p) await p;
  }
  onProgress?.(total, total);
  return rows;
}

function badLine(path: string, line: number, want: number, got: number): FeatureError {
  return new FeatureError('invalid_event', `${path}:${line}: expected ${want} comma-separated fields as in the header, got ${got}`, ['line', line]);
}

/** Splits one CSV line with RFC 4180 quoting (`"a ""b"""` → `a "b"`). */
function splitQuoted(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q) {
      if (c === '"') {
        if (line[i + 1] === '"') { cur += '"'; i++; } else q = false;
      } else cur += c;
    } else if (c === '"') q = true;
    else if (c === ',') { out.push(cur); cur = ''; }
    else cur += c;
  }
  out.push(cur);
  return out;
}

async function readArrow(path: string, spec: FeatureSpec, onRow: RowSink, onProgress?: ProgressSink): Promise<number> {
  // The whole file is read at once: the IPC file format keeps its footer at the end, and
  // the synchronous reader handles both the file and the stream formats from bytes.
  const bytes = readFileSync(path);
  const total = bytes.length;
  let reader;
  try {
    reader = RecordBatchReader.from(bytes);
  } catch (cause) {
    throw new RiskscoreError('invalid_argument', `readEventFile: ${path} is not an Arrow IPC file or stream: ${(cause as Error)?.message ?? String(cause)}`, { path: ['path'], details: { file: path }, cause });
  }
  let done = 0;
  const numeric = numericColumns(spec);
  let rows = 0;
  let row: Record<string, unknown> | null = null;
  for (const batch of reader) {
    const names = batch.schema.fields.map((f) => f.name);
    if (row === null) row = Object.fromEntries(names.map((n) => [n, undefined]));
    const vecs = names.map((n) => batch.getChild(n)!);
    for (let i = 0; i < batch.numRows; i++) {
      for (let k = 0; k < names.length; k++) {
        let v: unknown = vecs[k].get(i);
        if (typeof v === 'bigint') v = Number(v);
        else if (v instanceof Date) v = v.getTime();
        else if (v === null) v = undefined;
        else if (numeric.has(names[k]) && typeof v === 'string') v = v === '' ? undefined : Number(v);
        row[names[k]] = v;
      }
      rows++;
      const p = onRow(row);
      if (p) await p;
    }
    // File readers know their batch count (footer); stream readers report only at the end.
    done++;
    const nb = (reader as { numRecordBatches?: number }).numRecordBatches;
    if (nb) onProgress?.(Math.round((total * done) / nb), total);
  }
  onProgress?.(total, total);
  return rows;
}
