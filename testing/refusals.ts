/**
 * The typed error a call must fail with, for tests: the error itself (checked to be a
 * riskscore error), or a test failure when the call did not fail at all.
 */
import { isRiskscoreError, type RiskscoreErrorLike } from '@riskscore/core';
import { expect } from 'vitest';

/** The riskscore error `f` throws. */
export function thrown(f: () => unknown): RiskscoreErrorLike {
  try {
    f();
  } catch (e) {
    expect(isRiskscoreError(e), String(e)).toBe(true);
    return e as RiskscoreErrorLike;
  }
  throw new Error('did not throw');
}

/** The riskscore error `p` rejects with. */
export async function rejection(p: Promise<unknown>): Promise<RiskscoreErrorLike> {
  try {
    await p;
  } catch (e) {
    expect(isRiskscoreError(e), String(e)).toBe(true);
    return e as RiskscoreErrorLike;
  }
  throw new Error('did not reject');
}
