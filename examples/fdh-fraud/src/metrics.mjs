// The handbook's evaluation metrics on top of @riskscore/explain's quality functions.
import { cardPrecisionAtK, rocSteps } from '@riskscore/explain';

/**
 * Card Precision@k over several days exactly as the handbook's `card_precision_top_k`
 * (Le Borgne et al. 2022, §4.2.2): for each day in order, the cards found (a fraud among
 * the day's top k cards) on earlier days are removed, CP@k of the day is taken with
 * explain's `cardPrecisionAtK`, and the result is the mean over the days. Ties in a card's
 * score are broken by the smaller card id, as `cardPrecisionAtK` does.
 *
 * @param scores - transaction scores
 * @param labels - 1 = fraud
 * @param cards - card (customer) id per transaction
 * @param days - day index per transaction
 * @param k - cards checked per day
 * @returns the mean and the per-day values
 * @example
 * handbookCardPrecision(s, y, cards, days, 100); // { mean: 0.30, perDay: [...] }
 */
export function handbookCardPrecision(scores, labels, cards, days, k) {
  const dayList = [...new Set(days)].sort((a, b) => a - b);
  const found = new Set();
  const perDay = [];
  for (const day of dayList) {
    const idx = [];
    for (let i = 0; i < scores.length; i++) if (days[i] === day && !found.has(cards[i])) idx.push(i);
    const s = Float64Array.from(idx, (i) => scores[i]);
    const y = Uint8Array.from(idx, (i) => labels[i]);
    const c = Float64Array.from(idx, (i) => cards[i]);
    const cp = cardPrecisionAtK(s, y, c, k);
    // Which cards were found: per card max score / max label, the same order as cardPrecisionAtK.
    const best = new Map();
    for (let j = 0; j < idx.length; j++) {
      const b = best.get(c[j]);
      if (!b) best.set(c[j], { score: s[j], fraud: y[j] });
      else { if (s[j] > b.score) b.score = s[j]; if (y[j] === 1) b.fraud = 1; }
    }
    const top = [...best.entries()].sort((a, b) => b[1].score - a[1].score || a[0] - b[0]).slice(0, k);
    const hits = top.filter(([, b]) => b.fraud === 1).map(([card]) => card);
    if (hits.length / k !== cp) throw new Error(`handbookCardPrecision: day ${day}: ${hits.length}/${k} cards found but cardPrecisionAtK says ${cp}`);
    for (const h of hits) found.add(h);
    perDay.push(cp);
  }
  return { mean: perDay.reduce((a, b) => a + b, 0) / perDay.length, perDay };
}

/**
 * The lowest false-positive rate among thresholds "score ≥ t" whose recall reaches
 * `minRecall` (on the ROC staircase, no interpolation), with that threshold.
 *
 * @example
 * fprAtRecall(scores, labels, 0.8); // { falsePositiveRate: 0.004, recall: 0.8, threshold: 0.12 }
 */
export function fprAtRecall(scores, labels, minRecall) {
  let pos = 0;
  for (let i = 0; i < labels.length; i++) pos += labels[i];
  const neg = labels.length - pos;
  const { thresholds, tps, fps } = rocSteps(scores, labels);
  for (let k = 0; k < tps.length; k++) {
    if (tps[k] / pos >= minRecall) return { falsePositiveRate: fps[k] / neg, recall: tps[k] / pos, threshold: thresholds[k] };
  }
  return { falsePositiveRate: 1, recall: 1, threshold: -Infinity };
}

/** Latency quantile (linear interpolation) of an ascending-sorted array. */
export function quantileSorted(sorted, q) {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}
