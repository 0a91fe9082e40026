/**
 * The dashboard's model insights from a sample of recent traffic: the mean |attribution|
 * per raw field (the scorer's own explanation of each sampled feature row), and the
 * strongest feature interactions (SHAP interaction values of the tree member).
 *
 * Cold path, paid only while someone watches: the dashboard calls `refresh` at most
 * every `refreshMs`, and interactions (tens of ms a row on a large ensemble) at most every
 * `interactionMs` on `interactionRows` rows, yielding to the event loop between rows.
 * The sample is every `sampleEvery`-th scored row, kept in a ring.
 */
import type { LoadedBundle, ScoreResult } from '@riskscore/core';
import { createTreeInteractionExplainer, type TreeInteractionExplainer } from '@riskscore/explain';

/** Options of {@link ModelInsights}. */
export interface InsightsOptions {
  /** Keep one scored row in this many (default 20). */
  readonly sampleEvery?: number;
  /** Rows kept and explained per refresh (default 64). */
  readonly sampleSize?: number;
  /** Least time between two attribution refreshes (default 10 s). */
  readonly refreshMs?: number;
  /** Rows of interaction values per interaction refresh (default 4). */
  readonly interactionRows?: number;
  /** Least time between two interaction refreshes (default 60 s). */
  readonly interactionMs?: number;
}

/** What the insights panel shows. */
export interface InsightsSummary {
  /** Rows behind the attribution summary. */
  readonly explainedRows: number;
  /** Mean |attribution| (logit) per raw field, largest first. */
  readonly attribution: ReadonlyArray<{ readonly field: string; readonly meanAbs: number }>;
  /** Rows behind the interaction summary. */
  readonly interactionRows: number;
  /** Mean |Φ_ij + Φ_ji| (the pair's whole interaction, tree member's margin) per feature pair, largest first. */
  readonly interactions: ReadonlyArray<{ readonly a: string; readonly b: string; readonly meanAbs: number }>;
  /** When the summaries were last refreshed (ms since the epoch), or null before the first. */
  readonly refreshedAt: number | null;
}

/** The scorer as the insights use it: explains a kept feature row. */
export interface InsightsScorer {
  readonly bundle: LoadedBundle;
  readonly featureNames: readonly string[];
  scoreFeatures?(row: Float32Array, event?: unknown, options?: { explain?: boolean | { neural?: 'kernel' | 'omit' } }): Promise<ScoreResult>;
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** See the module comment. */
export class ModelInsights {
  private readonly rows: Array<{ row: Float32Array; event: unknown }> = [];
  private next = 0;
  private seen = 0;
  private lastRefresh = -Infinity;
  private lastInteractions = -Infinity;
  private running = false;
  private interactionExplainer: TreeInteractionExplainer | null | undefined;
  private summary: InsightsSummary = { explainedRows: 0, attribution: [], interactionRows: 0, interactions: [], refreshedAt: null };
  private readonly sampleEvery: number;
  private readonly sampleSize: number;
  private readonly refreshMs: number;
  private readonly interactionRowCount: number;
  private readonly interactionMs: number;

  constructor(private readonly scorer: InsightsScorer, options: InsightsOptions = {}, private readonly clock: () => number = Date.now) {
    this.sampleEvery = options.sampleEvery ?? 20;
    this.sampleSize = options.sampleSize ?? 64;
    this.refreshMs = options.refreshMs ?? 10_000;
    this.interactionRowCount = options.interactionRows ?? 4;
    this.interactionMs = options.interactionMs ?? 60_000;
  }

  /** Per scored event: keeps one row in `sampleEvery` (a reference, no copy: results are not reused). */
  observe(event: unknown, r: ScoreResult): void {
    if (r.features === undefined || this.seen++ % this.sampleEvery !== 0) return;
    const kept = { row: r.features, event };
    if (this.rows.length < this.sampleSize) this.rows.push(kept);
    else {
      this.rows[this.next] = kept;
      this.next = (this.next + 1) % this.sampleSize;
    }
  }

  /** The last summaries. */
  current(): InsightsSummary {
    return this.summary;
  }

  /** Refreshes what is due (see the module comment); resolves when done. Never throws: a failed row is skipped. */
  async refresh(): Promise<void> {
    const now = this.clock();
    if (this.running || this.rows.length === 0 || now - this.lastRefresh < this.refreshMs || typeof this.scorer.scoreFeatures !== 'function') return;
    this.running = true;
    this.lastRefresh = now;
    try {
      const rows = this.rows.slice();
      const sums = new Map<string, number>();
      let explained = 0;
      for (const { row, event } of rows) {
        try {
          const r = await this.scorer.scoreFeatures(row, event, { explain: { neural: 'omit' } });
          for (const f of r.explanation?.fields ?? []) sums.set(f.name, (sums.get(f.name) ?? 0) + Math.abs(f.attribution));
          explained++;
        } catch { /* a row the scorer refuses now (a new version's schema) is left out */ }
      }
      const attribution = [...sums].map(([field, s]) => ({ field, meanAbs: s / Math.max(1, explained) })).sort((a, b) => b.meanAbs - a.meanAbs);
      let { interactions, interactionRows } = this.summary;
      if (now - this.lastInteractions >= this.interactionMs) {
        this.lastInteractions = now;
        const got = await this.interactionsOf(rows.slice(-this.interactionRowCount).map((x) => x.row));
        if (got !== null) ({ interactions, interactionRows } = got);
      }
      this.summary = { explainedRows: explained, attribution, interactionRows, interactions, refreshedAt: now };
    } finally {
      this.running = false;
    }
  }

  private async interactionsOf(rows: Float32Array[]): Promise<{ interactions: InsightsSummary['interactions']; interactionRows: number } | null> {
    if (this.interactionExplainer === undefined) {
      const trees = this.scorer.bundle.members.find((m) => m.trees)?.trees;
      try {
        this.interactionExplainer = trees ? createTreeInteractionExplainer(trees) : null;
      } catch {
        this.interactionExplainer = null; // trees without cover: no interaction values
      }
    }
    const ix = this.interactionExplainer;
    if (ix === null || rows.length === 0) return null;
    const F = ix.nFeatures, F1 = F + 1;
    const out = new Float64Array(ix.outputLength);
    const sum = new Float64Array(F * F);
    for (const row of rows) {
      await yieldToLoop();
      ix.explainRow(row, out);
      for (let i = 0; i < F; i++) for (let j = i + 1; j < F; j++) sum[i * F + j] += Math.abs(out[i * F1 + j] + out[j * F1 + i]);
    }
    const names = this.scorer.featureNames;
    const pairs: Array<{ a: string; b: string; meanAbs: number }> = [];
    for (let i = 0; i < F; i++) for (let j = i + 1; j < F; j++) if (sum[i * F + j] > 0) pairs.push({ a: names[i], b: names[j], meanAbs: sum[i * F + j] / rows.length });
    pairs.sort((x, y) => y.meanAbs - x.meanAbs);
    return { interactions: pairs.slice(0, 10), interactionRows: rows.length };
  }
}
