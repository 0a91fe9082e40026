import { describe, expect, it } from 'vitest';
import { VERSION } from '@riskscore/core';

describe('workspace', () => {
  it('resolves @riskscore/core from source', () => {
    expect(VERSION).toBe('0.1.0');
  });
});
