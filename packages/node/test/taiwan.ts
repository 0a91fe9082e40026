/** The Taiwan credit example bundle and its goldens (examples/taiwan-credit). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadedBundle } from '@riskscore/core';
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

/**
 * A copy of `bundle` whose manifest marks every input field optional: what a deployment
 * that accepts partial applications would ship. The shipped Taiwan bundle requires all
 * 23 fields (the UCI data has none missing), but the goldens and demo-events.jsonl blank
 * cells at random (90 of 300 rows) to test how the members treat missing values; with
 * this copy those rows reach the models with NaN in the blank cells, as the python
 * goldens were computed. Members, bytes, bounds and the id are shared with `bundle`.
 *
 * @example
 * const scorer = await createScorer(partialApplications(await loadBundleFromDir(TAIWAN_BUNDLE)), { backend });
 * await scorer.score(g.events[g.nanRows[0]]); // scored, where the real bundle refuses it
 */
export function partialApplications(bundle: LoadedBundle): LoadedBundle {
  const { manifest } = bundle;
  return {
    ...bundle,
    manifest: {
      ...manifest,
      input: { ...manifest.input, fields: manifest.input.fields.map((f) => ({ ...f, required: false })) },
    },
  };
}

/**
 * The field the real bundle's validator names when it refuses `event`: the first input
 * field, in manifest order, that the event lacks (`undefined` for a complete event).
 *
 * @example
 * firstBlankField(bundle, g.events[g.nanRows[0]]); // e.g. 'PAY_0'
 */
export function firstBlankField(bundle: LoadedBundle, event: Readonly<Record<string, unknown>>): string | undefined {
  return bundle.manifest.input.fields.find((f) => event[f.name] === undefined || event[f.name] === null)?.name;
}
