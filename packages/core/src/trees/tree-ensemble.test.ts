import { describe, expect, it } from 'vitest';
import { loadXgbFixture } from '../../test/xgboost-fixtures';
import { isRiskscoreError } from '../errors';
import { xgboostModelFromJson } from './xgboost-json';

function thrown(f: () => unknown): unknown {
  try { f(); } catch (e) { return e; }
  return undefined;
}

// predictMargins refuses ±Infinity (a feature pipeline bug a split would hide) but keeps
// NaN as "missing"; both evaluation paths sit behind the same check.
describe('TreeEnsemble.predictMargins input checks', () => {
  const { trees } = xgboostModelFromJson(loadXgbFixture('binary').model);
  const nF = trees.nFeatures;

  it.each([Infinity, -Infinity])('refuses %s with invalid_argument at [rows, row, column]', (v) => {
    const x = new Float32Array(3 * nF).fill(0.5);
    x[2 * nF + 1] = v;
    for (const run of [() => trees.predictMargins(x, 3, new Float64Array(3)), () => trees.predictMarginsByWalk(x, 3, new Float64Array(3))]) {
      const e = thrown(run);
      expect(isRiskscoreError(e) && e.code === 'invalid_argument').toBe(true);
      expect(isRiskscoreError(e) && e.path).toEqual(['rows', 2, 1]);
      expect(isRiskscoreError(e) && e.details).toEqual({ row: 2, column: 1, value: v });
    }
  });

  it('keeps NaN as missing, and checks only the nRows rows asked for', () => {
    const x = new Float32Array(2 * nF).fill(NaN);
    x[nF] = Infinity; // row 1, not evaluated
    const out = new Float64Array(1);
    trees.predictMargins(x, 1, out);
    expect(Number.isFinite(out[0])).toBe(true);
  });

  it.each([
    ['nRows NaN', () => trees.predictMargins(new Float32Array(nF), NaN, new Float64Array(1)), ['nRows']],
    ['nRows -1', () => trees.predictMargins(new Float32Array(nF), -1, new Float64Array(1)), ['nRows']],
    ['nRows 1.5', () => trees.predictMargins(new Float32Array(2 * nF), 1.5, new Float64Array(2)), ['nRows']],
    ['rows null', () => trees.predictMargins(null as never, 1, new Float64Array(1)), ['rows']],
    ['rows too short', () => trees.predictMargins(new Float32Array(nF - 1), 1, new Float64Array(1)), ['rows']],
    ['out null', () => trees.predictMargins(new Float32Array(nF), 1, null as never), ['out']],
    ['out too short', () => trees.predictMargins(new Float32Array(2 * nF), 2, new Float64Array(1)), ['out']],
  ])('%s: invalid_argument naming the argument', (_, run, path) => {
    const e = thrown(run);
    expect(isRiskscoreError(e) && e.code).toBe('invalid_argument');
    expect(isRiskscoreError(e) && e.path).toEqual(path);
  });
});
