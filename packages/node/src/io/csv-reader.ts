/**
 * A streaming, dependency-free CSV reader (RFC 4180, https://www.rfc-editor.org/rfc/rfc4180).
 *
 * What is accepted:
 * - Fields are separated by `,` (option `delimiter`: any one UTF-16 character except `"`,
 *   CR and LF). Records end at CRLF, at LF, or at a lone CR (old Mac files), as Python's
 *   `csv` module reads them; each of the three counts as one physical line end in line
 *   numbers. The last record may end with or without a line end.
 * - A field that starts with `"` is quoted: it runs to the next lone `"`, `""` inside it
 *   is one `"`, and it may hold delimiters, CR and LF (a quoted line end is data, kept as
 *   written, and still counts as a physical line). A quoted field must end at a delimiter
 *   or a line end.
 * - A blank line (nothing between two line ends) is no record, anywhere in the file, as
 *   with Python's `csv.reader`; a one-column row holding `''` must be written `""` (which
 *   Python's writer does for that reason).
 * - The first record is the header (names must be non-empty and unique, else the whole
 *   file is refused with `invalid_argument` at `['header', index]`); with `header: false`
 *   the caller names the columns. Values are strings exactly as written: no trimming, an
 *   empty field is `''`, typing is the caller's business.
 * - {@link readCsvRecords} decodes UTF-8 (also across chunk boundaries), strips one
 *   leading BOM, and replaces invalid bytes with U+FFFD (the WHATWG decoder's default).
 *
 * What is refused, per record, without stopping the stream (an `{ error }` item with code
 * `invalid_event` and `path: ['line', n]` or `['line', n, 'column', name]`, `n` being the
 * physical line where the record starts): a field count other than the header's; a `"`
 * inside an unquoted field; text between a closing quote and the next delimiter; a quoted
 * field still open at the end of the input; a field longer than `maxFieldBytes`. After a
 * misplaced quote the reader resumes at the next physical line; after an over-long or
 * surplus field it keeps following the quoting (so quoted line ends do not start false
 * records) but stores nothing more of that record. Memory therefore stays bounded by
 * about one chunk plus `maxFieldBytes` per column of the header, whatever the input.
 *
 * The scanner walks UTF-16 code units with `charCodeAt` and cuts values with `slice`;
 * a value is only concatenated where it spans chunks or holds a `""`.
 */
import { RiskscoreError } from '@riskscore/core';
import { assertTextSource, decodeUtf8Text, utf8LongerThan, type TextSource } from './utf8-text';

export type { TextSource } from './utf8-text';

/** 1 MiB: the default {@link CsvReadOptions.maxFieldBytes}. */
export const DEFAULT_MAX_FIELD_BYTES = 1 << 20;
/** The default {@link CsvReadOptions.maxColumns}. */
export const DEFAULT_MAX_COLUMNS = 10_000;

/** Options of {@link createCsvParser}, {@link readCsvRecords} and {@link parseCsv}. */
export interface CsvReadOptions {
  /** The field separator, one character; `,` by default (`;` and `\t` are common too). */
  readonly delimiter?: string;
  /** Whether the first record names the columns (default `true`). */
  readonly header?: boolean;
  /** The column names when `header` is `false` (required then, refused otherwise). */
  readonly columns?: ReadonlyArray<string>;
  /**
   * The longest value accepted, in UTF-8 bytes of the value (a quoted field's `""` counts
   * once); 1 MiB by default. A longer data field is an error item; in the header it throws.
   */
  readonly maxFieldBytes?: number;
  /** The most header fields accepted (default 10,000); more throws `invalid_argument`. */
  readonly maxColumns?: number;
  /** The name error messages start with, e.g. the file name (default `CSV`). */
  readonly name?: string;
  /**
   * Called once with the header's names as soon as the header is read (only with
   * `header: true`); what it throws propagates out of `push` (or the iterator), so a
   * caller can refuse a file that lacks a column before reading any row.
   */
  readonly onHeader?: (columns: ReadonlyArray<string>) => void;
}

/** A well-formed data record. */
export interface CsvRecord {
  /** The 1-based physical line where the record starts. */
  readonly line: number;
  /** The 1-based index of the data record (the header not counted, error records counted). */
  readonly record: number;
  /** The values by column name. */
  readonly values: Record<string, string>;
  readonly error?: undefined;
}

/** A record the reader refused; the reader goes on with the next one. */
export interface CsvRecordError {
  /** The 1-based physical line where the record starts. */
  readonly line: number;
  /** The 1-based index of the data record. */
  readonly record: number;
  /** Code `invalid_event`, path `['line', line]` or `['line', line, 'column', name]`. */
  readonly error: RiskscoreError;
  readonly values?: undefined;
}

/** What the CSV readers yield, one per data record: test `item.error` to tell them apart. */
export type CsvItem = CsvRecord | CsvRecordError;

/** An incremental CSV parser: feed it text chunks, take the records they complete. */
export interface CsvParser {
  /**
   * Parses one more piece of text (any split: inside a field, a quote pair or a CRLF) and
   * returns the items of the records it completed. Throws `invalid_argument` for a bad
   * header and after {@link CsvParser.end}.
   */
  push(chunk: string): CsvItem[];
  /** Ends the input and returns the items of the last record, if it was still open. */
  end(): CsvItem[];
  /** The column names: read from the header (null until then) or given as `columns`. */
  readonly header: ReadonlyArray<string> | null;
}


// Scanner states.
/** Between records: nothing of the next one read. */
const REC_START = 0;
/** After a delimiter: a field begins. */
const FIELD_START = 1;
/** Inside an unquoted field. */
const UNQUOTED = 2;
/** Inside a quoted field. */
const QUOTED = 3;
/** Just after a `"` inside a quoted field: an escaped quote or the field's end. */
const QUOTE_IN_QUOTED = 4;
/** Just after a CR that ended a line: an LF here belongs to it. */
const AFTER_CR = 5;
/** After a misplaced quote: skipping to the end of the physical line. */
const SKIP_LINE = 6;

const LF = 10;
const CR = 13;
const QUOTE = 34;

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

function positiveInteger(fn: string, v: unknown, key: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
    throw new RiskscoreError('invalid_argument', `${fn}: options.${key} must be an integer ≥ 1, got ${String(v)}`, {
      path: ['options', key], details: { actual: v },
    });
  }
  return v;
}


interface Resolved {
  readonly delimiter: number;
  readonly delimiterText: string;
  readonly columns: string[] | null;
  readonly maxFieldBytes: number;
  readonly maxColumns: number;
  readonly name: string;
  readonly onHeader: ((columns: ReadonlyArray<string>) => void) | undefined;
}

function resolveOptions(fn: string, options: CsvReadOptions | undefined): Resolved {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null) {
    throw new RiskscoreError('invalid_argument', `${fn}: options must be an object { delimiter?, header?, columns?, maxFieldBytes?, maxColumns?, name?, onHeader? }, got ${kindOf(options)}`, { path: ['options'] });
  }
  const d = options.delimiter ?? ',';
  if (typeof d !== 'string' || d.length !== 1 || d === '"' || d === '\r' || d === '\n') {
    throw new RiskscoreError('invalid_argument', `${fn}: options.delimiter must be one character other than '"', CR and LF, got ${JSON.stringify(d)}`, {
      path: ['options', 'delimiter'], details: { actual: d },
    });
  }
  const header = options.header ?? true;
  if (typeof header !== 'boolean') {
    throw new RiskscoreError('invalid_argument', `${fn}: options.header must be a boolean, got ${kindOf(header)}`, { path: ['options', 'header'] });
  }
  const maxFieldBytes = positiveInteger(fn, options.maxFieldBytes, 'maxFieldBytes', DEFAULT_MAX_FIELD_BYTES);
  const maxColumns = positiveInteger(fn, options.maxColumns, 'maxColumns', DEFAULT_MAX_COLUMNS);
  const name = options.name ?? 'CSV';
  if (typeof name !== 'string') {
    throw new RiskscoreError('invalid_argument', `${fn}: options.name must be a string, got ${kindOf(name)}`, { path: ['options', 'name'] });
  }
  if (options.onHeader !== undefined && typeof options.onHeader !== 'function') {
    throw new RiskscoreError('invalid_argument', `${fn}: options.onHeader must be a function or undefined, got ${kindOf(options.onHeader)}`, { path: ['options', 'onHeader'] });
  }
  let columns: string[] | null = null;
  if (header) {
    if (options.columns !== undefined) {
      throw new RiskscoreError('invalid_argument', `${fn}: options.columns is only for header: false; with a header row the file names its columns`, { path: ['options', 'columns'] });
    }
  } else {
    const cols = options.columns;
    if (!Array.isArray(cols) || cols.length === 0) {
      throw new RiskscoreError('invalid_argument', `${fn}: with header: false, options.columns must be a non-empty array of column names, got ${kindOf(cols)}`, { path: ['options', 'columns'] });
    }
    if (cols.length > maxColumns) {
      throw new RiskscoreError('invalid_argument', `${fn}: options.columns has ${cols.length} names, more than maxColumns (${maxColumns})`, {
        path: ['options', 'columns'], details: { actual: cols.length, maxColumns },
      });
    }
    const seen = new Map<string, number>();
    cols.forEach((c, k) => {
      if (typeof c !== 'string' || c === '') {
        throw new RiskscoreError('invalid_argument', `${fn}: options.columns[${k}] must be a non-empty string, got ${JSON.stringify(c)}`, { path: ['options', 'columns', k] });
      }
      const first = seen.get(c);
      if (first !== undefined) {
        throw new RiskscoreError('invalid_argument', `${fn}: options.columns[${k}] ${JSON.stringify(c)} repeats options.columns[${first}]; column names must be unique`, {
          path: ['options', 'columns', k], details: { name: c, first },
        });
      }
      seen.set(c, k);
    });
    columns = cols.slice();
  }
  return { delimiter: d.charCodeAt(0), delimiterText: d, columns, maxFieldBytes, maxColumns, name, onHeader: options.onHeader };
}

/**
 * Makes an incremental RFC 4180 parser (see the file header for what it accepts). Chunks
 * may split the text anywhere; every record is reported once, in order, as values or as
 * an error, and the parser carries on after a bad record. Bad options and a bad header
 * throw `invalid_argument`.
 *
 * @example
 * const p = createCsvParser();
 * p.push('id,amount\r\n1,"12');
 * p.push('.5"\n2,x"y\n3,7');
 * // → [{ line: 2, record: 1, values: { id: '1', amount: '12.5' } },
 * //    { line: 3, record: 2, error: RiskscoreError(invalid_event, path ['line', 3, 'column', 'amount']) }]
 * p.end(); // → [{ line: 4, record: 3, values: { id: '3', amount: '7' } }]
 */
export function createCsvParser(options?: CsvReadOptions): CsvParser {
  const opt = resolveOptions('createCsvParser', options);
  const D = opt.delimiter;
  const maxBytes = opt.maxFieldBytes;
  const maxColumns = opt.maxColumns;
  const name = opt.name;

  let header: string[] | null = opt.columns;
  let H = header === null ? 0 : header.length;
  /** Index of a `__proto__` column (assigned by defineProperty, not as the prototype), or -1. */
  let protoAt = header === null ? -1 : header.indexOf('__proto__');

  let state = REC_START;
  /** The physical line of the scan position. */
  let line = 1;
  /** The line where the current record starts. */
  let recLine = 1;
  /** Data records begun so far (the current one's index while it is open). */
  let record = 0;
  /** Values of the current record. */
  const fields: string[] = [];
  /** Fields ended in the current record (stored or not). */
  let nf = 0;
  /** The current field's text from earlier chunks (or before a `""`). */
  let partial = '';
  /** The current record's error was reported: store nothing more of it. */
  let bad = false;
  /** The current record has more fields than the header: count them, store nothing. */
  let over = false;
  /** Inside a quoted field, the last unit read was a CR (so an LF next is the same line end). */
  let quotedCR = false;
  let ended = false;
  let out: CsvItem[] = [];

  const inHeader = (): boolean => header === null;

  function columnText(k: number): string {
    return header !== null && k < H ? `column ${JSON.stringify(header[k])} (field ${k + 1})` : `field ${k + 1}`;
  }

  /**
   * Reports a problem at field `k` of the current record: thrown for the header, an error
   * item for a data record (then the rest of the record is not stored).
   */
  function fail(k: number | null, what: string, details: Record<string, unknown>): void {
    // Where in a multi-line record the problem is; a field count concerns the whole record.
    const at = k !== null && line !== recLine ? ` (at line ${line})` : '';
    if (inHeader()) {
      throw new RiskscoreError('invalid_argument', `${name} header, ${k === null ? 'line ' + recLine : `field ${k + 1}`}${at}: ${what}`, {
        path: k === null ? ['header'] : ['header', k], details: { line: recLine, atLine: line, ...details },
      });
    }
    const col = k !== null && k < H ? header![k] : undefined;
    const path = col === undefined ? ['line', recLine] : ['line', recLine, 'column', col];
    const where = k === null ? '' : `${columnText(k)}: `;
    out.push({
      line: recLine,
      record,
      error: new RiskscoreError('invalid_event', `${name} line ${recLine}${at}: ${where}${what}`, {
        path,
        details: { line: recLine, record, atLine: line, ...(k === null ? {} : { column: col ?? null, columnIndex: k }), ...details },
      }),
    });
    bad = true;
    partial = '';
  }

  function tooLong(k: number): void {
    fail(k, `the value is longer than maxFieldBytes (${maxBytes} bytes); raise maxFieldBytes, or check the quoting (an unclosed quote runs on to the next quote)`, {
      maxFieldBytes: maxBytes,
    });
  }

  /** Ends field `nf` of the current record, whose text is `partial + s.slice(a, b)`. */
  function endField(s: string, a: number, b: number): void {
    const k = nf++;
    if (bad || over) return;
    if (header !== null && k >= H) {
      // A surplus field: the count error is reported when the record ends, with the count.
      over = true;
      partial = '';
      return;
    }
    const v = partial === '' ? s.slice(a, b) : partial + s.slice(a, b);
    partial = '';
    if (utf8LongerThan(v, maxBytes)) {
      tooLong(k);
      return;
    }
    if (header === null && k >= maxColumns) {
      fail(k, `the header has more than maxColumns (${maxColumns}) fields; raise maxColumns or check the delimiter (${JSON.stringify(opt.delimiterText)})`, { maxColumns });
    }
    fields.push(v);
  }

  function endRecord(): void {
    if (header === null) {
      const names = fields.slice();
      fields.length = 0;
      const seen = new Map<string, number>();
      for (let k = 0; k < names.length; k++) {
        const h = names[k];
        if (h === '') {
          throw new RiskscoreError('invalid_argument', `${name} header, field ${k + 1}: the column name is empty; every column needs a name`, {
            path: ['header', k], details: { line: recLine },
          });
        }
        const first = seen.get(h);
        if (first !== undefined) {
          throw new RiskscoreError('invalid_argument', `${name} header, field ${k + 1}: the column name ${JSON.stringify(h)} repeats field ${first + 1}; column names must be unique`, {
            path: ['header', k], details: { line: recLine, name: h, first },
          });
        }
        seen.set(h, k);
      }
      header = names;
      H = names.length;
      protoAt = names.indexOf('__proto__');
      opt.onHeader?.(names);
      return;
    }
    if (bad) return;
    if (over || nf !== H) {
      fail(null, `expected ${H} fields as in the header, got ${nf}; quote a value that holds ${JSON.stringify(opt.delimiterText)} or a line end, and look for a missing or extra delimiter`, {
        expected: H, actual: nf,
      });
      fields.length = 0;
      return;
    }
    const values: Record<string, string> = {};
    const h = header;
    for (let k = 0; k < H; k++) {
      if (k === protoAt) Object.defineProperty(values, '__proto__', { value: fields[k], enumerable: true, writable: true, configurable: true });
      else values[h[k]] = fields[k];
    }
    fields.length = 0;
    out.push({ line: recLine, record, values });
  }

  function beginRecord(): void {
    recLine = line;
    nf = 0;
    bad = false;
    over = false;
    partial = '';
    fields.length = 0;
    if (header !== null) record++;
  }

  function scan(s: string): void {
    const n = s.length;
    let i = 0;
    /** Start, in `s`, of the current field's text not yet in `partial`. */
    let fs = 0;
    let st = state;
    while (i < n) {
      let c = s.charCodeAt(i);
      switch (st) {
        case AFTER_CR:
          st = REC_START;
          if (c === LF) i++;
          break;
        case REC_START:
          if (c === LF) {
            line++;
            i++;
          } else if (c === CR) {
            line++;
            i++;
            st = AFTER_CR;
          } else {
            beginRecord();
            st = FIELD_START;
          }
          break;
        case FIELD_START:
          if (c === QUOTE) {
            st = QUOTED;
            quotedCR = false;
            fs = ++i;
          } else {
            st = UNQUOTED;
            fs = i;
          }
          break;
        case UNQUOTED: {
          let j = i;
          for (; j < n; j++) {
            c = s.charCodeAt(j);
            if (c === D || c === LF || c === CR || c === QUOTE) break;
          }
          if (j === n) {
            i = n;
            break;
          }
          i = j + 1;
          if (c === QUOTE) {
            if (!bad) {
              fail(nf, `a '"' inside an unquoted value; quote the whole value and double the quotes in it ("a ""b"" c")`, {});
            }
            st = SKIP_LINE;
          } else if (c === D) {
            endField(s, fs, j);
            st = FIELD_START;
          } else {
            endField(s, fs, j);
            endRecord();
            line++;
            st = c === CR ? AFTER_CR : REC_START;
          }
          break;
        }
        case QUOTED: {
          let j = i;
          let cr = quotedCR;
          for (; j < n; j++) {
            c = s.charCodeAt(j);
            if (c === QUOTE) break;
            if (c === CR) {
              line++;
              cr = true;
            } else {
              if (c === LF && !cr) line++;
              cr = false;
            }
          }
          quotedCR = cr;
          if (j === n) {
            i = n;
            break;
          }
          // The text so far is the value's; the quote itself is not (yet).
          if (!bad && !over) partial = partial === '' ? s.slice(fs, j) : partial + s.slice(fs, j);
          i = j + 1;
          fs = i;
          st = QUOTE_IN_QUOTED;
          break;
        }
        case QUOTE_IN_QUOTED:
          if (c === QUOTE) {
            // `""`: this second quote is the first unit of the value's next piece.
            fs = i++;
            st = QUOTED;
            quotedCR = false;
          } else if (c === D) {
            endField(s, i, i);
            i++;
            st = FIELD_START;
          } else if (c === LF || c === CR) {
            endField(s, i, i);
            endRecord();
            line++;
            i++;
            st = c === CR ? AFTER_CR : REC_START;
          } else {
            if (!bad) {
              fail(nf, `text after the closing quote; a quoted value must end at ${JSON.stringify(opt.delimiterText)} or a line end (write a quote inside it as "")`, {});
            }
            st = SKIP_LINE;
          }
          break;
        case SKIP_LINE: {
          let j = i;
          for (; j < n; j++) {
            c = s.charCodeAt(j);
            if (c === LF || c === CR) break;
          }
          if (j === n) {
            i = n;
            break;
          }
          i = j + 1;
          endRecord();
          line++;
          st = c === CR ? AFTER_CR : REC_START;
          break;
        }
      }
    }
    state = st;
    // Keep the open field's text for the next chunk, within the limit.
    if ((st === UNQUOTED || st === QUOTED) && !bad && !over) {
      if (header !== null && nf >= H) {
        // A surplus field (the count error comes at the record's end): keep none of it.
        over = true;
        partial = '';
        return;
      }
      if (fs < n) partial = partial === '' ? s.slice(fs, n) : partial + s.slice(fs, n);
      if (utf8LongerThan(partial, maxBytes)) tooLong(nf);
    }
  }

  function assertOpen(what: string): void {
    if (ended) {
      throw new RiskscoreError('invalid_argument', `createCsvParser: ${what} after end(); make a new parser for new input`, { path: [] });
    }
  }

  return {
    push(chunk: string): CsvItem[] {
      assertOpen('push');
      if (typeof chunk !== 'string') {
        throw new RiskscoreError('invalid_argument', `createCsvParser: push takes a string chunk, got ${kindOf(chunk)}; readCsvRecords decodes bytes`, { path: ['chunk'] });
      }
      out = [];
      scan(chunk);
      return out;
    },
    end(): CsvItem[] {
      assertOpen('end');
      ended = true;
      out = [];
      switch (state) {
        case QUOTED:
          if (!bad) fail(nf, `the quoted value is not closed before the end of the input; add the closing '"'`, {});
          endRecord();
          break;
        case FIELD_START:
        case UNQUOTED:
        case QUOTE_IN_QUOTED:
          endField('', 0, 0);
          endRecord();
          break;
        case SKIP_LINE:
          endRecord();
          break;
        default:
          break;
      }
      state = REC_START;
      return out;
    },
    get header(): ReadonlyArray<string> | null {
      return header;
    },
  };
}



/**
 * Reads CSV records from a stream of UTF-8 bytes or text chunks (see the file header for
 * the accepted dialect), one item per data record, in order, with back-pressure: the next
 * chunk is read only when the items of the last are taken. A bad record is an
 * `{ line, record, error }` item and reading goes on; bad options throw at the call, a
 * bad header (`invalid_argument`) or a bad chunk from the iterator.
 *
 * @example
 * for await (const item of readCsvRecords(fs.createReadStream('events.csv'))) {
 *   if (item.error) console.error(item.error.message); // "CSV line 7: expected 5 fields as in the header, got 6; …"
 *   else score(item.values); // { id: '1', amount: '12.5', … }
 * }
 */
export function readCsvRecords(source: TextSource, options?: CsvReadOptions): AsyncGenerator<CsvItem, void, undefined> {
  const fn = 'readCsvRecords';
  assertTextSource(fn, source);
  const parser = createCsvParser(options);
  return (async function* records(): AsyncGenerator<CsvItem, void, undefined> {
    for await (const text of decodeUtf8Text(source, fn)) yield* parser.push(text);
    yield* parser.end();
  })();
}

/**
 * Parses a whole CSV text at once (a leading BOM dropped): the header and one item per
 * data record, as {@link readCsvRecords} would yield them.
 *
 * @example
 * parseCsv('a,b\n1,"x,y"\n');
 * // { header: ['a', 'b'], items: [{ line: 2, record: 1, values: { a: '1', b: 'x,y' } }] }
 */
export function parseCsv(text: string, options?: CsvReadOptions): { header: ReadonlyArray<string> | null; items: CsvItem[] } {
  if (typeof text !== 'string') {
    throw new RiskscoreError('invalid_argument', `parseCsv: text must be a string, got ${kindOf(text)}`, { path: ['text'] });
  }
  const parser = createCsvParser(options);
  const items = parser.push(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  for (const it of parser.end()) items.push(it);
  return { header: parser.header, items };
}
