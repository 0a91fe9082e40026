import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from './sha256';

describe('sha256Hex', () => {
  it('matches node:crypto for lengths around every padding boundary', () => {
    for (const n of [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 100_003]) {
      const data = new Uint8Array(n);
      for (let i = 0; i < n; i++) data[i] = (i * 131 + 7) & 255;
      expect(sha256Hex(data)).toBe(createHash('sha256').update(data).digest('hex'));
    }
  });

  it('hashes a subarray view, not its whole buffer', () => {
    const buf = new Uint8Array(100).map((_, i) => i);
    const view = buf.subarray(10, 80);
    expect(sha256Hex(view)).toBe(createHash('sha256').update(view).digest('hex'));
  });
});
