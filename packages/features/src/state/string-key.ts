import { hashParts, KEY_SEPARATOR } from './hash-string';

/**
 * A string entity key given by its parts: joined by U+241F they are the key
 * (`parts.slice(0, n).join('\u241f')`, one part: the key itself), with its hash and
 * length. The evaluator fills one per entity kind and event, so a composite key is
 * hashed and compared part by part and no joined string is built per event.
 *
 * @example
 * const k = new StringKey();
 * k.parts[0] = 'card-7'; k.parts[1] = '42'; k.seal(2);
 * k.hash === hashString('card-7\u241f42'); // true
 * k.length; // 9
 */
export class StringKey {
  readonly parts: string[] = [''];
  n = 1;
  hash = 0;
  length = 0;

  /** The key is `s`. */
  setString(s: string): this {
    this.parts[0] = s;
    return this.seal(1);
  }

  /** The key is `s`, whose hashString the caller has already computed. */
  setHashed(s: string, hash: number): this {
    this.parts[0] = s;
    this.n = 1;
    this.length = s.length;
    this.hash = hash;
    return this;
  }

  /** The key is parts[0..n) joined: sets its hash (hashString of the joined string) and length. */
  seal(n: number): this {
    this.n = n;
    let len = n - 1;
    for (let j = 0; j < n; j++) len += this.parts[j].length;
    this.length = len;
    this.hash = hashParts(this.parts, n);
    return this;
  }

  /** A copy of this key (its own parts array). */
  clone(): StringKey {
    const k = new StringKey();
    for (let j = 0; j < this.n; j++) k.parts[j] = this.parts[j];
    k.n = this.n;
    k.hash = this.hash;
    k.length = this.length;
    return k;
  }

  /** The joined key (allocates: for messages and the public API, not the hot path). */
  toString(): string {
    return this.n === 1 ? this.parts[0] : this.parts.slice(0, this.n).join(String.fromCharCode(KEY_SEPARATOR));
  }
}
