/**
 * Per-client token buckets: each client (API key id, or remote address without auth)
 * may make `burst` requests at once and `ratePerSecond` on average. A refused request
 * learns when the next token comes (Retry-After). Buckets of clients not seen for a
 * while are dropped, so the map stays bounded by the clients of the last minute.
 */
import { RiskscoreError } from '@riskscore/core';

/**
 * A per-client token bucket: a request past it is refused with 429 `rate_limited` and a
 * Retry-After. A rate that is not positive or a burst below 1 throws `invalid_argument`.
 */
export interface RateLimitOptions {
  /** Tokens added per second (sustained requests per second per client). */
  readonly ratePerSecond: number;
  /** Bucket size (requests allowed at once). */
  readonly burst: number;
}

export interface RateLimiter {
  /** 0 when allowed (a token taken), else the seconds until a token is available. */
  take(client: string, cost?: number): number;
}

export function createRateLimiter(options: RateLimitOptions, now: () => number = () => performance.now()): RateLimiter {
  const { ratePerSecond, burst } = options;
  if (!(Number.isFinite(ratePerSecond) && ratePerSecond > 0)) throw new RiskscoreError('invalid_argument', `rateLimit.ratePerSecond must be a positive number, got ${String(ratePerSecond)}`, { path: ['rateLimit', 'ratePerSecond'] });
  if (!(Number.isFinite(burst) && burst >= 1)) throw new RiskscoreError('invalid_argument', `rateLimit.burst must be a number ≥ 1, got ${String(burst)}`, { path: ['rateLimit', 'burst'] });
  const perMs = ratePerSecond / 1000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  let sweptAt = now();
  return {
    take(client, cost = 1) {
      const t = now();
      if (t - sweptAt > 60_000) {
        // A bucket idle long enough to be full again is the same as no bucket.
        for (const [k, b] of buckets) if (b.tokens + (t - b.at) * perMs >= burst) buckets.delete(k);
        sweptAt = t;
      }
      let b = buckets.get(client);
      if (b === undefined) { b = { tokens: burst, at: t }; buckets.set(client, b); }
      b.tokens = Math.min(burst, b.tokens + (t - b.at) * perMs);
      b.at = t;
      if (b.tokens >= cost) { b.tokens -= cost; return 0; }
      return Math.max(0.001, (cost - b.tokens) / perMs / 1000);
    },
  };
}
