import { ExplainError } from '../errors';
import { type BinaryLabels, checkBinaryInputs, type Scores } from './binary-inputs';

/**
 * Card Precision@k for one day (Le Borgne et al., "Reproducible Machine Learning for Credit
 * Card Fraud Detection – Practical Handbook", §4.2.2): each card gets its highest score and
 * is compromised if any of its transactions is fraud; the k highest-scoring cards are
 * the ones investigators can check, and CP@k = (compromised cards among them) / k.
 * Ties in score are broken by the smaller card id, so the result is deterministic
 * (the handbook's pandas sort leaves it to the sort algorithm).
 *
 * @param scores - transaction scores of one day
 * @param labels - 1 = fraudulent transaction
 * @param cardIds - the card (customer) of each transaction
 * @param k - cards investigated per day
 * @example
 * cardPrecisionAtK(new Float64Array([0.9, 0.8, 0.1]), new Uint8Array([0, 1, 0]), new Int32Array([7, 7, 3]), 1); // 1
 */
export function cardPrecisionAtK(scores: Scores, labels: BinaryLabels, cardIds: Int32Array | Uint32Array | Float64Array, k: number): number {
  const fn = 'cardPrecisionAtK';
  checkBinaryInputs(fn, scores, labels, false);
  if (cardIds.length !== scores.length) throw new ExplainError('invalid_argument', `${fn}: cardIds has ${cardIds.length} rows but scores has ${scores.length}`, ['cardIds']);
  if (!Number.isInteger(k) || k < 1) throw new ExplainError('invalid_argument', `${fn}: k must be an integer ≥ 1, got ${k}`, ['k']);
  const n = scores.length;
  const byCard = new Uint32Array(n);
  for (let i = 0; i < n; i++) byCard[i] = i;
  byCard.sort((a, b) => cardIds[a] - cardIds[b]);
  const cardScore = new Float64Array(n), cardFraud = new Uint8Array(n), cardId = new Float64Array(n);
  let c = -1;
  for (let j = 0; j < n; j++) {
    const i = byCard[j];
    if (c < 0 || cardIds[i] !== cardId[c]) {
      c++;
      cardId[c] = cardIds[i];
      cardScore[c] = scores[i];
      cardFraud[c] = labels[i];
    } else {
      if (scores[i] > cardScore[c]) cardScore[c] = scores[i];
      if (labels[i] === 1) cardFraud[c] = 1;
    }
  }
  const cards = c + 1;
  const order = new Uint32Array(cards);
  for (let j = 0; j < cards; j++) order[j] = j;
  order.sort((a, b) => cardScore[b] - cardScore[a] || cardId[a] - cardId[b]);
  let hits = 0;
  for (let j = 0; j < Math.min(k, cards); j++) hits += cardFraud[order[j]];
  return hits / k;
}
