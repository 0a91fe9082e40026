/**
 * The Taiwan credit-default rows (bundle feature order, float32) split by age, with the
 * example bundle's XGBoost probability of each: the monitor tests' reference (clients
 * under 30) and known shift (clients over 50). Callers skip first when the data is missing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, sharedDataPath } from '../../../../testing/shared-data';
import { loadBundle, type LoadedBundle } from '../bundle/load-bundle';
import { sigmoid } from '../trees/tree-ensemble';

export const TAIWAN = 'taiwan-credit-default/default_of_credit_card_clients.csv';

/** Rows `w` wide with their scores. */
export interface AgeGroup { rows: Float32Array; scores: Float64Array; n: number }

async function taiwanBundle(): Promise<LoadedBundle> {
  const dir = join(REPO_ROOT, 'examples', 'taiwan-credit', 'bundle');
  const files: Record<string, Uint8Array> = {};
  for (const f of readdirSync(dir)) files[f] = new Uint8Array(readFileSync(join(dir, f)));
  return loadBundle(files);
}

/** The bundle, its feature order and width, and the under-30 and over-50 clients. */
export async function taiwanByAge(): Promise<{ bundle: LoadedBundle; order: readonly string[]; w: number; young: AgeGroup; old: AgeGroup }> {
  const bundle = await taiwanBundle();
  const order = bundle.manifest.features.order;
  const lines = readFileSync(sharedDataPath(TAIWAN)!, 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  const idx = order.map((f) => header.indexOf(f));
  if (!idx.every((i) => i >= 0)) throw new Error(`the Taiwan file lacks ${order.filter((_, j) => idx[j] < 0).join(', ')}`);
  const w = order.length;
  const n = lines.length - 1;
  const all = new Float32Array(n * w);
  for (let r = 1; r < lines.length; r++) {
    const c = lines[r].split(',');
    for (let j = 0; j < w; j++) all[(r - 1) * w + j] = Number(c[idx[j]]);
  }
  const margins = new Float64Array(n);
  bundle.members.find((m) => m.spec.kind === 'trees')!.trees!.predictMargins(all, n, margins);
  const age = order.indexOf('AGE');
  const pick = (keep: (a: number) => boolean): AgeGroup => {
    const rows: number[] = [];
    for (let i = 0; i < n; i++) if (keep(all[i * w + age])) rows.push(i);
    const m = new Float32Array(rows.length * w), s = new Float64Array(rows.length);
    rows.forEach((r, k) => { m.set(all.subarray(r * w, (r + 1) * w), k * w); s[k] = sigmoid(margins[r]); });
    return { rows: m, scores: s, n: rows.length };
  };
  return { bundle, order, w, young: pick((a) => a < 30), old: pick((a) => a > 50) };
}
