/** The Taiwan credit example bundle and its goldens (examples/taiwan-credit). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../testing/shared-data';

export const TAIWAN_DIR = join(REPO_ROOT, 'examples', 'taiwan-credit');
export const TAIWAN_BUNDLE = join(TAIWAN_DIR, 'bundle');

export interface TaiwanGoldens {
  features: string[];
  rows: Array<Array<number | null>>;
  nanRows: number[];
  matrix: Float32Array;
  events: Array<Record<string, number>>;
  xgboost_margin: number[];
  xgboost_prob: number[];
  mlp_logit: number[];
  ft_transformer_logit: number[];
  ensemble_logit: number[];
  probability: number[];
  label: number[];
}

export function loadTaiwanGoldens(): TaiwanGoldens {
  const g = JSON.parse(readFileSync(join(TAIWAN_DIR, 'artifacts', 'goldens.json'), 'utf8'));
  const nF = g.features.length;
  const matrix = new Float32Array(g.rows.length * nF);
  const events = g.rows.map((r: Array<number | null>, i: number) => {
    const e: Record<string, number> = {};
    r.forEach((v, j) => {
      matrix[i * nF + j] = v === null ? NaN : v;
      if (v !== null) e[g.features[j]] = v;
    });
    return e;
  });
  return { ...g, nanRows: g.nan_rows, matrix, events };
}
