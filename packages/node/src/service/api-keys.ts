/**
 * API keys, stored hashed: the service keeps the SHA-256 of each key, never the key, and
 * compares the hash of a presented key with each stored one in constant time
 * (`timingSafeEqual`), so neither the keys nor how much of one matched leak.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { RiskscoreError } from '@riskscore/core';

/** One key as the service stores it. */
export interface StoredApiKey {
  /** Who the key belongs to: rate limits and logs use it (never the key). */
  readonly id: string;
  /** SHA-256 of the key, hex (see {@link hashApiKey}). */
  readonly sha256: string;
}

/**
 * The hex SHA-256 of an API key, the form in which a service stores it.
 *
 * @example
 * const stored = { id: 'checkout', sha256: hashApiKey(process.env.CHECKOUT_KEY!) };
 */
export function hashApiKey(key: string): string {
  if (typeof key !== 'string' || key.length < 16) {
    throw new RiskscoreError('invalid_argument', 'hashApiKey: a key must be a string of at least 16 characters', { path: ['key'] });
  }
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Finds the id of the key whose hash matches, comparing every stored hash (constant time each). */
export function createApiKeyCheck(keys: readonly StoredApiKey[]): (presented: string) => string | undefined {
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new RiskscoreError('invalid_argument', 'auth.apiKeys: expected a non-empty array of { id, sha256 }', { path: ['auth', 'apiKeys'] });
  }
  const stored = keys.map((k, i) => {
    if (k === null || typeof k !== 'object' || typeof k.id !== 'string' || k.id === '' || typeof k.sha256 !== 'string' || !/^[0-9a-f]{64}$/i.test(k.sha256)) {
      throw new RiskscoreError('invalid_argument', `auth.apiKeys[${i}]: expected { id: non-empty string, sha256: 64 hex digits } (hashApiKey(key))`, { path: ['auth', 'apiKeys', i] });
    }
    return { id: k.id, hash: Buffer.from(k.sha256, 'hex') };
  });
  return (presented) => {
    const h = createHash('sha256').update(presented, 'utf8').digest();
    let found: string | undefined;
    for (const k of stored) if (timingSafeEqual(h, k.hash) && found === undefined) found = k.id;
    return found;
  };
}
