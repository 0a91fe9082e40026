/** Loads the xgboost fixtures made by test/fixtures/xgboost/make_fixtures.py. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'xgboost');

export interface XgbFixture {
  model: unknown;
  rows: Float32Array;
  nRows: number;
  nFeatures: number;
  margin: number[][];
  prediction: number[][];
}

/** Rows as a row-major Float32Array (null → NaN); margins/predictions as rows of targets. */
export function loadXgbFixture(name: 'binary' | 'regression' | 'multiclass'): XgbFixture {
  const model = JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8'));
  const exp = JSON.parse(readFileSync(join(DIR, `${name}.expected.json`), 'utf8'));
  const nRows = exp.rows.length;
  const nFeatures = exp.rows[0].length;
  const rows = new Float32Array(nRows * nFeatures);
  exp.rows.forEach((r: Array<number | null>, i: number) => r.forEach((v, j) => (rows[i * nFeatures + j] = v === null ? NaN : v)));
  const asRows = (a: number[] | number[][]) => a.map((v) => (Array.isArray(v) ? v : [v]));
  return { model, rows, nRows, nFeatures, margin: asRows(exp.margin), prediction: asRows(exp.prediction) };
}
