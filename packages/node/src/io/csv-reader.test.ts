// The CSV reader against an independent reference: Python's `csv` module (strict mode,
// run here through /usr/bin/python3) reads the same bytes, and its rows and start lines
// (`reader.line_num` before each row, + 1) are the goldens. Python's reader agrees with
// the dialect documented in csv-reader.ts on the valid inputs used here: CRLF, LF and a
// lone CR end a record, a blank line is no record, a BOM is dropped (decoded as
// utf-8-sig). A fast-check property writes random tables with an RFC 4180 writer and
// reads them back through random chunkings of the bytes and of the text.
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rejection, thrown } from '../../../../testing/refusals';
import { createCsvParser, parseCsv, readCsvRecords, type CsvItem, type CsvReadOptions } from './csv-reader';

const PY = '/usr/bin/python3';
const enc = new TextEncoder();

/** Python's csv rows of each file, as `[startLine, fields]`, blank rows dropped. One process for all files. */
function pythonCsv(files: Uint8Array[], delimiter = ','): Array<Array<[number, string[]]>> {
  const script = `
import base64, csv, io, json, sys
out = []
for b64 in json.load(sys.stdin):
    text = base64.b64decode(b64).decode('utf-8-sig')
    r = csv.reader(io.StringIO(text, newline=''), delimiter=sys.argv[1], strict=True)
    rows = []
    while True:
        before = r.line_num
        try:
            row = next(r)
        except StopIteration:
            break
        if row:
            rows.append([before + 1, row])
    out.append(rows)
json.dump(out, sys.stdout)
`;
  const input = JSON.stringify(files.map((f) => Buffer.from(f).toString('base64')));
  const res = spawnSync(PY, ['-c', script, delimiter], { input, maxBuffer: 1 << 28 });
  if (res.status !== 0) throw new Error(`python3 failed: ${res.stderr.toString()}`);
  return JSON.parse(res.stdout.toString());
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** The records in Python's shape, `[line, fields in header order]`; an error item fails the test. */
function asRows(items: CsvItem[], header: ReadonlyArray<string>): Array<[number, string[]]> {
  return items.map((it) => {
    if (it.error) throw it.error;
    return [it.line, header.map((h) => it.values[h])];
  });
}

/** Cuts bytes (or a string) at the given positions. */
function cut<T extends Uint8Array | string>(whole: T, cuts: number[]): T[] {
  const at = [...new Set(cuts.map((c) => Math.min(c, whole.length)))].sort((a, b) => a - b);
  const out: T[] = [];
  let a = 0;
  for (const c of at) {
    out.push(whole.slice(a, c) as T);
    a = c;
  }
  out.push(whole.slice(a) as T);
  return out;
}

async function readBytes(chunks: Array<Uint8Array | string>, options?: CsvReadOptions): Promise<{ header: string[]; items: CsvItem[] }> {
  let header: string[] = [];
  const items = await collect(readCsvRecords(chunks, { ...options, onHeader: (h) => { header = [...h]; } }));
  return { header, items };
}

// A BOM; CRLF, LF and a lone CR as record ends; quoted delimiters, quotes, CRLF, LF and a
// lone CR inside values; empty unquoted and quoted fields; a blank line; astral-plane and
// combining characters; spaces kept as written.
const FIXTURE_BODY =
  '\uFEFFid,name,note,amount,empty\r\n' +
  '1,"Smith, John","said ""hi""",12.50,\r\n' +
  '2,Zoë,"multi\nline",-3,""\n' +
  '3,"𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀","crlf\r\ninside",,\r\n' +
  '\r\n' +
  '4,"",",",0,x\n' +
  '5,naïve café,"""",1e3,  spaced  \r' +
  '6,"lone\rcr",e\u0301,7,\n' +
  '\n' +
  '7,"a\r\n\r\n\nb","""x"",y",8,"\u4e2d\u6587"\r\n' +
  '8,"last ""one""",end,9,';

describe('readCsvRecords against Python csv', () => {
  const variants: Array<[string, string]> = [
    ['no trailing newline', FIXTURE_BODY],
    ['a trailing CRLF', FIXTURE_BODY + '\r\n'],
    ['a trailing LF and a blank last line', FIXTURE_BODY + '\n\n'],
  ];
  const bytes = variants.map(([, t]) => enc.encode(t));
  const goldens = pythonCsv(bytes);

  it('Python reads the fixture as intended (a sanity check of the golden)', () => {
    expect(goldens[0].length).toBe(9);
    expect(goldens[0][0]).toEqual([1, ['id', 'name', 'note', 'amount', 'empty']]);
    expect(goldens[0][3]).toEqual([5, ['3', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀', 'crlf\r\ninside', '', '']]);
    expect(goldens[0][8]).toEqual([17, ['8', 'last "one"', 'end', '9', '']]);
  });

  it.each(variants.map(([name], k) => [name, k] as const))('reads the fixture with %s exactly as Python does', async (_, k) => {
    const { header, items } = await readBytes([bytes[k]]);
    expect([[1, header], ...asRows(items, header)]).toEqual(goldens[k]);
    expect(items.map((i) => i.record)).toEqual(goldens[k].slice(1).map((_, r) => r + 1));
    expect(Object.keys(items[0].values!)).toEqual(header);
  });

  it('gives the same records for every split of the bytes in two (multi-byte characters and CRLFs split too)', async () => {
    const b = bytes[1];
    for (let k = 0; k <= b.length; k++) {
      const { header, items } = await readBytes([b.subarray(0, k), b.subarray(k)]);
      expect([[1, header], ...asRows(items, header)], `split at byte ${k}`).toEqual(goldens[1]);
    }
  });

  it('gives the same records for one-byte chunks, one-unit string chunks and mixed chunk kinds', async () => {
    const b = bytes[0];
    const one = Array.from(b, (x) => new Uint8Array([x]));
    let r = await readBytes(one);
    expect([[1, r.header], ...asRows(r.items, r.header)]).toEqual(goldens[0]);
    const text = variants[0][1];
    r = await readBytes(Array.from({ length: text.length }, (_, i) => text[i])); // splits surrogate pairs too
    expect([[1, r.header], ...asRows(r.items, r.header)]).toEqual(goldens[0]);
    // Bytes, then text, then bytes: each piece cut at a character boundary.
    const k1 = text.indexOf('Zo') + 2;
    const k2 = text.indexOf('😀') + 2;
    r = await readBytes([enc.encode(text.slice(0, k1)), text.slice(k1, k2), enc.encode(text.slice(k2))]);
    expect([[1, r.header], ...asRows(r.items, r.header)]).toEqual(goldens[0]);
  });

  it('agrees with Python on tables with ";" and tab delimiters', async () => {
    for (const d of [';', '\t']) {
      const rows = [
        ['h1', 'h2', 'h3', 'h4'],
        ['"a;b\tc"', '"x,y"', '"tab\there"', 'plain, with comma'],
        ['1', '', '"q"""', 'é'],
      ];
      const b = enc.encode(rows.map((r) => r.join(d)).join('\r\n') + '\n');
      const [golden] = pythonCsv([b], d);
      const { header, items } = await readBytes([b], { delimiter: d });
      expect([[1, header], ...asRows(items, header)]).toEqual(golden);
    }
  });
});

// --- an RFC 4180 writer for the round trip ---

interface Table {
  header: string[];
  rows: string[][];
  /** Record ends, used in turn; '\n\n' and '\r\n\n' add a blank line. */
  eols: string[];
  /** Whether to quote a field that needs no quotes, used in turn. */
  quoteAnyway: boolean[];
  trailing: boolean;
  bom: boolean;
}

function needsQuotes(v: string, d: string): boolean {
  return v.includes(d) || v.includes('"') || v.includes('\r') || v.includes('\n') || v.startsWith('\uFEFF');
}

/** Writes a table; returns the text and the offset where each record starts. */
function writeCsv(t: Table, d = ','): { text: string; starts: number[] } {
  let text = t.bom ? '\uFEFF' : '';
  const starts: number[] = [];
  let q = 0;
  const all = [t.header, ...t.rows];
  all.forEach((row, r) => {
    starts.push(text.length);
    text += row
      .map((v) => {
        // A one-field row holding '' is written "" so that it is not a blank line.
        const quote = needsQuotes(v, d) || (row.length === 1 && v === '') || t.quoteAnyway[q++ % t.quoteAnyway.length];
        return quote ? `"${v.replaceAll('"', '""')}"` : v;
      })
      .join(d);
    if (r < all.length - 1 || t.trailing) text += t.eols[r % t.eols.length];
  });
  return { text, starts };
}

/** Physical line of an offset: one plus the line ends (CRLF, CR, LF) before it. */
function lineAt(text: string, offset: number): number {
  return 1 + (text.slice(0, offset).match(/\r\n|\r|\n/g) ?? []).length;
}

const unit = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(',', '"', '""', '\r', '\n', '\r\n', ' ', 'a', 'Z', '0', 'é', '€', '😀', '𝔘', 'e\u0301', '\uFEFF', ';') },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);
const cell = fc.string({ unit, maxLength: 6 });
const tableArb: fc.Arbitrary<Table> = fc
  .uniqueArray(cell.filter((s) => s !== ''), { minLength: 1, maxLength: 5 })
  .chain((header) =>
    fc.record({
      header: fc.constant(header),
      rows: fc.array(fc.array(cell, { minLength: header.length, maxLength: header.length }), { maxLength: 8 }),
      eols: fc.array(fc.constantFrom('\n', '\r\n', '\r', '\n\n', '\r\n\n'), { minLength: 1, maxLength: 4 }),
      quoteAnyway: fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
      trailing: fc.boolean(),
      bom: fc.boolean(),
    }),
  );

function expected(t: Table, text: string, starts: number[]): Array<{ line: number; record: number; values: Record<string, string> }> {
  return t.rows.map((row, r) => ({
    line: lineAt(text, starts[r + 1]),
    record: r + 1,
    values: Object.fromEntries(t.header.map((h, k) => [h, row[k]])),
  }));
}

describe('round trip of random tables', () => {
  it('reads back what an RFC 4180 writer wrote, through random byte chunkings', async () => {
    await fc.assert(
      fc.asyncProperty(tableArb, fc.array(fc.nat(), { maxLength: 6 }), async (t, cuts) => {
        const { text, starts } = writeCsv(t);
        const bytes = enc.encode(text);
        const { header, items } = await readBytes(cut(bytes, cuts.map((c) => c % (bytes.length + 1))));
        expect(header).toEqual(t.header);
        expect(items).toEqual(expected(t, text, starts));
      }),
      { numRuns: 400 },
    );
  });

  it('reads back the same through random text chunkings pushed into createCsvParser (surrogate pairs split too)', () => {
    fc.assert(
      fc.property(tableArb, fc.array(fc.nat(), { maxLength: 6 }), (t, cuts) => {
        const { text, starts } = writeCsv({ ...t, bom: false });
        const p = createCsvParser();
        const items: CsvItem[] = [];
        for (const c of cut(text, cuts.map((x) => x % (text.length + 1)))) items.push(...p.push(c));
        items.push(...p.end());
        expect(p.header).toEqual(t.header);
        expect(items).toEqual(expected(t, text, starts));
      }),
      { numRuns: 400 },
    );
  });

  it('reads random tables exactly as Python csv does, start lines included', async () => {
    const tables = fc.sample(tableArb, { numRuns: 60, seed: 4180 });
    const written = tables.map((t) => writeCsv(t));
    const goldens = pythonCsv(written.map((w) => enc.encode(w.text)));
    for (let k = 0; k < tables.length; k++) {
      const { header, items } = await readBytes([enc.encode(written[k].text)]);
      expect([[1, header], ...asRows(items, header)], written[k].text).toEqual(goldens[k]);
    }
  });
});

describe('bad records', () => {
  it('reports a wrong field count at the record and reads on', async () => {
    const { items } = await readBytes(['a,b,c\n1,2,3\n4,5\n6,7,8,9\n"x\ny",2,3,"4\n"\n10,11,12']);
    expect(items.map((i) => [i.line, i.record, i.values ?? null])).toEqual([
      [2, 1, { a: '1', b: '2', c: '3' }],
      [3, 2, null],
      [4, 3, null],
      [5, 4, null],
      [8, 5, { a: '10', b: '11', c: '12' }],
    ]);
    const [e2, e3, e4] = [items[1].error!, items[2].error!, items[3].error!];
    expect(e2.code).toBe('invalid_event');
    expect(e2.path).toEqual(['line', 3]);
    expect(e2.details).toMatchObject({ expected: 3, actual: 2, line: 3, record: 2 });
    expect(e2.message).toBe('CSV line 3: expected 3 fields as in the header, got 2; quote a value that holds "," or a line end, and look for a missing or extra delimiter');
    expect(e3.path).toEqual(['line', 4]);
    expect(e3.details).toMatchObject({ expected: 3, actual: 4 });
    // A surplus quoted field with a line end in it is followed, not split into records.
    expect(e4.path).toEqual(['line', 5]);
    expect(e4.details).toMatchObject({ expected: 3, actual: 4 });
  });

  it('reports a quote inside an unquoted value at its column and resumes at the next line', async () => {
    const { items } = await readBytes(['a,b\n1,x"y,"z\n2,ok\n3,"fine"\n'], { name: 'events.csv' });
    expect(items.map((i) => [i.line, i.record, i.values ?? null])).toEqual([
      [2, 1, null],
      [3, 2, { a: '2', b: 'ok' }],
      [4, 3, { a: '3', b: 'fine' }],
    ]);
    const e = items[0].error!;
    expect(e.code).toBe('invalid_event');
    expect(e.path).toEqual(['line', 2, 'column', 'b']);
    expect(e.details).toMatchObject({ column: 'b', columnIndex: 1, line: 2, record: 1 });
    expect(e.message).toMatch(/^events\.csv line 2: column "b" \(field 2\): a '"' inside an unquoted value/);
  });

  it('reports text after a closing quote, naming the physical line inside a multi-line record', async () => {
    const { items } = await readBytes(['a,b\n"1"x,2\n3,"multi\nline"!,4\n5,6\r\n']);
    expect(items.map((i) => [i.line, i.record, i.values ?? null])).toEqual([
      [2, 1, null],
      [3, 2, null],
      [5, 3, { a: '5', b: '6' }],
    ]);
    expect(items[0].error!.path).toEqual(['line', 2, 'column', 'a']);
    expect(items[1].error!.path).toEqual(['line', 3, 'column', 'b']);
    expect(items[1].error!.message).toMatch(/^CSV line 3 \(at line 4\): column "b" \(field 2\): text after the closing quote/);
    expect(items[1].error!.details).toMatchObject({ line: 3, atLine: 4 });
  });

  it('reports a quoted value still open at the end of the input', async () => {
    const { items } = await readBytes(['a,b\n1,2\n3,"open\nmore,stuff\n']);
    expect(items.length).toBe(2);
    expect(items[0].values).toEqual({ a: '1', b: '2' });
    const e = items[1].error!;
    expect([items[1].line, items[1].record]).toEqual([3, 2]);
    expect(e.code).toBe('invalid_event');
    expect(e.path).toEqual(['line', 3, 'column', 'b']);
    expect(e.message).toMatch(/^CSV line 3 \(at line 5\): column "b" \(field 2\): the quoted value is not closed/);
  });

  it('reports a value over maxFieldBytes (counted in UTF-8 bytes) and reads on', async () => {
    const text = 'a,b\n1,12345678\n2,123456789\n3,"éééé"\n4,"ééééé"\n5,"x""y""z""w"\n6,"0123456789\n,still quoted"\n7,ok';
    for (const chunks of [[text], Array.from(text)]) {
      const { items } = await readBytes(chunks, { maxFieldBytes: 8 });
      expect(items.map((i) => [i.line, i.record, i.values?.b ?? i.error!.path])).toEqual([
        [2, 1, '12345678'],
        [3, 2, ['line', 3, 'column', 'b']],
        [4, 3, 'éééé'], // 8 bytes
        [5, 4, ['line', 5, 'column', 'b']], // 10 bytes
        [6, 5, 'x"y"z"w'], // 7 bytes once unescaped
        [7, 6, ['line', 7, 'column', 'b']],
        [9, 7, 'ok'], // the quoted line end of record 6 was followed
      ]);
      expect(items[1].error!.code).toBe('invalid_event');
      expect(items[1].error!.details).toMatchObject({ maxFieldBytes: 8, column: 'b' });
      expect(items[1].error!.message).toMatch(/^CSV line 3: column "b" \(field 2\): the value is longer than maxFieldBytes \(8 bytes\)/);
    }
  });

  it('reports an endless unquoted field while streaming, without waiting for its end', async () => {
    let pulled = 0;
    const chunk = 'x'.repeat(1000);
    async function* source(): AsyncGenerator<string> {
      yield 'a,b\n1,';
      for (; pulled < 2000; pulled++) yield chunk; // 2 MB without a line end
      yield '\n2,after\n';
    }
    const it = readCsvRecords(source(), { maxFieldBytes: 10_000 });
    const first = await it.next();
    expect(pulled).toBeLessThan(20);
    expect(first.value!.error!.path).toEqual(['line', 2, 'column', 'b']);
    const rest: CsvItem[] = [];
    for await (const x of it) rest.push(x);
    expect(rest).toEqual([{ line: 3, record: 2, values: { a: '2', b: 'after' } }]);
  });

  it('keeps record indices and line numbers in step with blank lines and errors', async () => {
    const { items } = await readBytes(['\n\r\na\r\n\r\n1\n\n"\n"\n"x"y\n\r\n""\n4']);
    expect(items.map((i) => [i.line, i.record, i.values?.a ?? i.error!.path])).toEqual([
      [5, 1, '1'],
      [7, 2, '\n'],
      [9, 3, ['line', 9, 'column', 'a']],
      [11, 4, ''],
      [12, 5, '4'],
    ]);
  });
});

describe('the header', () => {
  it.each([
    ['a,b,a\n1,2,3\n', ['header', 2], /field 3: the column name "a" repeats field 1/],
    ['a,,b\n', ['header', 1], /field 2: the column name is empty/],
    ['"",a\n', ['header', 0], /column name is empty/],
    ['a,b"c\n', ['header', 1], /a '"' inside an unquoted value/],
    ['a,"b"c\n', ['header', 1], /text after the closing quote/],
    ['a,"b\n1,2\n', ['header', 1], /not closed before the end of the input/],
  ])('refuses %j with invalid_argument at the header', async (text, path, message) => {
    const e = await rejection(collect(readCsvRecords([text])));
    expect(e.code).toBe('invalid_argument');
    expect(e.path).toEqual(path);
    expect(e.message).toMatch(message);
    expect(thrown(() => parseCsv(text)).path).toEqual(path);
  });

  it('refuses a header over maxColumns or with a name over maxFieldBytes, also when it never ends', async () => {
    let e = await rejection(collect(readCsvRecords(['a,b,c,d\n'], { maxColumns: 3 })));
    expect([e.code, e.path]).toEqual(['invalid_argument', ['header', 3]]);
    expect(e.message).toMatch(/more than maxColumns \(3\)/);
    let pulled = 0;
    async function* commas(): AsyncGenerator<string> {
      for (; pulled < 10_000; pulled++) yield ',x'.repeat(100);
    }
    e = await rejection(collect(readCsvRecords(commas())));
    expect(e.path).toEqual(['header', 10_000]);
    expect(pulled).toBeLessThan(110);
    e = await rejection(collect(readCsvRecords(['id,' + 'n'.repeat(20)], { maxFieldBytes: 16 })));
    expect(e.path).toEqual(['header', 1]);
    expect(e.message).toMatch(/longer than maxFieldBytes \(16 bytes\)/);
  });

  it('uses given columns with header: false, and calls onHeader only for a header row', async () => {
    const seen: string[][] = [];
    const items = await collect(readCsvRecords(['1,2\n3,4,5\n'], { header: false, columns: ['x', 'y'], onHeader: (h) => seen.push([...h]) }));
    expect(items).toEqual([
      { line: 1, record: 1, values: { x: '1', y: '2' } },
      { line: 2, record: 2, error: expect.objectContaining({ code: 'invalid_event', path: ['line', 2] }) },
    ]);
    expect(seen).toEqual([]);
    const p = createCsvParser({ header: false, columns: ['x'] });
    expect(p.header).toEqual(['x']);
  });

  it('lets onHeader refuse a file before any row is read', async () => {
    const it = readCsvRecords(['a,b\n1,2\n'], {
      onHeader: (h) => { if (!h.includes('amount')) throw new RangeError('no amount column'); },
    });
    await expect(it.next()).rejects.toThrow(RangeError);
  });

  it('keeps a __proto__ column as an own value, and strips exactly one BOM', async () => {
    let r = await readBytes(['__proto__,b\n{},2\n']);
    expect(r.header).toEqual(['__proto__', 'b']);
    expect(Object.getPrototypeOf(r.items[0].values)).toBe(Object.prototype);
    expect(Object.keys(r.items[0].values!)).toEqual(['__proto__', 'b']);
    expect(r.items[0].values!['__proto__']).toBe('{}');
    r = await readBytes([new Uint8Array([0xef, 0xbb]), new Uint8Array([0xbf, 0xef, 0xbb, 0xbf, 0x61, 0x0a, 0x31])]);
    expect(r.header).toEqual(['\uFEFFa']);
    expect(r.items).toEqual([{ line: 2, record: 1, values: { '\uFEFFa': '1' } }]);
  });

  it('gives nothing for an empty input or a header alone', async () => {
    expect(await collect(readCsvRecords([]))).toEqual([]);
    expect(await collect(readCsvRecords(['\uFEFF', '\r\n\n']))).toEqual([]);
    expect(parseCsv('a,b')).toEqual({ header: ['a', 'b'], items: [] });
    expect(parseCsv('')).toEqual({ header: null, items: [] });
  });
});

describe('arguments', () => {
  it.each([
    [{ delimiter: '""' }, ['options', 'delimiter']],
    [{ delimiter: '"' }, ['options', 'delimiter']],
    [{ delimiter: '\n' }, ['options', 'delimiter']],
    [{ maxFieldBytes: 0 }, ['options', 'maxFieldBytes']],
    [{ maxColumns: 1.5 }, ['options', 'maxColumns']],
    [{ header: 'yes' }, ['options', 'header']],
    [{ columns: ['a'] }, ['options', 'columns']],
    [{ header: false }, ['options', 'columns']],
    [{ header: false, columns: ['a', ''] }, ['options', 'columns', 1]],
    [{ header: false, columns: ['a', 'b', 'a'] }, ['options', 'columns', 2]],
    [{ onHeader: 1 }, ['options', 'onHeader']],
  ])('refuses options %j at the call', (options, path) => {
    const e = thrown(() => readCsvRecords([], options as never));
    expect([e.code, e.path]).toEqual(['invalid_argument', path]);
  });

  it('refuses a string source, a non-iterable source, and a chunk that is neither bytes nor text', async () => {
    expect(thrown(() => readCsvRecords('a,b\n' as never)).path).toEqual(['source']);
    expect(thrown(() => readCsvRecords(42 as never)).path).toEqual(['source']);
    const e = await rejection(collect(readCsvRecords(['a\n', 7 as never])));
    expect([e.code, e.path]).toEqual(['invalid_argument', ['source', 1]]);
  });

  it('refuses push after end, and a chunk that is not a string', () => {
    const p = createCsvParser();
    expect(thrown(() => p.push(new Uint8Array(1) as never)).path).toEqual(['chunk']);
    expect(p.end()).toEqual([]);
    expect(thrown(() => p.push('a')).code).toBe('invalid_argument');
  });
});
