// Fraud in the page: a client-side pre-check of a payment before it is sent, with the
// fraud bundle (whose features need entity history) in a worker scorer. The browser
// knows only what the server hands over: this card's own recent transactions. Replayed
// into the worker (committed, in time order, ids deduplicated), they give the card's
// windows, and the card-at-terminal windows, exactly as the server has them; the
// payment is then scored as a what-if (`commit: false`). What the page cannot know: the
// terminal's traffic from every other card (term_* windows, the ratios built on them)
// and labels confirmed after the fact (the *_delay7d features, unless the server hands
// over the card's confirmed frauds too). Those features are computed from the card's
// history alone, so they are biased low; the pre-check is a hint for the page (ask for
// 3-D Secure, warn the user), never the decision, which the server makes with the full
// state.
import { createWorkerScorer, type WorkerScorer, type WorkerScorerOptions } from '@riskscore/browser';
import type { ScoreResult } from '@riskscore/core';

export interface PaymentPrecheck {
  readonly scorer: WorkerScorer;
  /** History events the worker refused (bad rows in what the server sent), with their error codes. */
  readonly refused: Array<{ index: number; code: string }>;
  /** Scores a payment as if it happened now, without keeping it (features returned for inspection). */
  check(payment: Record<string, unknown>): Promise<ScoreResult>;
  close(): Promise<void>;
}

/**
 * Starts a pre-check for one card: a worker scorer for the fraud bundle at `bundleUrl`,
 * warmed with the card's `history` (oldest first). The clock-skew check is off: the
 * history is in the past by construction.
 */
export async function startPaymentPrecheck(bundleUrl: string, history: readonly Record<string, unknown>[], options: WorkerScorerOptions = {}): Promise<PaymentPrecheck> {
  const scorer = await createWorkerScorer(bundleUrl, { ...options, clock: null });
  const outcomes = await scorer.scoreBatch(history);
  const refused = outcomes.flatMap((o, index) => (o.ok ? [] : [{ index, code: o.error.code }]));
  return {
    scorer,
    refused,
    check: (payment) => scorer.score(payment, { commit: false, features: true, explain: { neural: 'omit' }, lane: 'precheck' }),
    close: () => scorer.close(),
  };
}
