// The evaluation's metrics on a committed slice of the test week (artifacts/metrics_slice.json:
// 4,000 handbook-test rows with the ensemble's Python scores) against scikit-learn's
// roc_auc_score / average_precision_score and a pandas reimplementation of the handbook's
// card_precision_top_k (cards found on earlier days removed from later ones).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { averagePrecision, rocAuc } from '@riskscore/explain';
import { fprAtRecall, handbookCardPrecision } from '../src/metrics.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const s = JSON.parse(readFileSync(join(root, 'artifacts', 'metrics_slice.json'), 'utf8'));
const scores = Float64Array.from(s.score);
const labels = Uint8Array.from(s.label);

describe('handbook metrics on a committed test-week slice', () => {
  it('ROC AUC and average precision equal scikit-learn to 1e-12', () => {
    expect(labels.length).toBe(4000);
    expect(Math.abs(rocAuc(scores, labels) - s.roc_auc)).toBeLessThan(1e-12);
    expect(Math.abs(averagePrecision(scores, labels) - s.average_precision)).toBeLessThan(1e-12);
  });

  it('Card Precision@100 and @10 per day equal the handbook procedure (pandas)', () => {
    const cp = handbookCardPrecision(scores, labels, s.customer, s.day, 100);
    expect(cp.perDay).toEqual(s.card_precision_at_100_per_day);
    expect(Math.abs(cp.mean - s.card_precision_at_100)).toBeLessThan(1e-12);
    // k = 10 makes the removal of cards found on earlier days matter more
    expect(handbookCardPrecision(scores, labels, s.customer, s.day, 10).perDay).toEqual(s.card_precision_at_10_per_day);
  });

  it('fprAtRecall is the lowest FPR whose recall reaches the target (brute force over thresholds)', () => {
    const r = fprAtRecall(scores, labels, 0.8);
    const pos = labels.reduce((a, b) => a + b, 0);
    let best = 1;
    for (const t of new Set(scores)) {
      let tp = 0, fp = 0;
      for (let i = 0; i < scores.length; i++) if (scores[i] >= t) labels[i] ? tp++ : fp++;
      if (tp / pos >= 0.8) best = Math.min(best, fp / (scores.length - pos));
    }
    expect(r.recall).toBeGreaterThanOrEqual(0.8);
    expect(r.falsePositiveRate).toBe(best);
  });
});
