// The JSON Lines reader against an independent reference: Python's `json` module (run
// here through /usr/bin/python3) reads the same bytes, split on LF after utf-8-sig
// decoding, lines of JSON whitespace skipped; its `[line, value]` pairs are the goldens.
// A fast-check property writes random objects as JSON Lines and reads them back through
// random chunkings of the bytes (multi-byte characters split across chunks).
import { spawnSync } from 'node:child_process';
import { isRiskscoreError, type RiskscoreErrorLike } from '@riskscore/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thrown } from '../../../../testing/refusals';
import { readJsonLines, type JsonLineItem, type JsonLinesOptions } from './jsonl-reader';

const PY = '/usr/bin/python3';
const enc = new TextEncoder();

function pythonJsonl(bytes: Uint8Array): Array<[number, unknown]> {
  const script = `
import json, sys
text = sys.stdin.buffer.read().decode('utf-8-sig')
out = []
for i, l in enumerate(text.split('\\n')):
    if l.strip(' \\t\\r') == '':
        continue
    out.append([i + 1, json.loads(l)])
json.dump(out, sys.stdout, ensure_ascii=False)
`;
  const res = spawnSync(PY, ['-c', script], { input: bytes, maxBuffer: 1 << 26 });
  if (res.status !== 0) throw new Error(`python3 failed: ${res.stderr.toString()}`);
  return JSON.parse(res.stdout.toString());
}

async function collect(chunks: Iterable<Uint8Array | string> | AsyncIterable<Uint8Array | string>, options?: JsonLinesOptions): Promise<JsonLineItem[]> {
  const out: JsonLineItem[] = [];
  for await (const x of readJsonLines(chunks, options)) out.push(x);
  return out;
}

function pairs(items: JsonLineItem[]): Array<[number, unknown]> {
  return items.map((it) => {
    if (it.error) throw it.error;
    return [it.line, it.value];
  });
}

function cut(whole: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => Math.min(c, whole.length)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let a = 0;
  for (const c of at) {
    out.push(whole.subarray(a, c));
    a = c;
  }
  out.push(whole.subarray(a));
  return out;
}

// A BOM, LF and CRLF line ends, blank and whitespace-only lines, raw and escaped
// non-ASCII (2-, 3- and 4-byte UTF-8), nested values, a last line without a line end.
const FIXTURE =
  '\uFEFF{"id":"e1","amount":12.5,"name":"Zoë"}\r\n' +
  '{"id":"e2","tags":["a","b"],"nested":{"x":null,"y":true}}\n' +
  '\n' +
  '  \t\r\n' +
  '{"id":"e3","text":"\u4e2d\u6587 😀 \\ud834\\udd1e \\u00e9","n":-0.0001}\r\n' +
  '\t{"id":"e4", "big": 12345678901234567890, "esc": "a\\"b\\\\c\\n"}  \n' +
  '{"id":"e5","emoji":"𝔘𝔫𝔦"}';

describe('readJsonLines against Python json', () => {
  const bytes = enc.encode(FIXTURE);
  const golden = pythonJsonl(bytes);

  it('Python reads the fixture as intended (a sanity check of the golden)', () => {
    expect(golden.map(([l]) => l)).toEqual([1, 2, 5, 6, 7]);
    expect(golden[0][1]).toEqual({ id: 'e1', amount: 12.5, name: 'Zoë' });
  });

  it('reads the fixture as Python does, with record indices over the non-blank lines', async () => {
    const items = await collect([bytes]);
    expect(pairs(items)).toEqual(golden);
    expect(items.map((i) => i.record)).toEqual([1, 2, 3, 4, 5]);
  });

  it('gives the same items for every split of the bytes in two (inside multi-byte characters and CRLFs too)', async () => {
    for (let k = 0; k <= bytes.length; k++) {
      expect(pairs(await collect([bytes.subarray(0, k), bytes.subarray(k)])), `split at byte ${k}`).toEqual(golden);
    }
  });

  it('gives the same items for one-byte chunks, for text chunks, and with a trailing line end', async () => {
    expect(pairs(await collect(Array.from(bytes, (b) => new Uint8Array([b]))))).toEqual(golden);
    expect(pairs(await collect(Array.from({ length: FIXTURE.length }, (_, i) => FIXTURE[i])))).toEqual(golden);
    expect(pairs(await collect([FIXTURE + '\r\n']))).toEqual(golden);
  });
});

describe('round trip of random objects', () => {
  it('reads back what was written, through random byte chunkings', async () => {
    const objects = fc.array(fc.dictionary(fc.string({ unit: 'binary', maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }), { maxLength: 8 });
    await fc.assert(
      fc.asyncProperty(
        objects,
        fc.array(fc.constantFrom('\n', '\r\n', '\n\n', '\r\n  \r\n'), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 8 }),
        async (objs, eols, bom, trailing, cuts) => {
          let text = bom ? '\uFEFF' : '';
          const want: Array<{ line: number; record: number; value: unknown }> = [];
          let line = 1;
          objs.forEach((o, k) => {
            want.push({ line, record: k + 1, value: JSON.parse(JSON.stringify(o)) });
            text += JSON.stringify(o);
            if (k < objs.length - 1 || trailing) {
              const eol = eols[k % eols.length];
              text += eol;
              line += (eol.match(/\n/g) ?? []).length;
            }
          });
          const b = enc.encode(text);
          expect(await collect(cut(b, cuts.map((c) => c % (b.length + 1))))).toEqual(want);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('bad lines', () => {
  it('reports invalid JSON and JSON that is not an object, and reads on', async () => {
    const text = '{"a":1}\nnot json\n[1,2]\nnull\n"s"\n42\n{"a":\n\u00a0\n{"b":2}\n';
    const items = await collect([text], { name: 'events.jsonl' });
    expect(items.map((i) => [i.line, i.record, i.value ?? i.error!.path])).toEqual([
      [1, 1, { a: 1 }],
      [2, 2, ['line', 2]],
      [3, 3, ['line', 3]],
      [4, 4, ['line', 4]],
      [5, 5, ['line', 5]],
      [6, 6, ['line', 6]],
      [7, 7, ['line', 7]],
      [8, 8, ['line', 8]], // a no-break space is not JSON whitespace: not a blank line
      [9, 9, { b: 2 }],
    ]);
    for (const it of items.filter((i) => i.error)) expect(it.error!.code).toBe('invalid_event');
    expect(items[1].error!.message).toMatch(/^events\.jsonl line 2: not valid JSON \(.+\); each line must hold one JSON object$/);
    expect(items[1].error!.cause).toBeInstanceOf(SyntaxError);
    expect(items[2].error!.message).toBe('events.jsonl line 3: holds an array, not a JSON object; each line must hold one object (an event)');
    expect(items[3].error!.details).toMatchObject({ line: 4, record: 4, actual: 'null' });
  });

  it('reports a line over maxLineBytes, counted in UTF-8 bytes, within one chunk or across many', async () => {
    // maxLineBytes 16: {"a":"éééééé"} is 20 bytes (14 units), {"a":"éééé"} 16.
    const text = '{"a":"éééé"}\n{"a":"éééééé"}\r\n{"a":"x"}\n{"a":"0123456789ab"}\n{"b":1}';
    for (const chunks of [[text], Array.from(enc.encode(text), (b) => new Uint8Array([b]))]) {
      const items = await collect(chunks, { maxLineBytes: 16 });
      expect(items.map((i) => [i.line, i.record, i.value ?? i.error!.path])).toEqual([
        [1, 1, { a: 'éééé' }],
        [2, 2, ['line', 2]],
        [3, 3, { a: 'x' }],
        [4, 4, ['line', 4]],
        [5, 5, { b: 1 }],
      ]);
      expect(items[1].error!.code).toBe('invalid_event');
      expect(items[1].error!.details).toMatchObject({ maxLineBytes: 16, line: 2 });
      expect(items[1].error!.message).toMatch(/^JSONL line 2: the line is longer than maxLineBytes \(16 bytes\)/);
    }
  });

  it('reports an endless line while streaming and skips the rest of it', async () => {
    let pulled = 0;
    const chunk = enc.encode('"x",'.repeat(250)); // 1000 bytes, no line end
    async function* source(): AsyncGenerator<Uint8Array | string> {
      yield '{"ok":1}\n[';
      for (; pulled < 3000; pulled++) yield chunk; // 3 MB
      yield '"x"]\n{"ok":2}\n';
    }
    const it = readJsonLines(source());
    expect((await it.next()).value).toEqual({ line: 1, record: 1, value: { ok: 1 } });
    const second = await it.next();
    expect(pulled).toBeLessThan(1100); // reported once past 1 MiB, not at the line's end
    expect(second.value!.error!.path).toEqual(['line', 2]);
    const rest: JsonLineItem[] = [];
    for await (const x of it) rest.push(x);
    expect(pulled).toBe(3000);
    expect(rest).toEqual([{ line: 3, record: 3, value: { ok: 2 } }]);
  });
});

describe('arguments', () => {
  it.each([
    [{ maxLineBytes: 0 }, ['options', 'maxLineBytes']],
    [{ maxLineBytes: '1' }, ['options', 'maxLineBytes']],
    [{ name: 3 }, ['options', 'name']],
    [null, ['options']],
  ])('refuses options %j at the call', (options, path) => {
    const e = thrown(() => readJsonLines([], options as never));
    expect([e.code, e.path]).toEqual(['invalid_argument', path]);
  });

  it('refuses a string source and a chunk that is neither bytes nor text', async () => {
    expect(thrown(() => readJsonLines('{}' as never)).path).toEqual(['source']);
    let err: unknown;
    try {
      await collect(['{}\n', { length: 1 } as never]);
    } catch (e) {
      err = e;
    }
    expect(isRiskscoreError(err)).toBe(true);
    expect((err as RiskscoreErrorLike).path).toEqual(['source', 1]);
  });

  it('gives nothing for an empty input, a BOM alone or blank lines', async () => {
    expect(await collect([])).toEqual([]);
    expect(await collect([new Uint8Array([0xef, 0xbb, 0xbf])])).toEqual([]);
    expect(await collect(['\n\r\n \t\n'])).toEqual([]);
  });
});
