import { FeatureError } from '../errors';

/** U+241F (symbol for unit separator): joins the parts of a composite key, unlikely inside an id. */
export const KEY_SEPARATOR = 0x241f;

/** hashString's one-part list (reused: no array per call). */
const one = [''];

/**
 * A 53-bit hash of a string (two FNV-1a 32-bit lanes over UTF-16 code units with
 * different offset bases, 21 + 32 bits kept), exact as a float64. Used to store string
 * values in numeric history columns (distinct counts, event ids) and to find string
 * entity keys; two different strings collide with probability about 2^-53 per pair.
 *
 * @example
 * hashString('terminal-7') === hashString('terminal-7'); // true
 */
export function hashString(s: string): number {
  if (typeof s !== 'string') throw new FeatureError('invalid_argument', `hashString: expected a string, got ${s === null ? 'null' : typeof s}`, ['s']);
  one[0] = s;
  const h = hashParts(one, 1);
  one[0] = '';
  return h;
}

/**
 * hashString of `parts[0..n)` joined by U+241F, without building the joined string (the
 * lanes are fed the separator between parts).
 *
 * @example
 * hashParts(['card-7', '42'], 2) === hashString('card-7\u241f42'); // true
 */
export function hashParts(parts: readonly string[], n: number): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ 0x5bd1e995;
  for (let j = 0; j < n; j++) {
    if (j > 0) {
      h1 = Math.imul(h1 ^ KEY_SEPARATOR, 0x01000193);
      h2 = Math.imul(h2 ^ KEY_SEPARATOR, 0x01000193) ^ (h2 >>> 15);
    }
    const s = parts[j];
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x01000193) ^ (h2 >>> 15);
    }
  }
  return (h1 & 0x1fffff) * 4294967296 + (h2 >>> 0);
}
