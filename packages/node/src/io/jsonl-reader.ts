/**
 * A streaming JSON Lines reader (https://jsonlines.org): one JSON object per line.
 *
 * What is accepted: UTF-8 bytes or text chunks split anywhere (inside a character too);
 * one leading BOM, dropped; lines ending at LF or CRLF (the CR is JSON whitespace, so it
 * goes to `JSON.parse` with the line), the last with or without a line end. A line that
 * is empty or holds only JSON whitespace (space, tab, CR) is skipped, but counted in line
 * numbers. A lone CR is not a line end (JSON text cannot hold a raw CR inside a string,
 * and `JSON.parse` refuses one between two values).
 *
 * What is refused, per line, without stopping the stream (an `{ error }` item with code
 * `invalid_event` at `['line', n]`): text that is not JSON; JSON that is not an object
 * (an array, a string, a number, `null`); a line longer than `maxLineBytes`, which is
 * reported as soon as it is seen to be too long, and whose rest is then skipped unread,
 * so memory stays bounded by one chunk plus `maxLineBytes` whatever the input.
 */
import { RiskscoreError } from '@riskscore/core';
import { assertTextSource, decodeUtf8Text, utf8Length, utf8LongerThan, type TextSource } from './utf8-text';

/** 1 MiB: the default {@link JsonLinesOptions.maxLineBytes}. */
export const DEFAULT_MAX_LINE_BYTES = 1 << 20;

/** Options of {@link readJsonLines}. */
export interface JsonLinesOptions {
  /** The longest line accepted, in UTF-8 bytes not counting its LF; 1 MiB by default. */
  readonly maxLineBytes?: number;
  /** The name error messages start with, e.g. the file name (default `JSONL`). */
  readonly name?: string;
}

/** A line holding a JSON object. */
export interface JsonLine {
  /** The 1-based physical line. */
  readonly line: number;
  /** The 1-based index of the record among the non-blank lines. */
  readonly record: number;
  /** The parsed object. */
  readonly value: Record<string, unknown>;
  readonly error?: undefined;
}

/** A line the reader refused; it goes on with the next one. */
export interface JsonLineError {
  /** The 1-based physical line. */
  readonly line: number;
  /** The 1-based index of the record among the non-blank lines. */
  readonly record: number;
  /** Code `invalid_event`, path `['line', line]`. */
  readonly error: RiskscoreError;
  readonly value?: undefined;
}

/** What {@link readJsonLines} yields, one per non-blank line: test `item.error` to tell them apart. */
export type JsonLineItem = JsonLine | JsonLineError;

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

/** Only JSON's own whitespace: a line of, say, no-break spaces is an error, not blank. */
const BLANK = /^[ \t\r]*$/;

/**
 * Reads JSON Lines from a stream of UTF-8 bytes or text chunks (see the file header for
 * what is accepted), one item per non-blank line, in order, with back-pressure. A bad
 * line is an `{ line, record, error }` item and reading goes on; bad options throw at the
 * call, a chunk that is neither bytes nor text from the iterator.
 *
 * @example
 * for await (const item of readJsonLines(fs.createReadStream('events.jsonl'))) {
 *   if (item.error) console.error(item.error.message); // "JSONL line 3: not valid JSON (…); …"
 *   else score(item.value); // { id: 'e1', amount: 12.5, … }
 * }
 */
export function readJsonLines(source: TextSource, options?: JsonLinesOptions): AsyncGenerator<JsonLineItem, void, undefined> {
  const fn = 'readJsonLines';
  assertTextSource(fn, source);
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null) {
    throw new RiskscoreError('invalid_argument', `${fn}: options must be an object { maxLineBytes?, name? }, got ${kindOf(options)}`, { path: ['options'] });
  }
  const max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  if (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 1) {
    throw new RiskscoreError('invalid_argument', `${fn}: options.maxLineBytes must be an integer ≥ 1, got ${String(max)}`, {
      path: ['options', 'maxLineBytes'], details: { actual: max },
    });
  }
  const name = options.name ?? 'JSONL';
  if (typeof name !== 'string') {
    throw new RiskscoreError('invalid_argument', `${fn}: options.name must be a string, got ${kindOf(name)}`, { path: ['options', 'name'] });
  }

  let record = 0;

  function error(line: number, what: string, details: Record<string, unknown>, cause?: unknown): JsonLineError {
    return {
      line,
      record,
      error: new RiskscoreError('invalid_event', `${name} line ${line}: ${what}`, { path: ['line', line], details: { line, record, ...details }, cause }),
    };
  }

  function tooLong(line: number): JsonLineError {
    record++;
    return error(line, `the line is longer than maxLineBytes (${max} bytes); raise maxLineBytes, or check that the file has one JSON object per line`, { maxLineBytes: max });
  }

  /** The item of one whole line, or null for a blank one. */
  function lineItem(text: string, line: number): JsonLineItem | null {
    if (text.length === 0) return null;
    if (utf8LongerThan(text, max)) return tooLong(line);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (cause) {
      if (BLANK.test(text)) return null;
      record++;
      return error(line, `not valid JSON (${(cause as Error).message}); each line must hold one JSON object`, {}, cause);
    }
    record++;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return error(line, `holds ${kindOf(value)}, not a JSON object; each line must hold one object (an event)`, { actual: kindOf(value) });
    }
    return { line, record, value: value as Record<string, unknown> };
  }

  return (async function* lines(): AsyncGenerator<JsonLineItem, void, undefined> {
    let line = 1;
    /** The open line's text from earlier chunks. */
    let parts: string[] = [];
    /** Their total UTF-16 length. */
    let partsLength = 0;
    /** The open line was reported too long: drop the rest of it. */
    let skipping = false;
    for await (const s of decodeUtf8Text(source, fn)) {
      let a = 0;
      for (let j = s.indexOf('\n'); j >= 0; j = s.indexOf('\n', a)) {
        if (!skipping) {
          const text = parts.length === 0 ? s.slice(a, j) : parts.join('') + s.slice(a, j);
          parts = [];
          partsLength = 0;
          const item = lineItem(text, line);
          if (item !== null) yield item;
        }
        skipping = false;
        line++;
        a = j + 1;
      }
      if (skipping || a === s.length) continue;
      const tail = a === 0 ? s : s.slice(a);
      parts.push(tail);
      partsLength += tail.length;
      // The same test as utf8LongerThan, on the pieces, without joining them.
      if (partsLength * 3 > max && (partsLength > max || parts.reduce((b, p) => b + utf8Length(p), 0) > max)) {
        parts = [];
        partsLength = 0;
        skipping = true;
        yield tooLong(line);
      }
    }
    if (!skipping && parts.length > 0) {
      const item = lineItem(parts.join(''), line);
      if (item !== null) yield item;
    }
  })();
}
