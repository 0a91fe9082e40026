/**
 * Text from a stream of UTF-8 bytes or strings, shared by the CSV and JSON Lines
 * readers: decoding across chunk boundaries with one leading BOM dropped, the check that
 * a source can be iterated, and UTF-8 byte lengths for the readers' size limits.
 */
import { RiskscoreError } from '@riskscore/core';

/** A source of text or UTF-8 bytes: a Node stream, a `ReadableStream`, an array of chunks. */
export type TextSource = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

/** UTF-8 length of a string (a lone surrogate counts as U+FFFD, 3 bytes, as encoders write it). */
export function utf8Length(s: string): number {
  let b = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) b += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      b += 2; // a pair: 2 units, 4 bytes
      i++;
    } else b += 2;
  }
  return b;
}

/**
 * Whether a string's UTF-8 form is longer than `max` bytes. A UTF-16 unit is 1 to 3 UTF-8
 * bytes, so the exact count is needed only when `max / 3 < length ≤ max`.
 */
export function utf8LongerThan(s: string, max: number): boolean {
  const n = s.length;
  if (n * 3 <= max) return false;
  if (n > max) return true;
  return utf8Length(s) > max;
}

/**
 * Decodes a stream of UTF-8 bytes (or text) into text chunks: a character split across
 * byte chunks is decoded whole, one leading BOM is dropped (whether the first chunk is
 * bytes or text), invalid bytes become U+FFFD. Shared by the CSV and JSON Lines readers.
 *
 * @example
 * for await (const text of decodeUtf8Text([new Uint8Array([0xef, 0xbb, 0xbf, 0xc3]), new Uint8Array([0xa9])], 'f')) text; // "é"
 */
export async function* decodeUtf8Text(source: TextSource, fn: string): AsyncGenerator<string, void, undefined> {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  let atStart = true;
  let pendingBytes = false;
  let k = 0;
  for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
    let s: string;
    if (typeof chunk === 'string') {
      s = pendingBytes ? decoder.decode() + chunk : chunk;
      pendingBytes = false;
    } else if (chunk instanceof Uint8Array) {
      s = decoder.decode(chunk, { stream: true });
      pendingBytes = true;
    } else {
      throw new RiskscoreError('invalid_argument', `${fn}: source chunk ${k} is ${kindOf(chunk)}, not a Uint8Array (Buffer) or a string`, { path: ['source', k] });
    }
    k++;
    if (atStart && s.length > 0) {
      atStart = false;
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    }
    if (s.length > 0) yield s;
  }
  if (pendingBytes) {
    let s = decoder.decode();
    if (atStart && s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    if (s.length > 0) yield s;
  }
}

/** Throws unless `source` can be iterated with `for await`. */
export function assertTextSource(fn: string, source: unknown): asserts source is TextSource {
  if (typeof source === 'string') {
    throw new RiskscoreError('invalid_argument', `${fn}: source must be an iterable of chunks (a stream, an array), not a string; wrap the text as [text]`, { path: ['source'] });
  }
  const it = source as { [Symbol.asyncIterator]?: unknown; [Symbol.iterator]?: unknown } | null;
  if (typeof it !== 'object' || it === null || (typeof it[Symbol.asyncIterator] !== 'function' && typeof it[Symbol.iterator] !== 'function')) {
    throw new RiskscoreError('invalid_argument', `${fn}: source must be an async iterable of Uint8Array or string chunks (e.g. fs.createReadStream(file)), got ${kindOf(source)}`, { path: ['source'] });
  }
}
