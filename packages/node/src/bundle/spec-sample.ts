/**
 * Feature rows for a bundle with a feature spec, from raw event files: the training
 * file and then the validation file run through one offline pass, in time order (point
 * in time correct, the same evaluator as online), so a validation event's features see
 * the training history before it. The training rows are sampled as they stream by
 * (seeded reservoir samples for the background and the reference: memory stays at the
 * samples, whatever the file's size); the validation rows are kept with their labels.
 */
import { RiskscoreError } from '@riskscore/core';
import { createSeededRandom } from '@riskscore/explain';
import { compileFeatureSpec, createOfflinePass } from '@riskscore/features';
import { readEventFile } from '../offline/event-readers';

/** A seeded reservoir of `k` rows of `width` values (Algorithm R). */
function reservoir(k: number, width: number, seed: number) {
  const rows = new Float32Array(k * width);
  const rng = createSeededRandom(seed);
  let seen = 0;
  return {
    offer(row: Float64Array): void {
      const slot = seen < k ? seen : Math.floor(rng.next() * (seen + 1));
      seen++;
      if (slot < k) for (let j = 0; j < width; j++) rows[slot * width + j] = row[j];
    },
    take(): { n: number; rows: Float32Array } {
      const n = Math.min(k, seen);
      return { n, rows: rows.subarray(0, n * width) };
    },
  };
}

export interface SpecSample {
  trainingRows: number;
  background: { n: number; rows: Float32Array };
  reference: { n: number; rows: Float32Array };
  validation?: { n: number; rows: Float32Array; labels: Float64Array };
}

/**
 * The spec's features over `training` (then `validation`), checked to be the bundle's
 * feature order.
 */
export async function specSample(spec: unknown, order: readonly string[], o: {
  training: string; validation?: { file: string; label: string };
  backgroundRows: number; referenceRows: number; seed: number;
}): Promise<SpecSample> {
  const evaluator = compileFeatureSpec(spec);
  const names = evaluator.featureNames;
  if (names.length !== order.length || names.some((n, i) => n !== order[i])) {
    throw new RiskscoreError('invalid_argument', `features.spec computes ${names.length} features, not the feature order's ${order.length} (first difference at ${names.findIndex((n, i) => n !== order[i])})`, { path: ['config', 'features', 'spec'] });
  }
  const w = names.length;
  const pass = createOfflinePass(evaluator);
  const out = new Float64Array(evaluator.size);
  const bg = reservoir(o.backgroundRows, w, o.seed);
  const ref = reservoir(o.referenceRows, w, o.seed + 1);
  const fail = (file: string, e: unknown, at: string[]): never => {
    const err = e as { code?: string; message?: string };
    throw new RiskscoreError(err.code === 'out_of_order' ? 'out_of_order' : 'invalid_argument', `${file}: ${err.message ?? String(e)}${err.code === 'out_of_order' ? ' (the validation events must come after the training events)' : ''}`, { path: at, cause: e });
  };
  let trainingRows = 0;
  try {
    await readEventFile(o.training, evaluator.spec, (row) => {
      pass.process(row as never, out);
      bg.offer(out);
      ref.offer(out);
      trainingRows++;
    });
  } catch (e) { fail(o.training, e, ['config', 'training', 'file']); }
  if (trainingRows === 0) throw new RiskscoreError('invalid_argument', `${o.training} holds no events`, { path: ['config', 'training', 'file'] });
  let validation: SpecSample['validation'];
  if (o.validation) {
    const v = o.validation;
    let rows = new Float32Array(1 << 16);
    let used = 0;
    const labels: number[] = [];
    try {
      await readEventFile(v.file, evaluator.spec, (row) => {
        const y = Number((row as Record<string, unknown>)[v.label]);
        if (y !== 0 && y !== 1) throw new RiskscoreError('invalid_argument', `label ${v.label} is ${JSON.stringify((row as Record<string, unknown>)[v.label])}; labels are 1 (adverse) or 0`, { path: ['config', 'validation', 'label'] });
        pass.process(row as never, out);
        if (used + w > rows.length) { const grown = new Float32Array(rows.length * 2); grown.set(rows); rows = grown; }
        for (let j = 0; j < w; j++) rows[used + j] = out[j];
        used += w;
        labels.push(y);
      });
    } catch (e) { fail(v.file, e, ['config', 'validation', 'file']); }
    validation = { n: labels.length, rows: rows.slice(0, used), labels: Float64Array.from(labels) };
  }
  return { trainingRows, background: bg.take(), reference: ref.take(), ...(validation ? { validation } : {}) };
}
